import logging

from bridge import _scrub as s


def test_scrub_masks_secret_fields_deeply():
    data = {"access_token": "abc", "nested": [{"refresh_token": "def", "scope": "x"}], "code": "short", "value": "v" * 40}
    out = s.scrub(data)
    assert out["access_token"] == s.MASK and out["nested"][0]["refresh_token"] == s.MASK
    assert out["nested"][0]["scope"] == "x" and out["code"] == "short" and out["value"] == s.MASK


def test_remembered_values_and_shapes_are_masked_in_text():
    s.remember("0.AXsentinel-refresh-token-value")
    text = s.scrub_text("got 0.AXsentinel-refresh-token-value and Bearer abcdefghijkl and client_secret=hunter2hunter2&x=1")
    assert "sentinel" not in text and "abcdefghijkl" not in text and "hunter2" not in text and "x=1" in text


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
