"""Benchmark: label-index search in-process, CPU a search and answers against the exact ranking.

Run:  python benchmarks/bench_search.py --store STORE --workdir DIR [--anchor NAME=PATH/search.py ...]

Each implementation (this checkout's ``quyhoach.api.search``, and every ``--anchor``: another
version's ``api/search.py`` loaded from its file, e.g. from ``git show main:api/search.py``)
builds its own label index from the store with its own ``index_labels`` into
``DIR/labels-NAME.sqlite`` (kept; an existing file is reused) and answers the same searches on it,
opened read-only: the load test's 18 searches (``quyhoach.api.loadtest``: 8 words and 10
autocomplete prefixes, limit 10), and varied searches drawn from the index's keys (``--seed``):
words, word pairs, prefixes of 1 to 6 letters and parts of words, and the short prefixes and word
parts named in ``EXTRA``, each at limits 10 and 50. CPU: ``time.process_time()`` of each search,
``--rounds`` rounds after one warm-up round. Every answer is compared with the exact ranking of
every key (``tests/test_api_units.py::_exact_search``, the reference the unit test compares with;
kept in ``DIR/exact-SEED.json``, so a timed run under a lock need not compute it: ``--exact-only``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Short prefixes and parts of words that more than 5 000 keys share in the synthetic corpus.
EXTRA = ["du", "kh", "inh", "hie", "son b"]
LIMITS = (10, 50)


def load_module(name: str, path: Path):
    """The search module at ``path`` (another version's ``api/search.py``), imported as ``name``."""
    spec = importlib.util.spec_from_file_location(f"bench_search_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def built_index(module, store_path: str, path: Path):
    """The module's read-only index at ``path``, built from the store by its own code when missing."""
    if not path.exists():
        from quyhoach.graph.store import KnowledgeStore

        started = time.monotonic()
        store = KnowledgeStore(store_path, read_only=True)
        partial = path.with_suffix(".part")
        partial.unlink(missing_ok=True)
        entries = module.index_labels(store, str(partial))
        partial.replace(path)
        print(f"built {path.name}: {entries} entries in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return module.LabelIndex(str(path), readonly=True)


def drawn_searches(index, seed: int, known: list[str], per_kind: int = 24) -> list[str]:
    """Words, word pairs, prefixes and parts of words of keys drawn from ``index``: ``per_kind`` of
    each, distinct and none of ``known``, in the order drawn."""
    keys = [key for (key,) in index.db.execute("SELECT key FROM label_key ORDER BY key")]
    rng = random.Random(seed)
    found: dict[str, None] = {}
    kinds = {"word": 0, "pair": 0, "prefix": 0, "part": 0}
    while min(kinds.values()) < per_kind:
        words = rng.choice(keys).split()
        long_words = [w for w in words if len(w) >= 3]
        kind = min(kinds, key=kinds.get)
        text = None
        if kind == "word" and long_words:
            text = rng.choice(long_words)
        elif kind == "pair" and len(words) > 1:
            i = rng.randrange(len(words) - 1)
            text = f"{words[i]} {words[i + 1]}"
        elif kind == "prefix":
            text = " ".join(words)[:rng.randint(1, 6)].rstrip()
        elif kind == "part" and [w for w in long_words if len(w) >= 5]:
            word = rng.choice([w for w in long_words if len(w) >= 5])
            start = rng.randint(1, len(word) - 3)
            text = word[start:start + rng.randint(3, min(5, len(word) - start))]
        if text and text not in found and text not in known:
            found[text] = None
            kinds[kind] += 1
    return list(found)


def load_test_searches() -> list[str]:
    """The load test's searches (8 words) and autocomplete prefixes (10)."""
    from quyhoach.api.loadtest import AUTOCOMPLETE_PREFIXES, SEARCH_WORDS

    return list(SEARCH_WORDS) + list(AUTOCOMPLETE_PREFIXES)


def answers(index, text: str, limit: int) -> list[tuple[str, int, str]]:
    """The hits of one search as comparable rows."""
    return [(h.entry.iri, h.score, h.matched) for h in index.search(text, limit)]


def timed(indexes: dict, searches: list[tuple[str, int]], rounds: int) -> dict[str, list[float]]:
    """CPU seconds of each search on each index: the mean over ``rounds`` after one warm-up round,
    the implementations taking turns within every round (a busy machine slows them alike)."""
    for index in indexes.values():
        for text, limit in searches:
            index.search(text, limit)
    totals = {name: [0.0] * len(searches) for name in indexes}
    for _ in range(rounds):
        for name, index in indexes.items():
            for i, (text, limit) in enumerate(searches):
                t0 = time.process_time()
                index.search(text, limit)
                totals[name][i] += time.process_time() - t0
    return {name: [total / rounds for total in row] for name, row in totals.items()}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="the store the label indexes are built from (read-only)")
    parser.add_argument("--workdir", type=Path, required=True, help="where the label indexes are kept")
    parser.add_argument("--anchor", action="append", default=[], metavar="NAME=PATH",
                        help="another version's api/search.py to compare with (repeatable)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--build-only", action="store_true",
                        help="build the missing label indexes and stop (before a timed run under a lock)")
    parser.add_argument("--exact-only", action="store_true",
                        help="compare the answers with the exact ranking, keep it (DIR/exact-SEED.json), time nothing")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from test_api_units import _exact_search

    from quyhoach.api import search as branch

    implementations = {"branch": branch}
    for spec in args.anchor:
        name, _, path = spec.partition("=")
        if not path:
            parser.error(f"--anchor wants NAME=PATH, not {spec!r}")
        implementations[name] = load_module(name, Path(path))
    args.workdir.mkdir(parents=True, exist_ok=True)
    indexes = {name: built_index(module, args.store, args.workdir / f"labels-{name}.sqlite")
               for name, module in implementations.items()}
    if args.build_only:
        return 0
    first = indexes["branch"]
    load_test = [(text, 10) for text in load_test_searches()]
    texts = list(dict.fromkeys(load_test_searches() + EXTRA))
    varied = [(text, limit) for text in texts + drawn_searches(first, args.seed, texts) for limit in LIMITS]
    kept = args.workdir / f"exact-{args.seed}.json"  # the reference, computed once per index and seed
    if kept.exists():
        exact = {(text, limit): [tuple(row) for row in rows] for text, limit, rows in json.loads(kept.read_text())}
    else:
        exact = {(text, limit): _exact_search(first, text, limit) for text, limit in dict.fromkeys(load_test + varied)}
        kept.write_text(json.dumps([[text, limit, rows] for (text, limit), rows in exact.items()]))
    got = {name: {s: answers(index, *s) for s in exact} for name, index in indexes.items()}
    if args.exact_only:
        for name in indexes:
            differing = [s for s in varied if got[name][s] != exact[s]]
            print(f"{name}: {len(differing)} / {len(varied)} varied searches differ from the exact ranking: {differing}")
        return 0
    print(f"store {args.store}; {len(load_test)} load-test searches, {len(varied)} varied searches "
          f"({len(varied) // len(LIMITS)} texts, limits {LIMITS}); CPU: mean of {args.rounds} rounds")
    print()
    print("| implementation | load test: CPU a search, ms (min–max) | varied: CPU a search, ms (max) "
          "| varied: differing from the exact ranking | load test: equal to the exact ranking |")
    print("|---|---:|---:|---:|---:|")
    load_cpu, varied_cpu = timed(indexes, load_test, args.rounds), timed(indexes, varied, args.rounds)
    for name in indexes:
        lt, va = load_cpu[name], varied_cpu[name]
        slowest = max(range(len(va)), key=va.__getitem__)
        differing = [s for s in varied if got[name][s] != exact[s]]
        equal = sum(got[name][s] == exact[s] for s in load_test)
        print(f"| {name} | {statistics.mean(lt) * 1e3:.2f} ({min(lt) * 1e3:.2f}–{max(lt) * 1e3:.2f}) "
              f"| {statistics.mean(va) * 1e3:.2f} ({max(va) * 1e3:.2f}: {varied[slowest][0]!r}, {varied[slowest][1]}) "
              f"| {len(differing)} / {len(varied)} | {equal} / {len(load_test)} |")
        for text, limit in differing:
            print(f"    {name} differs: {text!r} limit {limit}", file=sys.stderr)
    for i, (text, limit) in enumerate(load_test):
        print(f"    {text!r} limit {limit}: " + ", ".join(f"{name} {load_cpu[name][i] * 1e3:.2f} ms" for name in indexes),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
