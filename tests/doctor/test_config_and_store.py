"""doctor on a broken config (missing, corrupt, invalid, unknown profile) and an unusable store."""
from __future__ import annotations

from pathlib import Path

import pytest

from bridge._api import store_client_secret
from tests.doctor.conftest import cli_json, diagnose, statuses

LATER_CHECKS = ["store", "authority", "clock", "app_kind", "loopback_port", "refresh_token", "mfa"]


def test_no_config_file(emulator, isolated_env):
    """A machine where `profile add` never ran: the CLI says so, names the fix, exits 1."""
    config = Path(isolated_env["SAM_BRIDGE_CONFIG"])
    assert not config.exists()
    code, data, _ = cli_json(isolated_env, "--profile", "contoso")
    assert code == 1
    assert [d["check"] for d in data] == ["config"] + LATER_CHECKS  # every check still reported
    config_finding = data[0]
    assert config_finding["status"] == "fail" and "'contoso' is not in" in config_finding["detail"]
    assert "Create the profile: `sam-bridge profile add contoso --app-id ID --tenant TENANT`" in config_finding["fix"]
    assert all(d["status"] == "skip" and d["fix"] == "Fix the config first." for d in data[1:])


@pytest.mark.parametrize("content, fragment, fix", [
    ("[profiles.contoso\napp_id = ", "is not valid TOML", "Repair {path} by hand"),
    ('[profiles.contoso]\napp_id = "not-a-guid"\ntenant = "contoso.onmicrosoft.com"\n', "application id",
     "Correct the profile's settings in {path}"),
    ('[profiles.contoso]\ntenant = "contoso.onmicrosoft.com"\n', "lacks required setting(s): app_id",
     "Correct the profile's settings in {path}"),
    ('[profiles.fabrikam]\napp_id = "00000000-0000-0000-0000-000000000001"\ntenant = "x.onmicrosoft.com"\n',
     "profile 'contoso' is not in", "Create the profile: `sam-bridge profile add contoso"),
], ids=["corrupt-toml", "invalid-app-id", "missing-app-id", "unknown-profile"])
def test_broken_config(emulator_profile, content, fragment, fix):
    emulator_profile.config_path.write_text(content, encoding="utf-8")
    findings = diagnose(emulator_profile)
    assert list(findings) == ["config"] + LATER_CHECKS
    config = findings["config"]
    assert config.status == "fail" and fragment in config.detail, config
    assert fix.format(path=emulator_profile.config_path) in config.fix, config.fix
    assert {statuses(findings)[c] for c in LATER_CHECKS} == {"skip"}
    if "unknown" in fragment or "is not in" in fragment:
        assert "choose one of: fabrikam" in config.fix  # the profiles that do exist


def test_file_store_readable_by_others(consented_profile):
    """A store file left at 0644 (e.g. copied with cp): refused, and the fix is the chmod."""
    store_file = Path(consented_profile.profile.store.split(":", 1)[1])
    store_file.chmod(0o644)
    findings = diagnose(consented_profile)
    assert findings["store"].status == "fail"
    assert "readable by other users (mode 644)" in findings["store"].detail
    assert f"chmod 600 {store_file}" in findings["store"].detail + findings["store"].fix
    # Checks that need no store still run; those that read it are skipped, saying why.
    emulator = consented_profile.emulator
    assert statuses(findings) == {
        "config": "ok", "store": "fail", "authority": "ok", "clock": "ok", "app_kind": "ok",
        "loopback_port": "ok", "refresh_token": "skip", "mfa": "skip",
        f"customer:{emulator.ids.fabrikam}": "skip", f"customer:{emulator.ids.northwind}": "skip",
    }
    assert findings["refresh_token"].fix == "Fix the store first."


def test_file_store_that_is_not_json(emulator_profile):
    store_file = Path(emulator_profile.profile.store.split(":", 1)[1])
    store_file.write_text("{ this is not the store", encoding="utf-8")
    store_file.chmod(0o600)
    findings = diagnose(emulator_profile)
    assert findings["store"].status == "fail" and str(store_file) in findings["store"].detail


def test_confidential_profile_with_an_unusable_store_is_not_misjudged(emulator_profile):
    """The secret lives in the store: with the store broken the app kind cannot be probed. Probing
    without the secret would get AADSTS7000218 and wrongly blame the app registration."""
    emulator = emulator_profile.emulator
    handle = emulator_profile.with_profile(app_id=emulator.ids.secret_app, credential="secret")
    store_client_secret(handle.profile, emulator.ids.client_secret)
    Path(handle.profile.store.split(":", 1)[1]).chmod(0o644)
    findings = diagnose(handle)
    assert findings["store"].status == "fail"
    assert findings["app_kind"].status == "skip" and "store holding the credential" in findings["app_kind"].detail


def test_keyring_without_a_backend(emulator_profile):
    """The default store on a server with no Secret Service and no keychain: keyring's fail backend."""
    handle = emulator_profile.with_profile(store="keyring")
    code, data, _ = cli_json(handle.env, "--profile", "contoso",
                             extra_env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert code == 1
    store = next(d for d in data if d["check"] == "store")
    # On Linux the missing Secret Service is named, whichever backend keyring fell back to.
    assert store["status"] == "fail" and "no Secret Service is available" in store["detail"]
    assert "file:" in store["detail"] + store["fix"]  # an alternative the user can pick right away
    assert {d["check"]: d["status"] for d in data}["refresh_token"] == "skip"
