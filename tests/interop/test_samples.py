"""samples/dotnet and samples/node run as their comments say, against the emulator."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading

import pytest

from ._drivers import NODE_DIR, REPO_ROOT, approve_on_devicelogin

SAMPLE_DLL = REPO_ROOT / ".tools" / "interop" / "sample-dotnet" / "EmulatorSignIn.dll"


def _run_sample(emulator, argv, env):
    process = subprocess.Popen(argv + [emulator.authority_host, emulator.ids.public_app, emulator.ids.fabrikam],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    timer = threading.Timer(60, process.kill)
    timer.start()
    try:
        prompt = process.stderr.readline()
        code = re.search(r"enter the code (\S+) to authenticate", prompt)
        assert code, prompt
        approve_on_devicelogin(emulator, code.group(1), emulator.ids.admin)
        out, err = process.communicate(timeout=60)
    finally:
        timer.cancel()
    return process.returncode, out, err


@pytest.mark.parametrize("sample", ["dotnet", "node"])
def test_sample_signs_in_and_reaches_a_customer(emulator, sample):
    if sample == "dotnet":
        argv = [shutil.which("dotnet") or "dotnet", str(SAMPLE_DLL)]
        env = {"SSL_CERT_FILE": emulator.ca_bundle}
    else:  # the sample's `npm install @azure/msal-node` is the suite's own install
        argv = [shutil.which("node") or "node", str(REPO_ROOT / "samples" / "node" / "sign-in.cjs")]
        env = {"NODE_EXTRA_CA_CERTS": emulator.ca_bundle, "NODE_PATH": str(NODE_DIR / "node_modules")}
    status, out, err = _run_sample(emulator, argv, env)
    assert status == 0, err
    assert f"signed in as {emulator.ids.admin} (tenant {emulator.ids.partner})" in out
    assert f"token for tenant {emulator.ids.fabrikam}" in out
