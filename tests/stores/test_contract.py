"""The store contract: every backend passes the same tests (keyring's `keyring/testing/backend.py` idea).

Parametrised over memory, file, keyring (a real Secret Service) and Key Vault (the SDK against the
emulator over HTTPS); see conftest.py.
"""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from bridge._core.errors import InvalidInputError
from bridge._core.scrub import fingerprint
from tests.stores import _workers
from tests.stores.conftest import StoreCase, finish, run_worker

WORKERS, ROTATIONS = 8, 25

EVERY_TYPE: dict[str, Any] = {
    "text": "contoso admin",
    "empty": "",
    "unicode": "Zoë Ångström ✓ 日本 🔑",
    "zero": 0,
    "negative": -7,
    "big": 2**53 + 1,
    "ratio": 1.25,
    "yes": True,
    "no": False,
    "nothing": None,
    "scopes": ["https://api.partnercenter.microsoft.com/user_impersonation", "offline_access"],
    "amr": ["pwd", "mfa"],
    "none_yet": [],
    "generation": 42,
    "issued_at": "2025-01-02T03:04:05.678901Z",
}


def _assert_same(got: Any, expected: Any) -> None:
    """Equal and of the same types all the way down (True must not come back as 1, nor 1 as 1.0)."""
    assert got == expected
    assert type(got) is type(expected), (got, expected)
    if isinstance(expected, dict):
        for key in expected:
            _assert_same(got[key], expected[key])
    if isinstance(expected, list):
        for a, b in zip(got, expected):
            _assert_same(a, b)


class TestStoreContract:
    def test_check_passes(self, store_case: StoreCase, recwarn: pytest.WarningsRecorder) -> None:
        store_case.open().check()

    def test_round_trip(self, store_case: StoreCase) -> None:
        store = store_case.open()
        store.put("contoso/refresh-token", "0.AXrefresh", {"user": "admin@contoso.com"})
        got = store.get("contoso/refresh-token")
        assert got is not None and got.value == "0.AXrefresh"
        _assert_same(dict(got.metadata), {"user": "admin@contoso.com"})
        # A second handle (another run of the tool) sees the same entry, except in memory's own process.
        again = store_case.open().get("contoso/refresh-token")
        assert again is not None and again.value == "0.AXrefresh"

    def test_unicode_value(self, store_case: StoreCase) -> None:
        store = store_case.open()
        value = "pässwörd ключ 🔑 日本語 \u202eRTL\u202c e\u0301 \t tab \n newline \\ \" '"
        store.put("contoso/client-secret", value)
        got = store.get("contoso/client-secret")
        assert got is not None and got.value == value

    def test_large_value(self, store_case: StoreCase) -> None:
        store = store_case.open()
        unit = "0.AXkAeyJ0eXAi-ключ-🔑-"
        value = ""
        while len((value + unit).encode("utf-8")) <= 16 * 1024:
            value += unit
        value += "x" * (16 * 1024 - len(value.encode("utf-8")))
        assert len(value.encode("utf-8")) == 16 * 1024
        store.put("contoso/client-certificate", value, {"kind": "client-certificate"})
        got = store.get("contoso/client-certificate")
        assert got is not None and got.value == value

    def test_metadata_of_every_type_round_trips(self, store_case: StoreCase) -> None:
        store = store_case.open()
        store.put("contoso/refresh-token", "rt", EVERY_TYPE)
        got = store.get("contoso/refresh-token")
        assert got is not None
        _assert_same(dict(got.metadata), EVERY_TYPE)

    def test_tuples_come_back_as_lists(self, store_case: StoreCase) -> None:
        store = store_case.open()
        store.put("contoso/refresh-token", "rt", {"scopes": ("a", "b")})
        got = store.get("contoso/refresh-token")
        assert got is not None
        _assert_same(dict(got.metadata), {"scopes": ["a", "b"]})

    def test_overwrite_replaces_value_and_metadata(self, store_case: StoreCase) -> None:
        store = store_case.open()
        store.put("contoso/refresh-token", "first", {"generation": 1, "only_in_first": "x"})
        store.put("contoso/refresh-token", "second", {"generation": 2})
        got = store.get("contoso/refresh-token")
        assert got is not None and got.value == "second"
        _assert_same(dict(got.metadata), {"generation": 2})

    def test_missing_entry(self, store_case: StoreCase) -> None:
        store = store_case.open()
        assert store.get("nobody/refresh-token") is None
        assert store.delete("nobody/refresh-token") is False

    def test_delete(self, store_case: StoreCase) -> None:
        store = store_case.open()
        store.put("contoso/refresh-token", "rt")
        store.put("contoso/client-secret", "secret")
        assert store.delete("contoso/refresh-token") is True
        assert store.get("contoso/refresh-token") is None
        assert store.delete("contoso/refresh-token") is False
        assert store.list() == ["contoso/client-secret"]
        # The name is free again after a delete (Key Vault: soft-deleted names are recovered or purged).
        store.put("contoso/refresh-token", "again")
        got = store.get("contoso/refresh-token")
        assert got is not None and got.value == "again"

    def test_list(self, store_case: StoreCase) -> None:
        store = store_case.open()
        names = ["contoso/refresh-token", "contoso/client-secret", "Fabrikam.EU/refresh-token", "a_b-c/access-tokens"]
        for i, name in enumerate(names):
            store.put(name, f"value-{i}")
        assert store.list() == sorted(names)
        for i, name in enumerate(names):
            got = store.get(name)
            assert got is not None and got.value == f"value-{i}"

    @pytest.mark.parametrize(
        "name, value, metadata",
        [
            ("../etc/passwd", "v", None),
            ("contoso/refresh-token#0", "v", None),
            ("__index__", "v", None),
            ("", "v", None),
            ("contoso/refresh-token", b"bytes", None),
            ("contoso/refresh-token", "v", {"nested": {"a": 1}}),
            ("contoso/refresh-token", "v", {"when": object()}),
            ("contoso/refresh-token", "v", {"nan": float("nan")}),
            ("contoso/refresh-token", "v", {"mixed": ["a", 1]}),
        ],
    )
    def test_invalid_input_is_refused_before_anything_is_written(
        self, store_case: StoreCase, name: Any, value: Any, metadata: Any
    ) -> None:
        store = store_case.open()
        with pytest.raises(InvalidInputError):
            store.put(name, value, metadata)
        assert store.list() == []

    def test_secret_never_in_repr(self, store_case: StoreCase) -> None:
        store = store_case.open()
        store.put("contoso/refresh-token", "0.AXsentinel-value")
        got = store.get("contoso/refresh-token")
        assert "sentinel" not in repr(got) and "sentinel" not in str(got) and "sentinel" not in repr(store)

    @pytest.mark.slow
    def test_concurrent_writers_keep_the_newest_record(self, store_case: StoreCase, capsys: pytest.CaptureFixture[str]) -> None:
        """8 writers x 25 rotations through write_refresh_token: the newest issued_at wins, nothing is lost."""
        base = time.time() - 86400
        started = time.monotonic()
        if store_case.kind == "memory":  # one process's memory: writers are threads
            reports = _threaded_writers(store_case, base)
        else:
            processes = [
                run_worker("write-rt", "--uri", store_case.uri, "--context", _context(store_case),
                           "--worker", str(w), "--workers", str(WORKERS), "--count", str(ROTATIONS), "--base", str(base))
                for w in range(WORKERS)
            ]
            reports = [finish(p) for p in processes]
        elapsed = time.monotonic() - started
        written = sum(r["written"] for r in reports)

        store = store_case.open()
        final = store.get(_workers.ENTRY)
        assert final is not None
        newest = _workers.token_for(WORKERS - 1, ROTATIONS - 1)
        assert final.value == newest
        meta = dict(final.metadata)
        assert meta["issued_at"] == _workers.issued_at(base, WORKERS - 1, WORKERS, ROTATIONS - 1)
        assert (meta["worker"], meta["iteration"]) == (WORKERS - 1, ROTATIONS - 1)
        assert meta["fingerprint"] == fingerprint(newest)
        # Every accepted write was generation+1 of the record it replaced, under the lock: no lost update.
        assert meta["generation"] == written
        assert meta["scopes"] == ["https://graph.microsoft.com/.default"] and meta["mfa"] is True
        assert store.list() == [_workers.ENTRY]
        with capsys.disabled():
            print(f"\n[{store_case.kind}] {WORKERS} writers x {ROTATIONS} rotations: {written} written, "
                  f"{WORKERS * ROTATIONS - written} refused as older, final generation {meta['generation']}, {elapsed:.1f} s")


def _context(case: StoreCase) -> str:
    import json

    return json.dumps(case.context)


def _threaded_writers(case: StoreCase, base: float) -> list[dict[str, Any]]:
    import argparse

    reports: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            args = argparse.Namespace(uri=case.uri, context=_context(case), worker=worker, workers=WORKERS,
                                      count=ROTATIONS, base=base)
            reports.append(_workers.write_rt(args))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return reports
