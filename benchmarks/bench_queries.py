"""Benchmark: every named query of the library on the whole store, one ``quyhoach query`` at a time.

Run:  python benchmarks/bench_queries.py --store /path/to/store [--timeout 300] [--json rows.json]

Each query runs as an analyst would run it on the whole store: ``quyhoach --store S query NAME
--format json`` with its parameters left at their defaults (no filter), ``today`` fixed
(``--today``), and a parameter without a default (``search``'s text) taken from the query's own
``example:`` line. Every run is its own process (the store opened read-only), so a query that runs
past ``--timeout`` is stopped without stopping the others. Printed per query: rows, wall seconds,
CPU seconds of the process (``RUSAGE_CHILDREN``), and the same for ``query --list`` (opening the
store and starting Python, the floor under every figure).

``--in-process`` runs the queries one after another in this process instead (the store opened once,
read-only; each query through ``named_queries.run_sparql``, CPU seconds from ``time.process_time()``,
no timeout): the cost of the query in the engine alone. ``--checks`` keeps only the consistency
checks; ``--queries DIR`` reads the library from another folder (e.g. an earlier commit's
``queries/``, from ``git archive``) to compare versions on one store.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from quyhoach.graph import named_queries as nq


def quyhoach_exe() -> list[str]:
    """The ``quyhoach`` command of this interpreter."""
    return [sys.executable, "-m", "quyhoach.cli"]


def timed(args: list[str], timeout: float) -> dict:
    """Run one command; its wall and CPU seconds, output lines and exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        code, out, err = None, "", f"stopped after {timeout:.0f} s"
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": round(wall, 2), "cpu": round(cpu, 2), "code": code, "out": out, "err": err.strip()}


def main(argv: list[str] | None = None) -> int:
    """Time every named query; print a table (slowest first)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="the store (opened read-only)")
    parser.add_argument("--today", default="2026-12-02", help="the reference date of the queries that have one")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a query is stopped")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    parser.add_argument("--in-process", action="store_true", help="run the queries in this process (no timeout)")
    parser.add_argument("--checks", action="store_true", help="only the consistency checks")
    parser.add_argument("--queries", type=Path, default=None, help="the query library folder (default: the package's)")
    args = parser.parse_args(argv)
    queries = [q for q in nq.discover(args.queries) if q.severity or not args.checks]
    if args.in_process:
        return in_process(args, queries)
    base = [*quyhoach_exe(), "--store", args.store]
    floor = timed([*base, "query", "--list"], args.timeout)
    rows = []
    for query in queries:
        params = ["--param", f"today={args.today}"] if any(p.name == "today" for p in query.params) else []
        params += [w for k, v in query.example_params().items() for w in ("--param", f"{k}={v}")]
        result = timed([*base, "query", query.name, "--format", "json", *params], args.timeout)
        count = len(json.loads(result["out"])["rows"]) if result["code"] == 0 else None
        rows.append({
            "query": query.name, "check": bool(query.severity), "rows": count,
            "wall": result["wall"], "cpu": result["cpu"],
            "error": "" if result["code"] == 0 else (result["err"].splitlines() or ["failed"])[-1],
        })
        print(f"{query.name:32s} {rows[-1]['rows'] if rows[-1]['rows'] is not None else '—':>7} rows "
              f"{result['wall']:8.2f} s wall {result['cpu']:8.2f} s CPU {rows[-1]['error']}", file=sys.stderr, flush=True)
    print("| query | check | rows | wall s | CPU s |\n|---|---|---:|---:|---:|")
    for row in sorted(rows, key=lambda r: -r["wall"]):
        shown = row["rows"] if row["rows"] is not None else f"— ({row['error']})"
        print(f"| {row['query']} | {'yes' if row['check'] else ''} | {shown} | {row['wall']:.2f} | {row['cpu']:.2f} |")
    print(f"| (`query --list`: start and open the store) | | | {floor['wall']:.2f} | {floor['cpu']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"floor": {k: floor[k] for k in ("wall", "cpu")}, "rows": rows}, indent=2))
    return 0 if all(r["rows"] is not None for r in rows) else 1


def in_process(args: argparse.Namespace, queries: list[nq.NamedQuery]) -> int:
    """``--in-process``: each query in this process on one read-only store; print a table (library order)."""
    from quyhoach.graph.store import KnowledgeStore

    rows = []
    with KnowledgeStore(args.store, read_only=True) as store:
        for query in queries:
            params = {"today": args.today} if any(p.name == "today" for p in query.params) else {}
            params |= query.example_params()
            wall, cpu = time.perf_counter(), time.process_time()
            result = nq.run(store, query, params)
            row = {"query": query.name, "check": bool(query.severity), "rows": len(result.rows),
                   "wall": round(time.perf_counter() - wall, 2), "cpu": round(time.process_time() - cpu, 2)}
            rows.append(row)
            print(f"{query.name:32s} {row['rows']:>7} rows {row['wall']:8.2f} s wall {row['cpu']:8.2f} s CPU",
                  file=sys.stderr, flush=True)
    print("| query | check | rows | wall s | CPU s |\n|---|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['query']} | {'yes' if row['check'] else ''} | {row['rows']} | {row['wall']:.2f} | {row['cpu']:.2f} |")
    print(f"| **all** | | {sum(r['rows'] for r in rows)} | {sum(r['wall'] for r in rows):.2f} | {sum(r['cpu'] for r in rows):.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
