import warnings

import pytest

from bridge._config import Config, Profile
from bridge._core.errors import ConfigError, InvalidInputError

pytestmark = pytest.mark.unit

APP = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c"


@pytest.fixture
def cfg_path(tmp_path, monkeypatch):
    for name in ("SAM_BRIDGE_STORE", "SAM_BRIDGE_AUTHORITY_HOST", "SAM_BRIDGE_CA_BUNDLE", "SAM_BRIDGE_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.toml"
    monkeypatch.setenv("SAM_BRIDGE_CONFIG", str(path))
    return path


def _save(path, **values):
    config = Config.load(path)
    config.set_profile(Profile(name="contoso", app_id=APP, tenant="contoso.onmicrosoft.com", **values))
    config.save()
    return config


def test_round_trip_and_mode(cfg_path):
    _save(cfg_path, store="memory", scopes=("https://graph.microsoft.com/.default",))
    profile = Config.load().profile("contoso")
    assert profile.store == "memory" and profile.scopes == ("https://graph.microsoft.com/.default",)
    assert oct(cfg_path.stat().st_mode & 0o777) == "0o600"
    assert Config.load().default_profile == "contoso"


def test_precedence_argument_environment_file_default(cfg_path, monkeypatch):
    _save(cfg_path, store="memory:file")
    config = Config.load()
    assert config.profile("contoso").authority_host == "https://login.microsoftonline.com"  # default
    assert config.profile("contoso").store == "memory:file"  # file
    monkeypatch.setenv("SAM_BRIDGE_STORE", "memory:env")
    assert config.profile("contoso").store == "memory:env"  # environment beats file
    assert config.profile("contoso", store="memory:arg").store == "memory:arg"  # argument beats all


def test_profile_name_resolution(cfg_path, monkeypatch):
    with pytest.raises(ConfigError, match="no profile is configured"):
        Config.load().profile()
    _save(cfg_path)
    assert Config.load().profile().name == "contoso"
    monkeypatch.setenv("SAM_BRIDGE_PROFILE", "other")
    with pytest.raises(ConfigError, match="'other' is not in"):
        Config.load().profile()


def test_corrupt_file_is_refused_and_left_alone(cfg_path):
    cfg_path.write_text("[profiles.contoso\napp_id = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Config.load()
    assert cfg_path.read_text() == "[profiles.contoso\napp_id = "


def test_invalid_values_in_file_name_the_file(cfg_path):
    cfg_path.write_text(f'[profiles.contoso]\napp_id = "{APP}"\ntenant = "contoso.onmicrosoft.com"\nstore = "s3:bucket"\n')
    with pytest.raises(ConfigError, match="store URI 's3:bucket' is not known"):
        Config.load().profile("contoso")
    cfg_path.write_text(f'[profiles.contoso]\napp_id = "{APP}"\ntenant = "contoso.onmicrosoft.com"\nredirect_port = "80"\n')
    with pytest.raises(ConfigError, match="redirect port"):
        Config.load().profile("contoso")


def test_unknown_keys_warn(cfg_path):
    cfg_path.write_text(f'colour = "blue"\n[profiles.contoso]\napp_id = "{APP}"\ntenant = "contoso.onmicrosoft.com"\nfoo = 1\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Config.load().profile("contoso")
    messages = " ".join(str(w.message) for w in caught)
    assert "'colour'" in messages and "'foo'" in messages


def test_profile_validates_and_never_holds_secrets():
    with pytest.raises(InvalidInputError, match="credential"):
        Profile(name="x", app_id=APP, tenant="contoso.onmicrosoft.com", credential="password")
    p = Profile(name="x", app_id=APP, tenant="contoso.onmicrosoft.com", credential="secret")
    assert set(p.to_file_dict()) <= {"app_id", "tenant", "credential", "authority_host", "store", "scopes"}
