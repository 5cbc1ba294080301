import subprocess
import sys


def test_demo_runs_the_whole_job_offline(isolated_env):
    result = subprocess.run([sys.executable, "-m", "bridge", "demo"], capture_output=True, text=True,
                            env=isolated_env, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for step in range(1, 8):
        assert f"[{step}/7]" in out
    assert "MFA satisfied" in out and "aud=https://api.partnercenter.microsoft.com" in out
    assert "AADSTS50020" in out and "0 requests reached the emulator" in out and "Done:" in out
    # The app's own lifecycle: created, consented into two customers, rotated, the old secret refused.
    assert "[1/5] sam-bridge app create sam" in out and "+ 00000002-0000-0ff1-ce00-000000000000: Exchange.Manage" in out
    assert "fabrikam.onmicrosoft.com: consented" in out and "northwind.onmicrosoft.com: consented" in out
    assert "step removed" in out and "AADSTS7000215" in out
