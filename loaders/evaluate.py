"""Precision and recall of the extractors against the hand-labelled gold set.

For every category with both a gold file ``tests/gold/{category}.yaml`` (a mapping of source
file name -> list of items, each a dict of key fields) and a query ``loaders/eval/{category}.rq``
(a SELECT returning ``?file`` and the same key fields), the rows of the query over the loaded
store and the gold items are turned into sets of normalised tuples ``(file, field values…)``
and compared; only files listed in the gold file are scored, so other loaded documents do not
count as false positives. Values are compared after NFC, whitespace folding and, for numbers,
a canonical decimal form (``36.0`` = ``36``).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

import yaml

from quyhoach.text import fold_dashes, nfc

#: Where gold files live: the repository's ``tests/gold`` (next to the installed package folders).
GOLD_DIR = Path(__file__).resolve().parent.parent / "tests" / "gold"


@dataclass
class CategoryScore:
    """Scores of one category."""

    category: str
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    false_positives: list[tuple] = field(default_factory=list)
    false_negatives: list[tuple] = field(default_factory=list)


def normalise(value) -> str:
    """A comparable form of one field value."""
    if value is None:
        return ""
    if hasattr(value, "value") and not isinstance(value, (str, int, float, Decimal)):
        value = value.value  # a pyoxigraph term
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = " ".join(fold_dashes(nfc(str(value))).split())
    if re.fullmatch(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            return str(number.quantize(Decimal(1)))
        return format(number.normalize(), "f")
    return text


def _categories(gold_dir: Path) -> list[str]:
    queries = resources.files("quyhoach.loaders") / "eval"
    names = []
    for gold in sorted(gold_dir.glob("*.yaml")):
        if (queries / f"{gold.stem}.rq").is_file():
            names.append(gold.stem)
    return names


def load_gold(path: Path) -> dict[str, list[dict]]:
    """Gold items per file name from one gold file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict) and isinstance(data.get("files"), dict):
        data = data["files"]
    return {str(name): list(items or []) for name, items in data.items()}


def _query_text(category: str) -> str:
    return (resources.files("quyhoach.loaders") / "eval" / f"{category}.rq").read_text(encoding="utf-8")


def _rows(store, sparql: str) -> tuple[list[str], list[dict[str, str]]]:
    result = store.query(sparql)
    variables = [v.value if hasattr(v, "value") else str(v).lstrip("?") for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for name in variables:
            term = solution[name]
            row[name] = normalise(term) if term is not None else ""
        rows.append(row)
    return variables, rows


#: Fields compared without regard to letter case: a work's or a person's name is the same name
#: whether the page writes ``cao tốc X`` or the label ``Cao tốc X`` (the projects query lower-cases
#: its names for the same reason).
CASE_FREE_FIELDS = frozenset({"name"})


def _field(value: str, name: str) -> str:
    return value.casefold() if name in CASE_FREE_FIELDS else value


def score_category(store, category: str, gold_dir: Path = GOLD_DIR) -> CategoryScore:
    """Compare the query rows of ``category`` with its gold items (names: :data:`CASE_FREE_FIELDS`)."""
    gold = load_gold(gold_dir / f"{category}.yaml")
    variables, rows = _rows(store, _query_text(category))
    fields = [v for v in variables if v != "file"]
    expected = {
        (normalise(name), *(_field(normalise(item.get(f, "")), f) for f in fields))
        for name, items in gold.items() for item in items
    }
    files = {normalise(name) for name in gold}
    found = {(row.get("file", ""), *(_field(row.get(f, ""), f) for f in fields)) for row in rows}
    found = {t for t in found if t[0] in files}
    tp = len(found & expected)
    fp = len(found - expected)
    fn = len(expected - found)
    precision = tp / (tp + fp) if tp + fp else (1.0 if not expected else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CategoryScore(category, tp, fp, fn, precision, recall, f1,
                         sorted(found - expected), sorted(expected - found))


def evaluate(store, gold_dir: Path = GOLD_DIR, categories: list[str] | None = None) -> list[CategoryScore]:
    """Scores of every category that has a gold file and an evaluation query."""
    names = categories or _categories(gold_dir)
    return [score_category(store, name, gold_dir) for name in names]


def format_table(scores: list[CategoryScore]) -> str:
    """A Markdown table of the scores, with a micro-averaged total row."""
    lines = [
        "| category | TP | FP | FN | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        lines.append(f"| {s.category} | {s.tp} | {s.fp} | {s.fn} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} |")
    if scores:
        tp, fp, fn = (sum(getattr(s, k) for s in scores) for k in ("tp", "fp", "fn"))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        lines.append(f"| **all** | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} | {f:.2f} |")
    return "\n".join(lines)


def format_errors(scores: list[CategoryScore]) -> str:
    """The false positives and negatives of each category, one per line."""
    out = []
    for s in scores:
        for t in s.false_positives:
            out.append(f"{s.category} FP {' | '.join(t)}")
        for t in s.false_negatives:
            out.append(f"{s.category} FN {' | '.join(t)}")
    return "\n".join(out)


def corpus_store(paths: list[str] | None = None):
    """An in-memory store with the documents of ``paths`` (default: the bundled corpus) loaded."""
    import pyoxigraph as ox

    from quyhoach.loaders.documents.discover import discover
    from quyhoach.loaders.documents.pipeline import extract, read_source
    from quyhoach.namespaces import source_graph

    if not paths:
        paths = [str(resources.files("quyhoach.corpus"))]
    store = ox.Store()
    for path, metadata in discover(paths):
        document = read_source(path, metadata)
        graph = extract(document)
        name = ox.NamedNode(source_graph(document.sha256))
        data = graph.serialize(format="nt", encoding="utf-8")
        store.extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return store


def main(argv: list[str] | None = None) -> int:
    """``python -m quyhoach.loaders.evaluate [--store PATH] [--gold DIR] [--errors] [paths…]``: print the table.

    Without ``--store`` the documents (default: the bundled corpus) are extracted into an
    in-memory store first.
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("paths", nargs="*", help="documents to extract (default: the bundled corpus)")
    parser.add_argument("--store", help="evaluate an existing store instead")
    parser.add_argument("--errors", action="store_true", help="also list false positives and negatives")
    parser.add_argument("--gold", type=Path, default=GOLD_DIR, help="folder of gold files (default: tests/gold)")
    args = parser.parse_args(argv)
    if args.store:
        from quyhoach.graph.store import KnowledgeStore

        with KnowledgeStore(args.store, read_only=True) as store:
            scores = evaluate(store, gold_dir=args.gold)
    else:
        scores = evaluate(corpus_store(args.paths), gold_dir=args.gold)
    print(format_table(scores))
    if args.errors:
        errors = format_errors(scores)
        if errors:
            print(errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
