"""Benchmarks: import, check and point-query rates on each store backend, side by side in one run.

Run:  python benchmarks/bench_backends.py --data /work/data/c20.nq --json rows.json \\
          [--backends embedded,oxigraph-server,oxigraph-server:preload,virtuoso,virtuoso:ld_dir] \\
          [--steps import,check,shacl,points] [--query-timeout 1200] [--step-limit 1800]
      python benchmarks/bench_backends.py --copies 5     # data: 5 disjoint copies of the seed store

The data is an N-Quads file (``--data``), or K disjoint copies of the seed store
(``quyhoach.graph.replicate``, ``--copies``). Each backend gets a fresh store (engines started on
free ports by :mod:`quyhoach.graph.engines`, their data in a temporary directory), one at a time,
and runs through the one store interface (:class:`quyhoach.graph.store.KnowledgeStore`):

- import, by ``BACKEND:VIA``: ``embedded`` (``import_file``: validate, pyoxigraph ``bulk_load``);
  ``oxigraph-server`` (``import_file``: validate, one ``POST /store?no_transaction&lenient``) or
  ``oxigraph-server:preload`` (validate, ``oxigraph load --location`` before ``serve`` starts);
  ``virtuoso`` (``import_file``: validate, one Graph Store ``POST`` per graph) or
  ``virtuoso:ld_dir`` (validate, Virtuoso's bulk loader ``ld_dir`` + ``rdf_loader_run()`` by isql);
- check: every named check of the library without SHACL (``run_checks(shacl=False)``);
- shacl: the SHACL shapes alone (``run_checks(names=["shacl"])``);
- points: ``SELECT ?p ?o WHERE { <s> ?p ?o }`` for 300 subjects drawn from the data (queries per
  second, one client, sequential).

Every step prints its wall time, the CPU time of this process (the client; for the embedded store
also the engine) and of the engine process, and the engine's peak RSS during the step (``VmHWM``,
reset before each step). Progress lines go to stderr every ``--progress`` seconds. A step that
runs past ``--step-limit`` is stopped (the engine is killed; the embedded store ends the run) and
reported with the check that was running. ``--query-timeout`` bounds each engine query (client
and engine side); a check that hits it is listed as failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from quyhoach.errors import UserError
from quyhoach.graph.checks import run_checks
from quyhoach.graph.engines import (
    Engine,
    oxigraph_preload,
    start_oxigraph,
    start_virtuoso,
    virtuoso_bulk_load,
)
from quyhoach.graph.export import export
from quyhoach.graph.replicate import replicate
from quyhoach.graph.store import KnowledgeStore
from quyhoach.loaders import rdf
from quyhoach.loading import LoadReport, bundled_corpus, load_documents, load_ontology, load_reference

TICK = os.sysconf("SC_CLK_TCK")
#: Virtuoso's buffers: 8 KiB pages; 500 000 is about 4 GiB (85 000 per GB, as Virtuoso's notes advise).
VIRTUOSO_BUFFERS = 500_000


def build_data(work: Path, copies: int) -> tuple[Path, int]:
    """An N-Quads file with ``copies`` disjoint copies of the seed store; its path and quad count."""
    seed = work / "seed.nq"
    with KnowledgeStore(work / "seed") as store:
        report = LoadReport()
        load_ontology(store, report)
        load_reference(store, report)
        load_documents(store, [bundled_corpus()], report)
        export(store, "nquads", seed)
    out = work / f"copies-{copies}.nq"
    return out, replicate(seed, copies, out)


@dataclass
class Proc:
    """CPU time and memory of one process, read from ``/proc``."""

    pid: int

    def cpu(self) -> float:
        """User + system CPU seconds so far (threads included)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / TICK

    def _status(self, key: str) -> float:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def rss(self) -> float:
        """Resident memory now, MiB."""
        return self._status("VmRSS")

    def peak(self) -> float:
        """Peak resident memory since the last :meth:`reset_peak`, MiB."""
        return self._status("VmHWM")

    def reset_peak(self) -> None:
        """Start a new peak (``echo 5 > /proc/PID/clear_refs``)."""
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            pass


@dataclass
class Step:
    """Figures of one step of one backend."""

    wall: float = 0.0
    client_cpu: float = 0.0
    engine_cpu: float = 0.0
    engine_peak_mib: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    stopped: str = ""
    extra: dict = field(default_factory=dict)


class Monitor:
    """Times steps, prints progress to stderr, and stops a step that runs past the limit."""

    def __init__(self, backend: str, every: float, limit: float, stop) -> None:
        self.backend, self.every, self.limit, self._stop = backend, every, limit, stop
        self.engine: Proc | None = None
        self.name = ""
        self.detail = ""
        self.started = 0.0
        self.stopped = ""
        self.last: Step | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def note(self, detail: str) -> None:
        """What the step is doing now (the check running)."""
        self.detail = detail
        _log(f"{self.backend} {self.name}: {detail} (at {time.perf_counter() - self.started:.0f} s)")

    def _watch(self) -> None:
        while not self._done.wait(self.every):
            if not self.name:
                continue
            elapsed = time.perf_counter() - self.started
            engine = self.engine
            mem = f", engine RSS {engine.rss():.0f} MiB, CPU {engine.cpu():.0f} s" if engine else ""
            _log(f"{self.backend} {self.name} {self.detail}: {elapsed:.0f} s{mem}, load {os.getloadavg()[0]:.2f}")
            if self.limit and elapsed > self.limit and not self.stopped:
                self.stopped = f"> {self.limit:.0f} s, stopped during {self.name} {self.detail}".strip()
                _log(f"STOP {self.backend}: {self.stopped}")
                self._stop()

    def run(self, name: str, fn, *args, **kwargs) -> tuple[object, Step]:
        """Run ``fn`` as the step ``name``; its result and figures."""
        engine = self.engine
        if engine:
            engine.reset_peak()
        step = Step(load_before=os.getloadavg()[0])
        cpu0, eng0 = time.process_time(), engine.cpu() if engine else 0.0
        self.name, self.detail, self.stopped = name, "", ""
        self.started = time.perf_counter()
        _log(f"{self.backend} {name}: start")
        try:
            result = fn(*args, **kwargs)
        finally:
            step.wall = time.perf_counter() - self.started
            step.client_cpu = time.process_time() - cpu0
            step.engine_cpu = engine.cpu() - eng0 if engine else float("nan")
            step.engine_peak_mib = engine.peak() if engine else float("nan")
            step.load_after = os.getloadavg()[0]
            step.stopped = self.stopped
            self.last, self.name = step, ""
            _log(f"{self.backend} {name}: {step.wall:.1f} s wall, client CPU {step.client_cpu:.1f} s, "
                 f"engine CPU {step.engine_cpu:.1f} s, engine peak {step.engine_peak_mib:.0f} MiB {step.stopped}")
        return result, step

    def close(self) -> None:
        """Stop the watcher."""
        self._done.set()


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _subjects(store: KnowledgeStore, n: int) -> list[str]:
    rows = store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } FILTER(isIRI(?s)) } LIMIT 20000"
    )
    found = [r["s"].value for r in rows]
    random.Random(7).shuffle(found)
    return found[:n]


def _count(store: KnowledgeStore) -> int:
    """Quads in the data graphs (engine system graphs left out)."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    hidden = getattr(store, "_hidden", lambda iri: False)
    return sum(int(r["n"].value) for r in rows if not hidden(r["g"].value))


def _points(store: KnowledgeStore, subjects: list[str]) -> int:
    for s in subjects:
        list(store.query(f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}", use_default_graph_as_union=True))
    return len(subjects)


def _checks(store: KnowledgeStore, monitor: Monitor, shacl: bool) -> dict:
    if shacl:
        report = run_checks(store, names=["shacl"], shacl=True, on_progress=monitor.note)
    else:
        report = run_checks(store, shacl=False, on_progress=monitor.note)
    runs = sorted(report.checks, key=lambda r: -r.seconds)
    return {
        "findings": len(report.findings),
        "slowest": [(r.name, round(r.seconds, 1)) for r in runs[:3]],
        "failed": [(r.name, r.error) for r in runs if r.error],
        "per_check": {r.name: round(r.seconds, 2) for r in runs},
    }


def _start(name: str, via: str, work: Path, data: Path, args, monitor: Monitor) -> tuple[str, Engine | None, dict]:
    """The store spec, the engine (if any) and, for the bulk paths, the import step's figures."""
    if name == "embedded":
        return str(work / "embedded-store"), None, {}
    if name == "oxigraph-server":
        db = work / "oxigraph-db"
        pre: dict = {}
        if via == "preload":
            def preload() -> int:
                counts = rdf.validate(data, *rdf.import_target(data, None, None))
                usage = oxigraph_preload(db, data)
                pre["loader_cpu"] = usage.ru_utime + usage.ru_stime
                pre["loader_peak_mib"] = usage.ru_maxrss / 1024
                return sum(counts.values())
            quads, step = monitor.run("import", preload)
            step.engine_cpu, step.engine_peak_mib = pre["loader_cpu"], pre["loader_peak_mib"]
            pre = {"import": step, "quads": quads}
        engine = start_oxigraph(db, timeout_s=args.query_timeout)
        return engine.url, engine, pre
    engine = start_virtuoso(work / "virtuoso-db", timeout_s=args.query_timeout, buffers=args.virtuoso_buffers,
                            dirs_allowed=(data.parent,))
    return engine.url, engine, {}


def run_backend(label: str, work: Path, data: Path, steps: set[str], args) -> dict:
    """All the steps for one backend (``NAME`` or ``NAME:VIA``); one row of figures."""
    name, _, via = label.partition(":")
    via = via or {"embedded": "import_file", "oxigraph-server": "http", "virtuoso": "gsp"}[name]
    engine_box: list[Engine] = []
    monitor = Monitor(label, args.progress, args.step_limit,
                      stop=lambda: engine_box[0].stop() if engine_box else os._exit(3))
    row: dict = {"backend": name, "via": via, "steps": {}}
    try:
        spec, engine, pre = _start(name, via, work, data, args, monitor)
        if engine is not None:
            engine_box.append(engine)
        monitor.engine = Proc(engine.process.pid if engine else os.getpid())
        kwargs = {"timeout": args.query_timeout} if engine else {}
        with KnowledgeStore(spec, **kwargs) as store:
            if pre:
                row["steps"]["import"], row["imported"] = pre["import"], pre["quads"]
            elif via == "ld_dir":
                def bulk() -> int:
                    counts = rdf.validate(data, *rdf.import_target(data, None, None))
                    virtuoso_bulk_load(engine, data, loaders=1)
                    return sum(counts.values())
                row["imported"], row["steps"]["import"] = monitor.run("import", bulk)
            else:
                row["imported"], row["steps"]["import"] = monitor.run("import", store.import_file, data)
            row["quads"], row["steps"]["count"] = monitor.run("count", _count, store)
            for step in ("check", "shacl"):
                if step in steps and not monitor.stopped:
                    try:
                        result, row["steps"][step] = monitor.run(step, _checks, store, monitor, step == "shacl")
                    except (UserError, OSError, RuntimeError, ValueError, SyntaxError):
                        if not monitor.stopped:  # the engine was not stopped by the limit: a real failure
                            raise
                        row["steps"][step] = monitor.last
                        continue
                    row["steps"][step].extra = result
            if "points" in steps and not monitor.stopped:
                subjects = _subjects(store, 300)
                n, row["steps"]["points"] = monitor.run("points", _points, store, subjects)
                row["point_qps"] = n / row["steps"]["points"].wall
    finally:
        monitor.close()
        for engine in engine_box:
            engine.stop()
    return row


def _fmt(row: dict) -> str:
    s = row["steps"]

    def cell(step: str, what: str = "") -> str:
        st = s.get(step)
        if st is None:
            return "—"
        if st.stopped:
            return st.stopped
        text = f"{st.wall:.1f} ({st.client_cpu:.1f} + {st.engine_cpu:.1f})" if row["backend"] != "embedded" \
            else f"{st.wall:.1f} ({st.client_cpu:.1f})"
        return text + what

    imp = s["import"]
    rate = f"{row['imported'] / imp.wall:,.0f}"
    check = s.get("check")
    findings = check.extra["findings"] if check and not check.stopped else "—"
    slowest = ", ".join(f"{n} {t}" for n, t in check.extra["slowest"]) if check and check.extra else "—"
    failed = check.extra.get("failed") if check and check.extra else None
    if failed:
        slowest += "; failed: " + ", ".join(n for n, _ in failed)
    shacl = s.get("shacl")
    shacl_cell = cell("shacl", f", {shacl.extra['findings']} findings" if shacl and shacl.extra else "")
    peaks = "/".join(f"{s[k].engine_peak_mib:,.0f}" for k in ("import", "check") if k in s)
    qps = f"{row['point_qps']:,.0f}" if "point_qps" in row else "—"
    return (f"| {row['backend']} | {row['via']} | {row['quads']:,} | {cell('import')} | {rate} | {cell('check')} "
            f"| {findings} | {slowest} | {shacl_cell} | {qps} | {peaks} |")


HEADER = ("| backend | import via | quads | import s (CPU client + engine) | quads/s | check, no SHACL s "
          "(CPU client + engine) | findings | slowest checks (s) | SHACL s | point queries/s | "
          "engine peak MiB (import/check) |\n|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the table (and ``--json`` the figures)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="an N-Quads file to import (instead of --copies)")
    parser.add_argument("--copies", type=int, default=20, help="disjoint copies of the seed store (20: ~1 M quads)")
    parser.add_argument("--backends", default="embedded,oxigraph-server,virtuoso",
                        help="comma-separated NAME[:VIA]: embedded, oxigraph-server[:http|:preload], "
                             "virtuoso[:gsp|:ld_dir]")
    parser.add_argument("--steps", default="import,check,points", help="of import,check,shacl,points")
    parser.add_argument("--no-check", action="store_true", help="skip the check step")
    parser.add_argument("--query-timeout", type=int, default=1800, help="seconds per engine query (both sides)")
    parser.add_argument("--step-limit", type=float, default=0, help="stop a step after this many seconds (0: never)")
    parser.add_argument("--progress", type=float, default=60, help="seconds between progress lines (stderr)")
    parser.add_argument("--virtuoso-buffers", type=int, default=VIRTUOSO_BUFFERS, help="NumberOfBuffers")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
    args = parser.parse_args(argv)
    steps = set(args.steps.split(",")) - ({"check"} if args.no_check else set())
    rows: list[dict] = []
    if args.work:
        Path(args.work).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quyhoach-bench-", dir=args.work) as tmp:
        work = Path(tmp)
        if args.data:
            data, what = args.data.resolve(), str(args.data)
        else:
            data, total = build_data(work, args.copies)
            what = f"{total} quads ({args.copies} copies of the seed store)"
        print(f"data: {what}; load average {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
              flush=True)
        print(HEADER, flush=True)
        for label in args.backends.split(","):
            backend_work = work / label.replace(":", "-")
            backend_work.mkdir()
            row = run_backend(label, backend_work, data, steps, args)
            rows.append(row)
            print(_fmt(row), flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, default=lambda o: o.__dict__, indent=1))
    print(f"end: load average {os.getloadavg()[0]:.2f}; {time.strftime('%H:%M UTC', time.gmtime())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
