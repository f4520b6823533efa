"""Snapshot of what extraction produces, to show a speed-up changed nothing.

Run:  python benchmarks/extraction_snapshot.py dump DIR      # before a change
      python benchmarks/extraction_snapshot.py compare DIR   # after it: exit 1 on any difference

For every document the loader would read under the bundled seed corpus and ``tests/fixtures``
(with its ``metadata.yaml`` entry, as ``quyhoach load`` reads it), and for a slice of the
synthetic text of ``bench_loading.py``, the triples of ``extract_triples`` are written as sorted
N-Triples (one file per document). ``compare`` extracts again and names every document whose
sorted N-Triples differ, with the first differing lines.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import sys
from pathlib import Path

import pyoxigraph as ox

from quyhoach.loaders.documents.discover import discover
from quyhoach.loaders.documents.errors import DocumentError
from quyhoach.loaders.documents.pipeline import extract_triples, read_source
from quyhoach.loaders.model import CleanDocument
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.loading import bundled_corpus

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC_BYTES = 300_000


def sorted_ntriples(data: bytes) -> str:
    """The triples of an N-Triples document, one per line as pyoxigraph writes them, sorted and
    without repeats (a form independent of how the document was written)."""
    return "".join(sorted({f"{q.triple} .\n" for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}))


def snapshots() -> dict[str, str]:
    """Sorted N-Triples (or the one-line error) per document name."""
    resolver = get_resolver()
    result: dict[str, str] = {}
    for path, metadata in discover([bundled_corpus(), ROOT / "tests" / "fixtures"]):
        name = str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else path.name
        try:
            result[name] = sorted_ntriples(extract_triples(read_source(path, metadata), resolver))
        except DocumentError as exc:
            result[name] = f"error: {exc}\n"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_loading import synthetic_text

    text = synthetic_text(SYNTHETIC_BYTES)
    result["synthetic"] = sorted_ntriples(extract_triples(CleanDocument(text=text, path="synthetic.txt"), resolver))
    return result


def file_name(name: str) -> str:
    """A flat file name for a document name."""
    return name.replace("/", "__") + "." + hashlib.sha1(name.encode()).hexdigest()[:6] + ".nt"


def main() -> None:
    """Dump or compare the snapshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("dump", "compare"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    current = snapshots()
    if args.action == "dump":
        args.folder.mkdir(parents=True, exist_ok=True)
        for name, text in current.items():
            (args.folder / file_name(name)).write_text(text, encoding="utf-8")
        print(f"{len(current)} documents, {sum(t.count(chr(10)) for t in current.values())} lines -> {args.folder}")
        return
    differing = 0
    for name, text in current.items():
        stored = args.folder / file_name(name)
        before = stored.read_text(encoding="utf-8") if stored.exists() else ""
        if before != text:
            differing += 1
            diff = list(difflib.unified_diff(before.splitlines(), text.splitlines(), "before", "after", lineterm="", n=0))
            print(f"DIFFERS: {name} ({len(diff)} diff lines)")
            print("\n".join(diff[:12]))
    print(f"{len(current)} documents compared, {differing} differ")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
