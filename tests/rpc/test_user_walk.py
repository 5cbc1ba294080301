"""What a new user hit on the first walk (issue 13), over the RPC contract: warnings that were not
sam-bridge's reaching the user (the CLI's side, unclosed sockets at exit, is in tests/cli)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

from bridge._core.validate import SamBridgeWarning
from bridge.rpc import protocol as _rpc
from bridge.rpc.registry import command
from tests.fixtures.emulator import REPO_ROOT


@command("test.warnings")
def _warn_both(args, secrets, config):  # a handler that meets a library's warning and gives its own
    warnings.warn("DynamicImporter.exec_module() not found; falling back to load_module()", ImportWarning)
    warnings.warn("an old API", DeprecationWarning)
    warnings.warn("the file store keeps secrets in plaintext", SamBridgeWarning)
    return {}


def test_rpc_reports_only_sam_bridges_own_warnings():
    response = _rpc.dispatch(json.dumps({"v": 1, "command": "test.warnings", "args": {}}))
    assert response["ok"] and response["warnings"] == ["the file store keeps secrets in plaintext"]


def test_register_with_the_default_keyring_store_shows_no_import_warning(tmp_path):
    """The keyring store's import pulls in an import hook that warns (python3-gi's DynamicImporter)."""
    request = {"v": 1, "command": "profile.add", "config": str(tmp_path / "config.toml"), "secrets": {},
               "args": {"name": "x", "app_id": "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c",
                        "tenant": "contoso.onmicrosoft.com", "store": "keyring"}}
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env.update(SAM_BRIDGE_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run([sys.executable, "-m", "bridge", "rpc"], input=json.dumps(request), capture_output=True,
                          text=True, env=env, cwd=str(REPO_ROOT), timeout=60)
    response = json.loads(done.stdout)
    assert not any("DynamicImporter" in w or "load_module" in w for w in response["warnings"]), response["warnings"]
    assert "DynamicImporter" not in done.stderr

