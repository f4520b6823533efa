"""Held-out groups: real pages of the development corpus labelled before the extractors ran on them.

Each folder ``tests/gold/heldout-<x>/`` with a ``floors.yaml`` is one group: pages drawn by
``tests/gold/draw.py`` (its ``strata.yaml``), one gold file per labelled category, and the floors
(page count, minimum recall per category, minimum overall precision and recall). The pages are
extracted into an in-memory store, as ``quyhoach eval`` scores them, and the figures must stay at
or above the floors, so that a regression on unseen text fails the suite. Improvements raise the
figures; raise the floors with them (docs/extraction.md records each measurement).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quyhoach.loaders.documents.structure import is_furniture_text
from quyhoach.loaders.evaluate import corpus_store, evaluate, format_errors
from tests.test_corpus_dev import LABELS, LAYOUT_WORDS

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "fixtures" / "corpus-dev"
GROUPS = sorted(path.parent.name for path in (ROOT / "gold").glob("heldout-*/floors.yaml"))


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _floors(group: str) -> dict:
    return _yaml(ROOT / "gold" / group / "floors.yaml")


def _pages(group: str) -> list[str]:
    return sorted(_yaml(ROOT / "gold" / group / "subjects.yaml"))


def _gold_files(group: str) -> list[Path]:
    return sorted(path for path in (ROOT / "gold" / group).glob("*.yaml") if path.stem not in ("floors", "strata"))


@pytest.fixture(scope="module", params=GROUPS)
def group(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def store(group):
    return corpus_store([str(CORPUS / name) for name in _pages(group)])


@pytest.fixture(scope="module")
def scores(group, store):
    return {s.category: s for s in evaluate(store, gold_dir=ROOT / "gold" / group)}


def test_groups_exist():
    assert {"heldout-d", "heldout-e", "heldout-f"} <= set(GROUPS)


def test_every_gold_file_lists_the_pages(group):
    pages = _pages(group)
    assert len(pages) == _floors(group)["pages"]
    for gold in _gold_files(group):
        assert sorted(_yaml(gold)) == pages, gold.name


def test_every_category_is_scored(group, scores):
    assert len(scores) == len(_gold_files(group))
    assert set(_floors(group)["recall"]) <= set(scores)


def test_category_recall_floors(group, scores):
    low = {
        category: round(scores[category].recall, 2)
        for category, floor in _floors(group)["recall"].items()
        if scores[category].recall < floor
    }
    assert not low, f"{group}: {low}\n{format_errors([scores[c] for c in low])}"


def test_overall_floor(group, scores):
    tp = sum(s.tp for s in scores.values())
    fp = sum(s.fp for s in scores.values())
    fn = sum(s.fn for s in scores.values())
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    floor = _floors(group)["overall"]
    assert precision >= floor and recall >= floor, (
        f"{group}: P={precision:.2f} R={recall:.2f}\n{format_errors(list(scores.values()))}"
    )


def test_no_furniture_as_label_or_title(group, store):
    labels = [str(row[0].value) for row in store.query(LABELS)]
    assert len(labels) > 10
    bad = [
        label for label in labels
        if is_furniture_text(label) or label.strip() in LAYOUT_WORDS or label.startswith("#") or "**" in label
        or "Hình từ Internet" in label or "Mua bán" in label or "Nội dung chính" in label
    ]
    assert not bad, bad[:10]
