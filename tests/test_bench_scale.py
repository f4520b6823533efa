"""The national-scale benchmark harness at a smoke size: every step runs and the table is printed."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_harness_prints_the_table_at_a_smoke_size(tmp_path):
    rows = tmp_path / "rows.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_scale.py"), "--sizes", "10k", "--no-shacl",
         "--workdir", str(tmp_path / "work"), "--json", str(rows)],
        capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert lines[0].startswith("| quads | MB | generate | bulk_load (raw) | import | ratio |")
    assert len(lines) == 3  # header, rule, one size
    row = json.loads(rows.read_text())["rows"][0]
    assert row["quads"] >= 10_000 and row["findings"] > 0
    assert row["failures"] == {}
    split = row["one document (split)"]
    assert split["triples"] > 0 and all(split[k] > 0 for k in ("extract", "write", "reason", "shacl"))
    rules = row["reason (full) rules"]  # the per-rule lines of `quyhoach reason`, kept
    assert rules["local-types"]["statements"] > 0 and rules["local-types"]["runs"] >= 1
    assert "cross-source (changed keys)" in split["rules"]
    for step in ("generate", "bulk_load (raw)", "import", "reason (full)", "reason (one document)", "check", "stats", "export"):
        assert row[step] > 0, step
    assert not list((tmp_path / "work").glob("store-*"))  # big temp files are deleted
