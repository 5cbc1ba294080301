"""load_profile remembers a loaded profile for a long-lived host (the in-process transport): every
change that would change the answer must still be seen, and the warnings a load gives given again."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from bridge import _api
from bridge._config import Config, Profile
from bridge._core.errors import ConfigError

pytestmark = pytest.mark.unit

APP = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("SAM_BRIDGE_PROFILE", "SAM_BRIDGE_AUTHORITY_HOST", "SAM_BRIDGE_STORE", "SAM_BRIDGE_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.toml"
    cfg = Config.load(path)
    cfg.set_profile(Profile(name="contoso", app_id=APP, tenant="contoso.onmicrosoft.com", store="memory"))
    cfg.save()
    return path


def test_the_same_file_gives_the_same_profile_object(config):
    assert _api.load_profile("contoso", config=config) is _api.load_profile("contoso", config=config)


def test_an_edit_of_the_same_size_is_seen_at_once(config):
    first = _api.load_profile("contoso", config=config)
    text = config.read_text()
    edited = text.replace("contoso.onmicrosoft.com", "contoza.onmicrosoft.com")
    assert len(edited) == len(text)
    config.write_text(edited)  # the same size, probably the same mtime: the bytes tell
    assert _api.load_profile("contoso", config=config).tenant == "contoza.onmicrosoft.com"
    assert first.tenant == "contoso.onmicrosoft.com"


def test_environment_overrides_and_the_default_profile_are_seen(config, monkeypatch):
    assert _api.load_profile(config=config).authority_host == "https://login.microsoftonline.com"
    monkeypatch.setenv("SAM_BRIDGE_AUTHORITY_HOST", "https://login.microsoftonline.us")
    assert _api.load_profile(config=config).authority_host == "https://login.microsoftonline.us"
    monkeypatch.setenv("SAM_BRIDGE_PROFILE", "nope")
    with pytest.raises(ConfigError, match="profile 'nope' is not in"):
        _api.load_profile(config=config)


def test_errors_are_not_remembered(config):
    with pytest.raises(ConfigError):
        _api.load_profile("missing", config=config)
    cfg = Config.load(config)
    cfg.set_profile(Profile(name="missing", app_id=APP, tenant="contoso.onmicrosoft.com", store="memory"))
    cfg.save()
    assert _api.load_profile("missing", config=config).name == "missing"


def test_the_warnings_of_a_load_are_given_every_time(config):
    config.write_text(config.read_text() + "\n[extras]\nthing = 1\n")
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _api.load_profile("contoso", config=config)
        assert [str(w.message) for w in caught] == [f"{config}: unknown setting 'extras' ignored"]


def test_a_ca_bundle_that_is_gone_is_not_taken_from_memory(config, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    cfg = Config.load(config)
    cfg.set_profile(Profile(name="contoso", app_id=APP, tenant="contoso.onmicrosoft.com", store="memory", ca_bundle=str(bundle)))
    cfg.save()
    assert _api.load_profile("contoso", config=config).ca_bundle == str(bundle)
    bundle.unlink()
    with pytest.raises(ConfigError, match="does not exist"):
        _api.load_profile("contoso", config=config)
