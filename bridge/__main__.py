"""`python -m bridge` is the sam-bridge command line."""
import sys

_VERBOSE = ("--verbose", "-v")
if [a for a in sys.argv[1:] if a not in _VERBOSE] == ["rpc"]:
    # `rpc [--verbose]` (or `--verbose rpc`), the PowerShell module's transport: answered without
    # loading the command-line framework, which would double its start-up time.
    from ._rpc import main as rpc_main

    sys.exit(rpc_main(sys.argv[1:]))

from ._cli import main  # noqa: E402

sys.exit(main())
