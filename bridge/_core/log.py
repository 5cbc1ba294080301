"""Logging for the command line and the `rpc` transport: one scrubbed handler on stderr."""
from __future__ import annotations

import logging
import sys


def configure_logging(verbose: bool) -> None:
    """Warnings only (as 'warning: ...'), or the whole request flow with `verbose`; secrets masked."""
    from .scrub import ScrubbingFilter

    root = logging.getLogger()
    # A long-lived host (the PowerShell module's in-process engine) configures every request: when
    # nothing changed, the handler in place stays (setting levels again clears logging's caches).
    current = [h for h in root.handlers if getattr(h, "_sam_bridge", False)]
    if (len(current) == 1 and getattr(current[0], "_sam_bridge_verbose", None) is bool(verbose)
            and getattr(current[0], "stream", None) is sys.stderr
            and root.level == (logging.DEBUG if verbose else logging.WARNING)):
        return
    for handler in list(root.handlers):
        if getattr(handler, "_sam_bridge", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._sam_bridge = True  # type: ignore[attr-defined]
    handler._sam_bridge_verbose = bool(verbose)  # type: ignore[attr-defined]
    handler.addFilter(ScrubbingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose else "warning: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # msal's own debug output is noise at this level; its warnings still show. urllib3 reports each
    # retry as a warning: that is request flow, shown only with --verbose.
    logging.getLogger("msal").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.DEBUG if verbose else logging.ERROR)
