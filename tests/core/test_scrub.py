import logging
from collections import OrderedDict

import pytest

from bridge._core import scrub as s

pytestmark = pytest.mark.unit


def test_scrub_masks_secret_fields_deeply():
    data = {"access_token": "abc", "nested": [{"refresh_token": "def", "scope": "x"}], "code": "short", "value": "v" * 40}
    out = s.scrub(data)
    assert out["access_token"] == s.MASK and out["nested"][0]["refresh_token"] == s.MASK
    assert out["nested"][0]["scope"] == "x" and out["code"] == "short" and out["value"] == s.MASK


def test_remembered_values_and_shapes_are_masked_in_text():
    s.remember("0.AXsentinel-refresh-token-value")
    text = s.scrub_text("got 0.AXsentinel-refresh-token-value and Bearer abcdefghijkl and client_secret=hunter2hunter2&x=1")
    assert "sentinel" not in text and "abcdefghijkl" not in text and "hunter2" not in text and "x=1" in text


def test_remembered_secrets_are_bounded_and_the_newest_kept(monkeypatch):
    monkeypatch.setattr(s, "MAX_REMEMBERED", 3)
    # A registry of its own: what the process remembered so far comes back after the test.
    monkeypatch.setattr(s, "_known_secrets", OrderedDict())
    monkeypatch.setattr(s, "_known_by_length", None)
    for n in range(5):
        s.remember(f"bounded-secret-{n}")
    assert s.scrub_text("bounded-secret-0") == "bounded-secret-0"  # forgotten: the oldest go first
    text = s.scrub_text("bounded-secret-2 bounded-secret-3 bounded-secret-4")
    assert "bounded" not in text
    s.remember("bounded-secret-2")  # seen again: now the newest, so it outlives 3
    s.remember("bounded-secret-5")
    assert "bounded" not in s.scrub_text("bounded-secret-2") and s.scrub_text("bounded-secret-3") == "bounded-secret-3"
    # The longer of two overlapping secrets is masked whole.
    s.remember("bounded-secret-5-and-more")
    assert s.scrub_text("bounded-secret-5-and-more") == s.MASK


def test_logging_filter_scrubs_rendered_messages(caplog):
    s.remember("sentinel-secret-for-logging")
    logger = logging.getLogger("bridge.test")
    handler = logging.Handler()
    records = []
    handler.emit = records.append
    handler.addFilter(s.ScrubbingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("token %s", "sentinel-secret-for-logging")
    finally:
        logger.removeHandler(handler)
    assert records and "sentinel" not in records[0].getMessage()


def test_fingerprint_is_stable_and_short():
    assert s.fingerprint("abc") == s.fingerprint("abc") and len(s.fingerprint("abc")) == 12
