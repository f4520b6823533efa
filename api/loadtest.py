"""Side-by-side load test: ``python -m quyhoach.api.loadtest --store DIR``.

Starts, one after the other on free loopback ports, ``quyhoach serve``, ``oxigraph
serve-read-only`` (PyPI ``oxigraph``) and, on small stores, rdflib-endpoint (PyPI
``rdflib-endpoint``, which holds the data in memory) over the same store, and sends each the
same point lookups ``SELECT ?p ?o WHERE { GRAPH ?g { <iri> ?p ?o } }`` rotating over
``--iris`` varied entity IRIs, at every ``--concurrency``, for ``--duration`` seconds each.
The driver is ``wrk`` (with a generated Lua script) when it is installed, else an asyncio
client. Then ``quyhoach serve`` alone is measured on its pages (entity pages of every kind,
source views, search, autocomplete, home, ``/reports/latest`` with its filters) at
``--page-clients`` concurrent clients, on the same server process after its point lookups
(``--concurrency 0``: pages only).

Prints one Markdown table per part: req/s, p50, p99 and errors (non-2xx answers and socket
errors). Only loopback servers started here are loaded; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from quyhoach.processes import stop_process

POINT = "SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"
JSON = "application/sparql-results+json"
ID = "https://w3id.org/quyhoach/id/"
#: Entity kinds sampled for the page test (path fragment after ``/id/``).
PAGE_KINDS = ("unit/", "agency/", "document/", "target/", "task/", "evidence/", "source/", "plan/", "project/",
              "event/", "statement/", "holding/")
#: The page test's searches (``/search``, 10 answers) and autocomplete prefixes (the search box's request).
SEARCH_WORDS = ("lang son", "ha noi", "bo tai chinh", "quy hoach", "giao thong", "cao bang", "dong", "tinh")
AUTOCOMPLETE_PREFIXES = ("lan", "ha n", "bo t", "quy h", "gia", "cao", "do", "tin", "ke h", "nghe")
#: Other names ``--servers`` takes.
ALIASES = {"rdflib-endpoint": "rdflib"}
#: rdflib-endpoint parses the whole store into memory; above this many quads it is skipped.
RDFLIB_MAX_QUADS = 200_000


@dataclass
class Result:
    """One measurement: a server at one concurrency."""

    server: str
    concurrency: int
    requests: int
    rps: float
    p50: float  # ms
    p99: float  # ms
    errors: int
    cpu_us: float = 0.0  # CPU time of all the server's processes per request, µs
    load: float = 0.0  # 1-minute load average at the end of the measurement


# ----------------------------------------------------------------------------- the data
def _typed_subjects(store_path: Path, per_class: int) -> list[str]:
    """Up to ``per_class`` data IRIs of every class (one look-up per class through the type index)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    classes = [r["t"] for r in store.query("SELECT DISTINCT ?t WHERE { GRAPH ?g { ?s a ?t } }")]
    found: list[str] = []
    for cls in classes:
        query = f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a {cls} }} }} LIMIT {per_class}"
        found.extend(r["s"].value for r in store.query(query) if r["s"].value.startswith(ID))
    return list(dict.fromkeys(found))


def sample_iris(store_path: Path, n: int) -> list[str]:
    """``n`` varied data IRIs that are subjects in the store, spread over its classes."""
    found = _typed_subjects(store_path, max(10, n // 10))
    if len(found) <= n:
        return found
    step = len(found) / n
    return [found[int(i * step)] for i in range(n)]


def page_paths(store_path: Path, per_kind: int = 30) -> dict[str, list[str]]:
    """URL paths of the page test, per group: entity pages of every kind, source views, search by
    word, autocomplete (the query editor's and the search box's request: a prefix, 10 answers,
    JSON), the home page, and ``/reports/latest`` unfiltered and filtered (by grouping, severity,
    check and concerned entity, from the saved findings). A group the store has nothing for is left out."""
    found = _typed_subjects(store_path, per_kind * 4)
    entities: list[str] = []
    sources: list[str] = []
    for kind in PAGE_KINDS:
        of_kind = [iri for iri in found if iri.startswith(ID + kind)]
        step = max(1, len(of_kind) // per_kind)
        for iri in of_kind[::step][:per_kind]:
            local = iri[len(ID):]
            if kind != "source/":
                entities.append("/id/" + quote(local, safe="/"))
            elif re.fullmatch(r"[0-9a-f]{16,64}", local.split("/", 1)[1]):  # copies' suffixed sources have no view
                sources.append("/source/" + local.split("/", 1)[1])
    search = [f"/search?{urlencode({'q': w, 'format': 'json', 'limit': 10})}" for w in SEARCH_WORDS]
    autocomplete = [f"/search?{urlencode({'limit': 10, 'q': w, 'format': 'json'})}" for w in AUTOCOMPLETE_PREFIXES]
    groups = {"entity pages": entities, "source views": sources, "search": search, "autocomplete": autocomplete,
              "home": ["/"], "/reports/latest": report_paths(store_path)}
    return {name: paths for name, paths in groups.items() if paths}


def report_paths(store_path: Path, entities: int = 20) -> list[str]:
    """``/reports/latest`` as a reader reaches it: the whole report, by entity, by severity, one
    check at a time and one concerned entity at a time (the links of entity pages), from the
    saved findings (only the unfiltered report when the store holds none)."""
    import pyoxigraph as ox

    from quyhoach.namespaces import FINDINGS_GRAPH

    store = ox.Store.read_only(str(store_path))
    graph = f"<{FINDINGS_GRAPH}>"
    qh = "https://w3id.org/quyhoach/ontology#"
    paths = ["/reports/latest"]
    checks = [r["c"].value for r in store.query(
        f"SELECT DISTINCT ?c WHERE {{ GRAPH {graph} {{ ?f <{qh}check> ?c }} }} LIMIT 100")]
    if not checks:
        return paths
    paths += ["/reports/latest?by=entity"] + [f"/reports/latest?{urlencode({'severity': s})}"
                                               for s in ("error", "warning", "info")]
    paths += [f"/reports/latest?{urlencode({'check': c.rsplit('/', 1)[1]})}" for c in checks]
    concerned = [r["e"].value for r in store.query(
        f"SELECT DISTINCT ?e WHERE {{ GRAPH {graph} {{ ?f <{qh}concerns> ?e }} }} LIMIT {entities * 20}")]
    step = max(1, len(concerned) // entities)
    paths += [f"/reports/latest?{urlencode({'by': 'entity', 'entity': e})}" for e in concerned[::step][:entities]]
    return paths


def load_averages() -> str:
    """The 1, 5 and 15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------------------- servers
def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(name: str, store_path: Path, nquads: Path | None, workers: int, log_dir: Path,
           http: str = "httptools", notes: dict | None = None) -> Iterator[tuple[str, int]]:
    """Start one server; yield the URL of its query endpoint and its process id; stop it.

    ``notes`` (if given) gets ``first answer`` (seconds) and ``memory`` (MiB after the run).
    """
    port = free_port()
    bin_dir = Path(sys.executable).parent
    if name == "quyhoach":
        cmd = [sys.executable, "-m", "quyhoach.cli", "--store", str(store_path), "serve", "--port", str(port),
               "--workers", str(workers), "--timeout", "10",
               "--http", http]
        endpoint = f"http://127.0.0.1:{port}/sparql"
    elif name == "oxigraph":
        cmd = [str(shutil.which("oxigraph", path=f"{bin_dir}:{os.environ.get('PATH', '')}")), "serve-read-only",
               "--location", str(store_path), "--bind", f"127.0.0.1:{port}"]
        endpoint = f"http://127.0.0.1:{port}/query"
    else:
        cmd = [str(shutil.which("rdflib-endpoint", path=f"{bin_dir}:{os.environ.get('PATH', '')}")), "serve",
               "--host", "127.0.0.1", "--port", str(port), str(nquads)]
        endpoint = f"http://127.0.0.1:{port}/"
    log = (log_dir / f"{name}-{port}.log").open("wb")
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {log.name}")
            try:
                probe = httpx.get(endpoint, params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON}, timeout=5)
                if probe.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > 300:
                raise RuntimeError(f"{name} did not answer within 300 s")
            time.sleep(0.2)
        first = time.monotonic() - started
        print(f"# {name}: first answer {first:.1f} s after start", file=sys.stderr)
        if name == "quyhoach":  # measure once the home counts and the label index are in (no builder running)
            home = endpoint.rsplit("/", 1)[0] + "/"
            while "being built" in httpx.get(home, timeout=30).text and time.monotonic() - started < 1800:
                time.sleep(1.0)
            ready = time.monotonic() - started
            print(f"# {name}: home counts and label index ready {ready:.1f} s after start", file=sys.stderr)
            if notes is not None:
                notes["index ready"] = ready
        yield endpoint, process.pid
        memory = rss_mb(process.pid)
        print(f"# {name}: resident memory {memory:.0f} MiB (all its processes) after the run", file=sys.stderr)
        if notes is not None:
            notes.update({"first answer": first, "memory": memory})
    finally:
        stop_process(process)
        log.close()


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux ``/proc``)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, MiB (Linux ``/proc``)."""
    total = 0
    for current in _tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        except (OSError, AttributeError):
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants, seconds (Linux ``/proc``)."""
    total = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------- drivers
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNIT[unit]


def wrk_run(url_base: str, paths: list[str], concurrency: int, duration: float, label: str) -> Result:
    """Run ``wrk`` rotating over ``paths`` (one Lua table); parse req/s, p50, p99 and errors."""
    host = url_base
    table = ",\n".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script = f"""local paths = {{ {table} }}
local i = 0
function setup(thread) thread:set("offset", math.random(#paths)) end
function init(args) i = offset or 0 end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {{ ["Accept"] = "{JSON}" }})
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        threads = min(2, concurrency)
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration:g}s", "--timeout", "15s",
             "--latency", "-s", handle.name, host],
            capture_output=True, text=True, timeout=duration + 60, check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    return Result(label, concurrency, total, rps, p50, p99, errors)


def client_run(url_base: str, paths: list[str], concurrency: int, duration: float, label: str) -> Result:
    """The same measurement with an asyncio client (when wrk is not installed)."""
    times: list[float] = []
    errors = 0

    async def main() -> None:
        nonlocal errors
        deadline = time.perf_counter() + duration
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=url_base, timeout=15, limits=limits) as client:

            async def loop(offset: int) -> None:
                nonlocal errors
                i = offset
                while time.perf_counter() < deadline:
                    i += 1
                    started = time.perf_counter()
                    try:
                        response = await client.get(paths[i % len(paths)], headers={"Accept": JSON})
                        errors += response.status_code >= 400
                    except httpx.HTTPError:
                        errors += 1
                    times.append((time.perf_counter() - started) * 1000)

            await asyncio.gather(*(loop(k * 97) for k in range(concurrency)))

    began = time.perf_counter()
    asyncio.run(main())
    wall = time.perf_counter() - began
    ordered = sorted(times) or [0.0]
    return Result(label, concurrency, len(times), len(times) / wall, statistics.median(ordered),
                  ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], errors)


def measure(url_base: str, paths: list[str], concurrency: int, duration: float, label: str, driver: str,
            pid: int | None = None) -> Result:
    """One measurement with the chosen driver; with ``pid``, the server's CPU time per request too."""
    run = wrk_run if driver == "wrk" else client_run
    before = cpu_seconds(pid) if pid else 0.0
    result = run(url_base, paths, concurrency, duration, label)
    if pid and result.requests:
        result.cpu_us = (cpu_seconds(pid) - before) / result.requests * 1e6
    result.load = os.getloadavg()[0]
    return result


def table(results: list[Result], title: str) -> str:
    """A Markdown table of ``results``."""
    lines = [f"\n{title}\n",
             "| server | concurrency | requests | req/s | p50 ms | p99 ms | CPU µs/request | load average | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.server} | {r.concurrency} | {r.requests} | {r.rps:,.0f} | {r.p50:.2f} | {r.p99:.2f} "
                     f"| {r.cpu_us:,.0f} | {r.load:.1f} | {r.errors} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, nargs="+",
                        help="store directories (read-only for every server), measured one after the other")
    parser.add_argument("--nquads", type=Path, help="N-Quads export of the (one) store, for rdflib-endpoint")
    parser.add_argument("--servers", default="quyhoach,oxigraph,rdflib",
                        help="comma-separated subset of quyhoach, oxigraph, rdflib (or rdflib-endpoint)")
    parser.add_argument("--concurrency", default="1,16,64", help="comma-separated connection counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--iris", type=int, default=1000, help="distinct entity IRIs to rotate over")
    parser.add_argument("--workers", type=int, default=2, help="quyhoach serve --workers")
    parser.add_argument("--http", default="httptools", help="quyhoach serve --http (httptools or h11)")
    parser.add_argument("--page-clients", type=int, default=8, help="concurrent clients for the page test (0: skip)")
    parser.add_argument("--driver", choices=("auto", "wrk", "client"), default="auto")
    parser.add_argument("--rdflib-max-quads", type=int, default=RDFLIB_MAX_QUADS,
                        help="skip rdflib-endpoint on stores above this many quads (it loads them into memory)")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder (default: discarded)")
    args = parser.parse_args(argv)
    for store in args.store:
        run_store(args, store)
    return 0


def run_store(args: argparse.Namespace, store: Path) -> None:
    """Every part of the test on one store; prints its tables."""
    driver = args.driver if args.driver != "auto" else ("wrk" if shutil.which("wrk") else "client")
    iris = sample_iris(store, args.iris)
    quads = _count(store)
    print(f"# store {store}: {quads} quads; {len(iris)} IRIs; driver {driver}; load average "
          f"{os.getloadavg()[0]:.2f} at start", file=sys.stderr)
    print(f"\nload average at start ({time.strftime('%H:%M', time.gmtime())} UTC): {load_averages()}")
    names = [ALIASES.get(n.strip(), n.strip()) for n in args.servers.split(",") if n.strip()]
    levels = [int(c) for c in args.concurrency.split(",") if int(c) > 0]
    results: list[Result] = []
    page_results: list[Result] = []
    notes: dict[str, dict] = {}
    groups = page_paths(store) if args.page_clients and "quyhoach" in names else {}
    with tempfile.TemporaryDirectory() as scratch:
        logs = Path(scratch)
        if args.logs:
            logs = args.logs
            logs.mkdir(parents=True, exist_ok=True)
        for name in names:
            nquads = args.nquads
            if name == "rdflib":
                if quads > args.rdflib_max_quads:
                    print(f"# rdflib: skipped ({quads} quads > {args.rdflib_max_quads}, it loads them into memory)",
                          file=sys.stderr)
                    continue
                if nquads is None:
                    nquads = logs / "store.nq"
                    _export(store, nquads)
            notes[name] = {}
            with server(name, store, nquads, args.workers, logs, args.http, notes[name]) as (endpoint, pid):
                base, _, path = endpoint.partition("127.0.0.1:")
                port, _, route = path.partition("/")
                url_base = f"{base}127.0.0.1:{port}"
                paths = [f"/{route}?{urlencode({'query': POINT.format(iri=iri)})}" for iri in iris]
                if levels:
                    measure(url_base, paths, min(levels), 2, name, driver)  # warm-up
                for level in levels:
                    results.append(measure(url_base, paths, level, args.duration, name, driver, pid))
                if name == "quyhoach":  # its pages, on the same server process
                    for group, pages in groups.items():
                        measure(url_base, pages, args.page_clients, 1, group, driver)  # warm-up
                        page_results.append(measure(url_base, pages, args.page_clients, args.duration,
                                                    f"{group} ({len(pages)})", driver, pid))
        if results:
            print(table(results, f"Point lookups over {len(iris)} IRIs, {quads} quads, {args.duration:g} s each"))
        if page_results:
            print(table(page_results, f"Pages of quyhoach serve (distinct pages per group), {quads} quads, "
                                      f"{args.page_clients} clients"))
        print("\n| server | first answer after start (s) | search index ready (s) | resident memory after the run "
              "(MiB, all processes) |")
        print("|---|---:|---:|---:|")
        for name, note in notes.items():
            print(f"| {name} | {note.get('first answer', float('nan')):.1f} | {note.get('index ready', float('nan')):.1f} "
                  f"| {note.get('memory', float('nan')):.0f} |")
    print(f"\nload average at end ({time.strftime('%H:%M', time.gmtime())} UTC): {load_averages()}")
    print(f"\n# load average {os.getloadavg()[0]:.2f} at end", file=sys.stderr)


def _count(store_path: Path) -> int:
    import pyoxigraph as ox

    return len(ox.Store.read_only(str(store_path)))


def _export(store_path: Path, out: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    store.dump(str(out), format=ox.RdfFormat.N_QUADS)


if __name__ == "__main__":
    sys.exit(main())
