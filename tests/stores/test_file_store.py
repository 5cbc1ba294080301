"""The `file:` store beyond the contract: crash safety, permissions, the plaintext warning, corruption."""
from __future__ import annotations

import json
import os
import random
import signal
import stat
import time
from pathlib import Path

import pytest

from bridge._core.errors import StoreError, StoreUnavailableError
from bridge._stores.file import FileStore
from bridge._core.validate import SamBridgeWarning
from tests.stores import _workers
from tests.stores.conftest import run_worker


def _temp_files(path: Path) -> list[str]:
    return sorted(n for n in os.listdir(path.parent) if n.startswith("." + path.name + ".") and n.endswith(".tmp"))


@pytest.mark.slow
def test_a_killed_writer_never_leaves_a_corrupt_file(tmp_path: Path) -> None:
    """SIGKILL a writer of 200 KB records at random moments: the file always parses and holds a whole record."""
    path = tmp_path / "store.json"
    rng = random.Random(4)
    kills = 0
    for _ in range(12):
        worker = run_worker("put-loop", "--path", str(path))
        assert worker.stdout is not None and worker.stdout.readline().strip() == "started"
        time.sleep(rng.uniform(0.02, 0.25))
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
        kills += 1
        if not path.exists():
            continue
        record = FileStore(str(path)).get(_workers.ENTRY)  # raises StoreError if torn
        assert record is not None
        i = int(record.metadata["issued_at"])
        assert record.value == f"value-{i}-" + "V" * 200_000 and record.metadata["generation"] == i
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.exists(), "no write completed in any run; the test proved nothing"
    # A killed writer may leave its temp file (plaintext secrets): the next write removes it.
    FileStore(str(path)).put("contoso/other", "x")
    assert _temp_files(path) == []
    assert kills == 12


def test_orphaned_temp_files_are_removed_but_not_other_stores_files(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    orphan = tmp_path / ".store.json.abcd1234.tmp"
    orphan.write_text("{half a record")
    neighbour = tmp_path / ".store.json.x.abcd1234.tmp"  # belongs to a store named store.json.x
    neighbour.write_text("{}")
    FileStore(str(path)).put("contoso/refresh-token", "rt")
    assert not orphan.exists() and neighbour.exists()


def test_new_file_and_directory_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "store.json"
    FileStore(str(path)).put("contoso/refresh-token", "rt")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0


def test_check_warns_that_the_file_is_plaintext(tmp_path: Path) -> None:
    store = FileStore(str(tmp_path / "plain.json"))
    with pytest.warns(SamBridgeWarning, match="plaintext"):
        store.check()


def test_check_refuses_a_file_others_can_read(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    path = tmp_path / "store.json"
    store = FileStore(str(path))
    store.put("contoso/refresh-token", "rt")
    path.chmod(0o644)
    with pytest.raises(StoreUnavailableError, match="chmod 600"):
        store.check()


def test_check_refuses_an_unwritable_location(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")  # a file where the store's directory should be (root may write anywhere else)
    with pytest.raises(StoreUnavailableError, match="cannot be created"):
        FileStore(str(blocker / "sub" / "store.json")).check()


def test_a_corrupt_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text('{"version": 1, "entries": {"contoso/refresh-token": {"value": 42}}}')
    path.chmod(0o600)
    before = path.read_bytes()
    store = FileStore(str(path))
    with pytest.raises(StoreError, match="corrupt"):
        store.get("contoso/refresh-token")
    with pytest.raises(StoreError, match="corrupt"):
        store.put("contoso/refresh-token", "new")
    assert path.read_bytes() == before


def test_the_format_is_documented_json(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    FileStore(str(path)).put("contoso/refresh-token", "rt", {"scopes": ["a"], "mfa": True})
    data = json.loads(path.read_text())
    assert data == {"version": 1, "entries": {"contoso/refresh-token": {"value": "rt", "metadata": {"scopes": ["a"], "mfa": True}}}}
