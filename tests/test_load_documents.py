"""Loading documents through the CLI and the loading module: bad files, idempotence, no half loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from quyhoach.graph.store import KnowledgeStore
from quyhoach.loading import LoadReport, bundled_corpus, load_documents
from tests.conftest import run_cli

GOOD = bundled_corpus() / "2024-11_bnews_lang-son-qd-1371-uu-tien-dau-tu.txt"


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a_good.txt")
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "d_good.txt").write_text(
        "Thủ tướng Chính phủ ban hành Quyết định số 245/QĐ-TTg ngày 05/03/2024 phê duyệt "
        "Quy hoạch tỉnh Hà Tĩnh thời kỳ 2021 - 2030, tầm nhìn đến năm 2050.\n",
        encoding="utf-8",
    )
    return folder


def _source_graphs(store: Path) -> dict[str, int]:
    stats = json.loads(run_cli("stats", "--json", store=store).stdout)
    return {g: n for g, n in stats["graphs"].items() if "/graph/source/" in g}


def test_folder_with_bad_files_loads_the_good_ones(mixed_folder, store_path):
    result = run_cli("load", str(mixed_folder), store=store_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any("b_empty.txt" in e for e in errors) and any("c_binary.txt" in e for e in errors)
    assert "Traceback" not in result.stderr
    assert len(_source_graphs(store_path)) == 2


def test_strict_stops_at_first_failure(mixed_folder, store_path):
    result = run_cli("load", "--strict", str(mixed_folder), store=store_path)
    assert result.returncode == 1
    # files load in name order: a_good loads, b_empty fails and stops the run
    assert len(_source_graphs(store_path)) == 1


def test_same_file_twice_is_idempotent(tmp_path, store_path):
    first = run_cli("load", str(GOOD), store=store_path)
    assert first.returncode == 0, first.stderr
    graphs = _source_graphs(store_path)
    second = run_cli("load", str(GOOD), str(GOOD), store=store_path)
    assert second.returncode == 0, second.stderr
    assert _source_graphs(store_path) == graphs


def test_extractor_failing_midway_loads_nothing_from_that_document(mixed_folder, store_path, monkeypatch):
    from quyhoach.loaders.extract import targets

    def boom(doc, emitter, ctx):
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(targets, "extract", boom)
    (mixed_folder / "b_empty.txt").unlink()
    (mixed_folder / "c_binary.txt").unlink()
    with KnowledgeStore(store_path) as store:
        report = LoadReport()
        load_documents(store, [mixed_folder], report)
        assert len(report.failures) == 2
        assert all("extractor bug" in f.reason for f in report.failures)
        assert not [g for g in store.named_graphs() if "/graph/source/" in g]
