"""National-scale benchmark: generate, import, reason, check, stats, export at several sizes.

    python benchmarks/bench_scale.py --sizes 100k,1M,10M [--plot docs/benchmarks/scale.png]

Every step runs as its own child process, either the ``quyhoach`` command or the function the
command calls, on a fresh on-disk store in ``--workdir``; the time is wall clock and the memory
the child's peak resident set (``wait4`` rusage). The import is compared with raw
``pyoxigraph.Store.bulk_load`` of the same file into another fresh store, in the same run.
A failing step is reported (stderr, the row's ``failures`` in ``--json``, exit status 1) and
only the steps that need its result are skipped. "one document" loads one seed document into
the reasoned store, split into extraction / write / incremental reasoning / SHACL of that source
(seconds; CPU times in ``--json``). The time, CPU time and statements of each reasoning rule
(what ``quyhoach reason`` prints on stderr; the profile of the one-document refresh) go into
``--json`` (``reason (full) rules``, ``one document (split)`` → ``rules``). Prints one table (markdown) and writes ``--json``; with matplotlib (``pip install -e '.[bench]'``)
also a log-log plot. Big files and stores are deleted after each size unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import TODAY, parse_size  # noqa: E402

from quyhoach.graph.reasoning import Profile  # noqa: E402

#: A seed document: the one-document incremental load.
ONE_DOCUMENT = REPO / "corpus" / "2024-11_bnews_lang-son-qd-1371-uu-tien-dau-tu.txt"

_BULK_LOAD = """
import sys, json, time, pyoxigraph as ox
store = ox.Store(sys.argv[1])
t0 = time.perf_counter()
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.flush()
print(json.dumps({"bulk_load": time.perf_counter() - t0}))
"""

_IMPORT = """
import sys, json, time
from pathlib import Path
from quyhoach import loading
from quyhoach.graph.store import KnowledgeStore
with KnowledgeStore(sys.argv[1]) as store:
    report = loading.LoadReport()
    t0 = time.perf_counter()
    loading.load_ontology(store, report)
    loading.load_reference(store, report)
    t1 = time.perf_counter()
    n = store.import_file(Path(sys.argv[2]))
    t2 = time.perf_counter()
print(json.dumps({"reference": t1 - t0, "import": t2 - t1, "statements": n}))
"""


_ONE_DOCUMENT = """
import sys, json, time
from pathlib import Path
from quyhoach.graph import reasoning
from quyhoach.graph.shacl import validate
from quyhoach.graph.shacl_sources import _graph_data
from quyhoach.graph.store import KnowledgeStore
from quyhoach.loaders.documents.discover import discover
from quyhoach.loaders.documents.pipeline import extract_triples, read_source
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.namespaces import source_graph
times = {}
def timed(name, fn, *args):
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn(*args)
    times[name] = round(time.perf_counter() - t0, 3)
    times[name + " CPU"] = round(time.process_time() - c0, 3)
    return value
with KnowledgeStore(sys.argv[1]) as store:
    (path, metadata), = discover([Path(sys.argv[2])])
    def extract():
        document = read_source(path, metadata)
        return document, extract_triples(document, get_resolver())
    document, triples = timed("extract", extract)
    graph = source_graph(document.sha256)
    times["triples"] = timed("write", store.replace_graph, graph, triples)
    profile = reasoning.Profile()
    times["re-derived"] = timed("reason", reasoning.refresh, store, [graph], profile)
    times["rules"] = profile.as_dict()
    timed("shacl", lambda: validate(_graph_data(store, graph)))
print(json.dumps(times))
"""


def quyhoach_exe() -> str:
    """The ``quyhoach`` command of this interpreter's environment."""
    return shutil.which("quyhoach", path=str(Path(sys.executable).parent)) or "quyhoach"


class StepFailed(Exception):
    """A benchmark step's child process failed (its command and the end of its stderr)."""


def run(args: list[str], store: Path | None = None) -> tuple[float, float, float, str, str]:
    """Run a child; return (seconds, CPU seconds, peak RSS in MiB, stdout, stderr). A failing child raises :class:`StepFailed`."""
    env = dict(os.environ, COLUMNS="200")
    if store is not None:
        env["QUYHOACH_STORE"] = str(store)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise StepFailed(f"exit {code}: {' '.join(args)}\n{stderr.strip()[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout, stderr


STEPS = ("import", "reason", "check", "stats", "export")


def bench_size(quads: int, workdir: Path, shacl: bool, keep: bool, steps: tuple[str, ...] = STEPS,
               reuse: bool = False) -> dict:
    """The steps at one size (generation always; the others as ``steps`` says); return the row.

    ``reuse``: no generation nor import; the manifest and the store already in ``workdir`` (an
    earlier ``--keep`` run) are used as they are, by the steps after the import.

    A failing step is reported (on stderr and in the row's ``failures``) and the steps that need
    its result are marked skipped; the others still run.
    """
    qh = quyhoach_exe()
    data = workdir / f"national-{quads}.nq"
    store = workdir / f"store-{quads}"
    raw = workdir / f"raw-{quads}"
    if not reuse:
        for path in (store, raw):
            shutil.rmtree(path, ignore_errors=True)
    row: dict = {"target": quads, "failures": {}}
    peak = 0.0

    def step(name: str, args: list[str], on: Path | None = None) -> str | None:
        nonlocal peak
        print(f"  {name} …", file=sys.stderr, flush=True)
        try:
            seconds, cpu, rss, stdout, stderr = run(args, on)
        except StepFailed as exc:
            row[name] = "FAILED"
            row["failures"][name] = str(exc)
            print(f"  {name}: FAILED {exc}", file=sys.stderr, flush=True)
            return None
        row[name] = round(seconds, 2)
        row[f"{name} CPU"] = round(cpu, 2)
        row[f"{name} MiB"] = round(rss)
        peak = max(peak, rss)
        print(f"  {name}: {seconds:.1f} s ({cpu:.1f} s CPU), {rss:.0f} MiB", file=sys.stderr, flush=True)
        rules = Profile.parse_lines(stderr)  # what `quyhoach reason` prints per rule
        if rules:
            row[f"{name} rules"] = rules
        return stdout

    def skip(names: tuple[str, ...], why: str) -> None:
        for name in names:
            row[name] = f"skipped ({why})"
            print(f"  {name}: skipped ({why})", file=sys.stderr, flush=True)

    manifest_path = data.with_name(data.name.split(".")[0] + ".manifest.json")
    if reuse:  # an earlier --keep run's manifest and store
        if not manifest_path.is_file() or not store.is_dir():
            raise SystemExit(f"--reuse needs {manifest_path} and {store} (an earlier run with --keep)")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        row["quads"] = manifest["quads"]
        if data.is_file():
            row["MB"] = round(data.stat().st_size / 1e6)
    else:
        if step("generate", [sys.executable, str(HERE / "generate.py"), "--quads", str(quads), "-o", str(data)]) is None:
            skip(steps, "generate failed")
            return _finish(row, peak, keep, data, store)
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        row["quads"] = manifest["quads"]
        row["MB"] = round(data.stat().st_size / 1e6)
        if "import" not in steps:
            return _finish(row, peak, keep, data, store)
        raw_out = step("bulk_load (raw)", [sys.executable, "-c", _BULK_LOAD, str(raw), str(data)])
        if raw_out is not None:
            row["bulk_load (raw)"] = round(json.loads(raw_out)["bulk_load"], 2)  # the call alone, as for the import
        shutil.rmtree(raw, ignore_errors=True)
        import_out = step("import", [sys.executable, "-c", _IMPORT, str(store), str(data)])
        if import_out is None:
            skip(tuple(s for s in steps if s != "import"), "import failed")
            return _finish(row, peak, keep, data, store)
        row["import"] = round(json.loads(import_out)["import"], 2)  # the file alone, not the ontology + reference graph
        if raw_out is not None:
            row["ratio"] = round(row["bulk_load (raw)"] / row["import"], 2)
    if "reason" in steps:
        step("reason (full)", [qh, "reason"], store)
        one = step("reason (one document)", [sys.executable, "-c", _ONE_DOCUMENT, str(store), str(ONE_DOCUMENT)])
        if one is not None:
            split = json.loads(one)
            row["one document"] = " / ".join(f"{split[k]:.2f}" for k in ("extract", "write", "reason", "shacl"))
            row["one document (split)"] = split
    report_path = workdir / f"report-{quads}.json"
    if "check" in steps:
        check_args = [qh, "check", "--format", "json", "-o", str(report_path), "--param", f"today={TODAY}", "--fail-on", "never"]
        if step("check", check_args + ([] if shacl else ["--no-shacl"]), store) is not None:
            report = json.loads(report_path.read_text(encoding="utf-8"))
            slowest = max(report["checks"], key=lambda c: c["seconds"])
            row["slowest check"] = f"{slowest['name']} {slowest['seconds']:.1f} s"
            row["findings"] = len(report["findings"])
            row["planted"] = len(manifest["planted"])
            shacl_run = next((c for c in report["checks"] if c["name"] == "shacl"), None)
            if shacl_run is not None:
                row["shacl"] = round(shacl_run["seconds"], 2)
                row["shacl CPU"] = round(shacl_run["cpu_seconds"], 2)
                if shacl_run.get("parts"):
                    worst = max(shacl_run["parts"], key=lambda q: q["seconds"])
                    row["slowest shape query"] = f"{worst['query']} {worst['seconds']:.1f} s"
                    row["shacl queries"] = shacl_run["parts"]
            missed, extra = planted_gap(report, manifest)
            row["planted found"] = f"{len(manifest['expected']) - len(missed)}/{len(manifest['expected'])}"
            row["extra findings"] = len(extra)
            row["planted missed"] = missed
    if "stats" in steps:
        step("stats", [qh, "stats", "--json"], store)
    exported = workdir / f"export-{quads}.nq"
    if "export" in steps:
        step("export", [qh, "export", "--format", "nquads", "-o", str(exported)], store)
    return _finish(row, peak, keep, data, store, exported, report_path)


def _finish(row: dict, peak: float, keep: bool, data: Path, store: Path, *files: Path) -> dict:
    row["peak MiB"] = round(peak)
    if not keep:
        for path in (data, data.with_name(data.name.split(".")[0] + ".manifest.json"), *files):
            path.unlink(missing_ok=True)
        shutil.rmtree(store, ignore_errors=True)
    return row


COLUMNS = ("quads", "MB", "generate", "bulk_load (raw)", "import", "ratio", "reason (full)", "reason (one document)",
           "one document", "check", "slowest check", "shacl", "slowest shape query", "findings", "planted",
           "planted found", "extra findings", "stats", "export", "peak MiB")


def planted_gap(report: dict, manifest: dict) -> tuple[list, list]:
    """The expected (check, IRI) pairs of the manifest no finding names, and the findings naming none.

    The comparison of ``tests/test_synthetic_corpus.py``: a finding matches an expected pair when
    it is of that check and one of its entities is that IRI.
    """
    expected = {tuple(e) for e in manifest["expected"]}
    matched: set[tuple] = set()
    extra = []
    for finding in report["findings"]:
        iris = {e["iri"] for e in finding["entities"]}
        hits = {e for e in expected if e[0] == finding["check"] and e[1] in iris}
        if not hits:
            extra.append((finding["check"], sorted(iris)[:3]))
        matched |= hits
    return sorted(expected - matched), extra


def table(rows: list[dict]) -> str:
    """The rows as one markdown table (seconds, except where the column says otherwise)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |")
    return "\n".join(lines)


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    except OSError:
        mem = 0
    return f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def plot(rows: list[dict], path: Path) -> bool:
    """A log-log plot of each step's time against the size; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(8, 5))
    for name in ("generate", "bulk_load (raw)", "import", "reason (full)", "reason (one document)", "check", "stats", "export"):
        points = [(r["quads"], r[name]) for r in rows if name in r]
        if points:
            ax.plot([x for x, _ in points], [max(y, 0.01) for _, y in points], marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("quads")
    ax.set_ylabel("seconds")
    ax.set_title("quyhoach at national scale (synthetic corpus)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M,10M", help="comma-separated sizes in quads (20k, 1M, …)")
    parser.add_argument("--workdir", type=Path, default=None, help="where data and stores go (default: a temp dir)")
    parser.add_argument("--no-shacl", action="store_true", help="check without the SHACL shapes")
    parser.add_argument("--keep", action="store_true", help="keep the data, stores and exports")
    parser.add_argument("--reuse", action="store_true",
                        help="no generation nor import: run --steps on the manifest and store a --keep run left in --workdir")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"steps after generation (default: {','.join(STEPS)})")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    parser.add_argument("--plot", type=Path, default=None, help="write a log-log plot (PNG) here")
    parser.add_argument("--from-json", type=Path, nargs="*", default=None,
                        help="do not run: print the table (and plot) of rows saved by earlier --json runs")
    args = parser.parse_args(argv)
    if args.from_json:
        rows = [row for path in args.from_json for row in json.loads(path.read_text(encoding="utf-8"))["rows"]]
        rows.sort(key=lambda r: r["quads"])
        print(table(rows))
        if args.plot:
            print(f"\nplot: {args.plot}" if plot(rows, args.plot) else "\nplot skipped: matplotlib is not installed")
        return 0
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error("--plot needs matplotlib: pip install -e '.[bench]'")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="qh-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for quads in sizes:
        print(f"size {quads}:", file=sys.stderr, flush=True)
        steps = tuple(s.strip() for s in args.steps.split(",") if s.strip())
        rows.append(bench_size(quads, workdir, shacl=not args.no_shacl, keep=args.keep or args.reuse, steps=steps,
                               reuse=args.reuse))
        if args.json:
            args.json.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1), encoding="utf-8")
    print(f"Machine: {machine()}")
    print("Command: python benchmarks/bench_scale.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    print()
    print(table(rows))
    if args.plot:
        print(f"\nplot: {args.plot}" if plot(rows, args.plot) else "\nplot skipped: matplotlib is not installed")
    if args.workdir is None and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [(row["target"], name) for row in rows for name in row["failures"]]
    for target, name in failed:
        print(f"FAILED at {target}: {name} (see stderr and --json)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
