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
