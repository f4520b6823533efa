"""End to end: a document that contradicts the seed corpus produces the corresponding findings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import run_cli

CONFLICT = Path(__file__).parent / "fixtures" / "conflicts" / "bao-cao-lai-chau.txt"


def _findings(store: Path, tmp_path: Path) -> list[dict]:
    out = tmp_path / "report.json"
    result = run_cli("check", "--format", "json", "-o", str(out), "--no-shacl", "--no-save", store=store)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(out.read_text(encoding="utf-8"))["findings"]


def test_conflicting_document_produces_date_and_target_findings(loaded_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(loaded_store, store)
    before = _findings(store, tmp_path)
    assert not [f for f in before if f["check"] == "conflicting-dates"]

    loaded = run_cli("load", "--no-reference", str(CONFLICT), store=store)
    assert loaded.returncode == 0, loaded.stderr
    after = _findings(store, tmp_path)

    dates = [f for f in after if f["check"] == "conflicting-dates"]
    assert len(dates) == 1 and dates[0]["severity"] == "error"
    assert "2024-11-29" in dates[0]["message_en"] and "2024-12-02" in dates[0]["message_en"]
    assert dates[0]["evidence"], "the finding quotes the sentences that give each date"

    conflicts = [f for f in after if f["check"] == "target-conflicts" and f["severity"] == "warning"]
    assert any("12–13" in f["message_en"] and "9–11" in f["message_en"] for f in conflicts)
