"""The RPC edge: the JSON request/response contract the PowerShell module speaks (protocol.py), the
handlers that translate it to bridge._api calls, and the in-process host (host.py).

The stable, versioned entry of the PowerShell module's in-process transport is this package, not
a file in it (docs/ARCHITECTURE.md):

    import bridge.rpc
    bridge.rpc.IN_PROCESS_ENTRY   # 1: the version of this entry (what follows)
    bridge.rpc.PROTOCOL_VERSION   # 1: the version of the request/response contract
    bridge.rpc.start(request_json, verbose, cwd, env_names, env_values, wait) -> Call

A change a released module could not call gets a new IN_PROCESS_ENTRY; the modules inside may be
renamed or split freely.
"""
from __future__ import annotations

from .host import PROTOCOL_VERSION, start

IN_PROCESS_ENTRY = 1

__all__ = ["IN_PROCESS_ENTRY", "PROTOCOL_VERSION", "start"]
