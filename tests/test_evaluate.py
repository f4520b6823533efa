"""The evaluation command: gold items vs. query rows, per file, as normalised tuples."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from quyhoach.loaders.evaluate import (
    GOLD_DIR,
    corpus_store,
    evaluate,
    format_table,
    load_gold,
    normalise,
    score_category,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_normalise_numbers_dates_and_text():
    assert normalise("36.0") == "36" and normalise("1.68E14") == "168000000000000"
    assert normalise(" Hà  Nội – Lạng Sơn ") == "Hà Nội - Lạng Sơn"
    assert normalise(None) == ""


def test_scores_count_false_positives_and_negatives(tmp_path):
    store = corpus_store([str(CORPUS / "2024-11_bnews_lang-son-qd-1371-uu-tien-dau-tu.txt")])
    gold = tmp_path / "documents.yaml"
    gold.write_text(
        "2024-11_bnews_lang-son-qd-1371-uu-tien-dau-tu.txt:\n"
        "  - {iri_key: qd-ttg/2024/1371, number: 1371/QĐ-TTg, date: '2024-11-13', type: Decision}\n"
        "  - {iri_key: qd-ttg/2024/9999, number: 9999/QĐ-TTg, date: '', type: Decision}\n"
        "other-file.txt: []\n",
        encoding="utf-8",
    )
    score = score_category(store, "documents", tmp_path)
    assert (score.tp, score.fp, score.fn) == (1, 0, 1)
    assert score.precision == 1.0 and score.recall == 0.5
    assert score.false_negatives == [("2024-11_bnews_lang-son-qd-1371-uu-tien-dau-tu.txt", "qd-ttg/2024/9999", "9999/QĐ-TTg", "", "Decision")]


def test_files_outside_the_gold_are_not_scored(tmp_path):
    store = corpus_store([str(CORPUS)])
    (tmp_path / "plans.yaml").write_text("unrelated.txt: []\n", encoding="utf-8")
    score = score_category(store, "plans", tmp_path)
    assert (score.tp, score.fp, score.fn) == (0, 0, 0)


def test_seed_corpus_meets_the_goals_for_my_categories():
    scores = {s.category: s for s in evaluate(corpus_store(), categories=["documents", "citations", "plans", "events"])}
    for name, s in scores.items():
        assert s.precision >= 0.9 and s.recall >= 0.9, (name, s.false_positives, s.false_negatives)
    table = format_table(list(scores.values()))
    assert table.splitlines()[0].startswith("| category |") and "**all**" in table


def test_gold_files_list_every_corpus_file():
    names = {p.name for p in CORPUS.glob("*.txt")}
    for category in ("documents", "citations", "plans", "events"):
        assert set(load_gold(GOLD_DIR / f"{category}.yaml")) == names


def test_empty_store_scores_zero_recall():
    scores = {s.category: s for s in evaluate(ox.Store(), categories=["documents"])}
    assert scores["documents"].tp == 0 and scores["documents"].recall == 0.0


def test_names_that_differ_only_in_letter_case_are_one_name(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Tiến độ cao tốc Tuyên Quang - Hà Giang\n\n"
        "Tỉnh Tuyên Quang ưu tiên đầu tư cao tốc Tuyên Quang - Hà Giang trong giai đoạn 2021-2030.\n",
        encoding="utf-8",
    )
    store = corpus_store([str(page)])
    (tmp_path / "infrastructure.yaml").write_text("page.md: []\n", encoding="utf-8")
    found = score_category(store, "infrastructure", tmp_path)  # no gold item: every row is a false positive
    assert ("page.md", "Expressway", "cao tốc tuyên quang - hà giang", "", "priority") in found.false_positives, found
    (tmp_path / "infrastructure.yaml").write_text(
        "page.md:\n  - {kind: Expressway, name: cao tốc Tuyên Quang - Hà Giang, location: '', status: priority}\n",
        encoding="utf-8",
    )
    score = score_category(store, "infrastructure", tmp_path)
    assert score.tp == 1 and not score.false_negatives, (score.false_positives, score.false_negatives)
