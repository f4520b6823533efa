"""Start a local SPARQL engine (Oxigraph server, Virtuoso) as a separate process, for tests and benchmarks.

Each engine runs on free local ports with its data in a given directory and is stopped with
:meth:`Engine.stop`. Starting fails with :class:`EngineUnavailable` and the reason (command
missing, did not answer in time, with the end of its log).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from quyhoach.processes import stop_process

VIRTUOSO_INI = Path(__file__).with_name("engines") / "virtuoso.ini"


class EngineUnavailable(RuntimeError):
    """The engine could not be started."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Engine:
    """A running engine: its name, the ``--store`` URL that reaches it, and its process."""

    name: str
    url: str
    process: subprocess.Popen
    log: Path
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        """Stop the process (terminate, then kill)."""
        stop_process(self.process, grace=30)


def _wait(engine: Engine, probe: str, seconds: float) -> Engine:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            break
        try:
            if httpx.get(probe, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return engine
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    engine.stop()
    tail = engine.log.read_text(errors="replace")[-800:] if engine.log.exists() else ""
    raise EngineUnavailable(f"{engine.name} did not answer at {probe} within {seconds:g} s; log: {tail}")


def _command(name: str, hint: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise EngineUnavailable(f"'{name}' not found: {hint}")
    return exe


def start_oxigraph(directory: Path, timeout_s: int = 60, wait: float = 60) -> Engine:
    """``oxigraph serve`` on a free port with its data in ``directory``; URL: the base URL."""
    import sys

    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or _command(
        "oxigraph", "pip install oxigraph")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = directory.parent / f"{directory.name}-oxigraph.log"
    process = subprocess.Popen(
        [exe, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    engine = Engine("oxigraph-server", f"http://127.0.0.1:{port}", process, log)
    return _wait(engine, f"{engine.url}/query", wait)


def start_virtuoso(
    directory: Path, timeout_s: int = 60, buffers: int = 20_000, max_rows: int = 100_000_000, wait: float = 90,
    dirs_allowed: tuple[Path, ...] = (),
) -> Engine:
    """``virtuoso-t +foreground`` with a fresh database in ``directory``; URL with the dba account.

    ``buffers`` is ``NumberOfBuffers`` (8 KiB pages: 85 000 per GB given to Virtuoso), with
    ``MaxDirtyBuffers`` at three quarters of it; ``dirs_allowed`` are directories the server may
    read files from (its bulk loader, :func:`virtuoso_bulk_load`).
    """
    exe = _command("virtuoso-t", "apt-get install virtuoso-opensource")
    directory.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    config = directory / "virtuoso.ini"
    config.write_text(VIRTUOSO_INI.read_text().format(
        dir=directory, sql_port=sql_port, http_port=http_port, buffers=buffers,
        dirty_buffers=buffers * 3 // 4, max_rows=max_rows, timeout=timeout_s,
        dirs_allowed="".join(f", {Path(d).resolve()}" for d in dirs_allowed)))
    log = directory / "stdout.log"
    process = subprocess.Popen(
        [exe, "+configfile", str(config), "+foreground"], cwd=directory,
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    engine = Engine("virtuoso", f"http://dba:dba@127.0.0.1:{http_port}/sparql", process, log,
                    {"sql_port": sql_port})
    return _wait(engine, f"http://127.0.0.1:{http_port}/sparql", wait)


def virtuoso_bulk_load(engine: Engine, path: Path, loaders: int = 1, timeout: float | None = None) -> str:
    """Load an N-Quads/N-Triples file with Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run``).

    The file's directory must be one of the server's ``DirsAllowed`` (``start_virtuoso(dirs_allowed=...)``);
    ``loaders`` parallel ``rdf_loader_run()`` calls; a ``checkpoint`` ends it. Returns isql's
    output; raises :class:`RuntimeError` with the loader's error if the file was not loaded.
    """
    path = Path(path).resolve()
    isql = _command("isql-vt", "apt-get install virtuoso-opensource")
    port = f"127.0.0.1:{engine.extra['sql_port']}"
    run = [isql, port, "dba", "dba"]
    register = f"ld_dir('{path.parent}', '{path.name}', 'urn:x-quyhoach:default');"
    out = subprocess.run([*run, f"exec={register}"], capture_output=True, text=True, timeout=60).stdout
    workers = [subprocess.Popen([*run, "exec=rdf_loader_run();"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True) for _ in range(loaders)]
    out += "".join(w.communicate(timeout=timeout)[0] for w in workers)
    status = "checkpoint; SELECT ll_state, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file = '" + str(path) + "';"
    out += subprocess.run([*run, f"exec={status}"], capture_output=True, text=True, timeout=timeout).stdout
    if "NULL" not in out.rsplit("ll_error", 1)[-1]:
        raise RuntimeError(f"Virtuoso bulk load of {path} failed: {out[-600:]}")
    return out


def oxigraph_preload(directory: Path, path: Path):
    """``oxigraph load --location directory --file path --lenient`` (before ``serve`` opens the directory).

    The operator's bulk path: the file goes into the store's files without a server or HTTP.
    Validate the file first (``quyhoach.loaders.rdf.validate``): ``--lenient`` skips the checks.
    Returns the process's resource usage (``os.wait4``: CPU time, ``ru_maxrss`` in KiB); raises
    :class:`RuntimeError` with the end of its output if it fails.
    """
    import os
    import sys
    import tempfile

    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or _command(
        "oxigraph", "pip install oxigraph")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([exe, "load", "--location", str(directory), "--file", str(path), "--lenient"],
                                   stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"oxigraph load failed: {log.read()[-600:].decode(errors='replace')}")
    return usage
