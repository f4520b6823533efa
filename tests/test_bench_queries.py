"""The named-query benchmark in one process: every check timed on the seed store, an earlier library compared."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from quyhoach.graph import checks
from tests.conftest import REPO


def _bench(store, out, *extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_queries.py"), "--store", str(store), "--in-process",
         "--checks", "--today", "2026-12-01", "--json", str(out), *extra],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| **all** |" in result.stdout
    return {row["query"]: row for row in json.loads(out.read_text())["rows"]}


def test_in_process_times_every_check(loaded_store, tmp_path):
    rows = _bench(loaded_store, tmp_path / "rows.json")
    assert set(rows) == {q.name for q in checks.check_queries()}
    assert all(row["check"] and row["cpu"] >= 0 for row in rows.values())
    assert sum(row["rows"] for row in rows.values()) > 0


def test_another_library_folder_is_read(loaded_store, tmp_path):
    folder = tmp_path / "queries"
    folder.mkdir()
    shutil.copy(REPO / "queries" / "tasks-without-lead.rq", folder)
    rows = _bench(loaded_store, tmp_path / "rows.json", "--queries", str(folder))
    assert list(rows) == ["tasks-without-lead"]
    assert rows["tasks-without-lead"]["rows"] == _bench(loaded_store, tmp_path / "all.json")["tasks-without-lead"]["rows"]
