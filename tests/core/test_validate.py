import warnings

import pytest

from bridge._core import validate as v
from bridge._core.errors import InvalidInputError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("value", ["4DADF9EC-D547-4AD3-B14E-BDF2CD3D746C", " 4dadf9ec-d547-4ad3-b14e-bdf2cd3d746c "])
def test_guid_normalises(value):
    assert v.guid(value) == "4dadf9ec-d547-4ad3-b14e-bdf2cd3d746c"


@pytest.mark.parametrize("value, fragment", [
    ("", "empty"), ("nope", "not a GUID"), (42, "must be text"), ("4dadf9ec-d547-4ad3-b14e-bdf2cd3d746", "not a GUID"),
    ("4dadf9ec-d547-4ad3-b14e-bdf2cd3d746c\n", None),
])
def test_guid_refuses(value, fragment):
    if fragment is None:
        assert v.guid(value)  # trailing newline from a pasted value is stripped
        return
    with pytest.raises(InvalidInputError, match=fragment):
        v.guid(value)


@pytest.mark.parametrize("value, expected", [
    ("Contoso.OnMicrosoft.com", "contoso.onmicrosoft.com"),
    ("e23d8f63-ec6a-479d-9663-5c7b8cc9a7e7", "e23d8f63-ec6a-479d-9663-5c7b8cc9a7e7"),
])
def test_tenant_accepts(value, expected):
    assert v.tenant(value) == expected


@pytest.mark.parametrize("value", ["contoso", "-bad.com", "a b.com", "contoso.onmicrosoft.com/x", "organizations", "x" * 300 + ".com"])
def test_tenant_refuses(value):
    with pytest.raises(InvalidInputError, match="tenant"):
        v.tenant(value)


def test_tenant_alias_only_when_allowed():
    assert v.tenant("Organizations", allow_alias=True) == "organizations"


def test_double_slash_scope_is_fixed_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert v.scopes(["https://management.azure.com//user_impersonation"]) == (
            "https://management.azure.com/user_impersonation",
        )
    assert any("double slash" in str(w.message) for w in caught)


def test_reserved_scopes_are_dropped_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert v.scopes(["offline_access", "User.Read"]) == ("User.Read",)
    assert caught


@pytest.mark.parametrize("scopes, fragment", [
    ([], "no scope"),
    (["https://graph.microsoft.com/.default", "https://management.azure.com/.default"], "more than one resource"),
    (["http://graph.microsoft.com/.default"], "not of the form"),
    (["https://graph.microsoft.com"], "not of the form"),
    (["not a scope"], "whitespace"),
    (["bogus"], "not a scope"),
    ("", "no scope"),
    ([None], "must be text"),
])
def test_scopes_refuses(scopes, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        v.scopes(scopes)


def test_graph_short_names_and_full_form_are_one_resource():
    assert v.scopes(["User.Read", "https://graph.microsoft.com/Directory.Read.All"]) == (
        "User.Read", "https://graph.microsoft.com/Directory.Read.All")


@pytest.mark.parametrize("url, expected", [
    ("https://login.microsoftonline.com/", "https://login.microsoftonline.com"),
    ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
])
def test_service_url_accepts(url, expected):
    assert v.service_url(url) == expected


@pytest.mark.parametrize("url", [
    "http://login.microsoftonline.com", "https://login.microsoftonline.com/tenant", "https://u:p@host",
    "https://host?x=1", "ftp://host", "https://host:99999", "login.microsoftonline.com",
])
def test_service_url_refuses(url):
    with pytest.raises(InvalidInputError):
        v.service_url(url)


def test_plain_http_only_to_loopback_in_test_mode(monkeypatch):
    with pytest.raises(InvalidInputError, match="plain http"):
        v.service_url("http://127.0.0.1:8080")
    monkeypatch.setenv("SAM_BRIDGE_ALLOW_HTTP_LOOPBACK", "1")
    assert v.service_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    with pytest.raises(InvalidInputError, match="plain http"):
        v.service_url("http://example.com")
