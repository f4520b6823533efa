"""Benchmarks: extraction throughput on a large synthetic text, and load time for 100 documents.

Run:  python benchmarks/bench_loading.py [--size-mb 2] [--documents 100] [--cpu-split]

The synthetic text is made by repeating the seed corpus's cleaned article bodies with the document
numbers, provinces and figures varied, so the extractors see realistic text at scale. The baseline
in the same run is plain reading + NFC normalisation + cleaning of the same text (the cost every
load pays before extraction), so the extraction figure can be compared side by side.

Extraction is timed as the loader runs it (``extract_triples``: all extractors, every fact with
its provenance, handed over as one N-Triples document); each run gets a fresh name resolver and a
text no earlier run has seen, so no result memoised by an earlier run is reused. Each figure is
the best of the runs in wall time and, next to it, in CPU time (``time.process_time``, which other
jobs on the machine inflate less). ``extract`` (the same triples as an rdflib graph, for the API
and tests) is timed once for comparison.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from quyhoach.loaders.documents.pipeline import extract, extract_triples, read_source
from quyhoach.loaders.model import CleanDocument
from quyhoach.loaders.reference.agencies import load_agencies
from quyhoach.loaders.reference.resolver import Resolver
from quyhoach.loaders.reference.units import load_units
from quyhoach.loading import LoadReport, bundled_corpus, load_documents

PROVINCES = ["Lạng Sơn", "Lai Châu", "Hà Giang", "Cao Bằng", "Sơn La", "Yên Bái", "Tuyên Quang", "Phú Thọ"]


def seed_bodies() -> list[str]:
    """Cleaned article bodies of the bundled corpus."""
    return [read_source(p).text for p in sorted(bundled_corpus().glob("*.txt"))]


def synthetic_text(size_bytes: int, seed: int = 7) -> str:
    """Seed bodies repeated with numbers and provinces varied, until ``size_bytes`` of UTF-8."""
    rng = random.Random(seed)
    bodies = seed_bodies()
    parts: list[str] = []
    total = 0
    while total < size_bytes:
        body = rng.choice(bodies)
        body = body.replace("1161", str(rng.randint(100, 2999))).replace("Lạng Sơn", rng.choice(PROVINCES))
        parts.append(body)
        total += len(body.encode("utf-8"))
    return "\n\n".join(parts)


def best_of(fn, repeat: int = 3, prepare=None) -> tuple[float, float]:
    """Best wall time and best CPU time (``time.process_time``) of ``repeat`` runs of ``fn``
    (``fn(prepare(run))`` when ``prepare`` is given, untimed)."""
    times, cpu = [], []
    for run in range(repeat):
        arg = prepare(run) if prepare is not None else None
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(arg) if prepare is not None else fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(times), min(cpu)


def fresh_resolver() -> Resolver:
    """A new resolver (no memoised scans) over the reference data."""
    agencies, posts, _changes = load_agencies()
    return Resolver(load_units(), agencies, posts)


def cpu_split(text: str) -> None:
    """Print the CPU time (``time.process_time``: independent of other jobs on the machine) of the
    structure pass and of each extractor on ``text``, after a warm-up document."""
    from quyhoach.loaders.documents import pipeline
    from quyhoach.loaders.documents.structure import parse_structure

    warm = CleanDocument(text="Quyết định 1/QĐ-TTg ngày 1/1/2024 của UBND tỉnh Lạng Sơn.", path="warm.txt")
    extract_triples(warm, fresh_resolver())
    times: dict[str, float] = {}

    def timed(name: str):
        function = pipeline.load_extractor(name)

        def run(*args) -> None:
            start = time.process_time()
            function(*args)
            times[name] = time.process_time() - start

        run.__name__ = name
        return run

    start = time.process_time()
    parse_structure(text)
    structure = time.process_time() - start
    document = CleanDocument(text=f"{text}\n\nLần đo CPU.", path="synthetic.txt")
    start = time.process_time()
    extract_triples(document, fresh_resolver(), tuple(timed(n) for n in pipeline.EXTRACTORS))
    total = time.process_time() - start
    size_mb = len(text.encode("utf-8")) / 1_000_000
    print("| step | CPU (s) |")
    print("|---|---:|")
    print(f"| structure pass (`parse_structure`) | {structure:.3f} |")
    for name in pipeline.EXTRACTORS:
        print(f"| {name} | {times[name]:.2f} |")
    print(f"| **total `extract_triples`** | **{total:.2f} ({size_mb / total:.2f} MB/s)** |")


def main() -> None:
    """Print extraction throughput (with its reading baseline) and the 100-document load time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--cpu-split", action="store_true", help="print CPU time per extractor instead")
    args = parser.parse_args()
    text = synthetic_text(int(args.size_mb * 1_000_000))
    if args.cpu_split:
        cpu_split(text)
        return
    size_mb = len(text.encode("utf-8")) / 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "synthetic.txt"
        big.write_text(text, encoding="utf-8")
        baseline = best_of(lambda: read_source(big, max_bytes=10**9))
        document = read_source(big, max_bytes=10**9)

        def prepare(run: int) -> tuple[CleanDocument, Resolver]:
            # a text no earlier run has seen (one line more) and a resolver with nothing memoised
            unseen = f"{document.text}\n\nLần đo {run + 1}."
            return CleanDocument(text=unseen, path=str(big)), fresh_resolver()

        extraction = best_of(lambda arg: extract_triples(*arg), repeat=2, prepare=prepare)
        as_graph = best_of(lambda arg: extract(*arg), repeat=1, prepare=lambda run: prepare(run + 2))
        print("| step | text | time (s) | throughput (MB/s) | CPU (s) | MB/s of CPU |")
        print("|---|---|---|---|---|---|")
        for step, (wall, cpu) in (
            ("baseline: read + decode + NFC + clean", baseline),
            ("extraction (all categories, RDF + provenance)", extraction),
            ("extraction, returned as an rdflib graph (`extract`)", as_graph),
        ):
            print(f"| {step} | {size_mb:.2f} MB | {wall:.3f} | {size_mb / wall:.2f} | {cpu:.3f} | {size_mb / cpu:.2f} |")

        folder = Path(tmp) / "docs"
        folder.mkdir()
        rng = random.Random(11)
        bodies = seed_bodies()
        for i in range(args.documents):
            body = rng.choice(bodies).replace("1161", str(1000 + i)).replace("Lạng Sơn", rng.choice(PROVINCES))
            (folder / f"doc-{i:03d}.txt").write_text(body + f"\n\nTài liệu số {i}.", encoding="utf-8")
        from quyhoach.graph.store import KnowledgeStore

        runs = []
        for run in range(2):
            with KnowledgeStore(Path(tmp) / f"store{run}") as store:
                report = LoadReport()
                start = time.perf_counter()
                load_documents(store, [folder], report)
                runs.append(time.perf_counter() - start)
                assert not report.failures, report.failures
        print()
        print(f"| load {args.documents} documents into a fresh on-disk store | {statistics.median(runs):.2f} s "
              f"| {args.documents / statistics.median(runs):.1f} documents/s |")


if __name__ == "__main__":
    main()
