"""Shared fixtures: temporary stores, the path of the repository, the quyhoach command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A path for a fresh on-disk store."""
    return tmp_path / "store"


def run_cli(*args: str, store: Path | None = None, timeout: int = 600, **kwargs) -> subprocess.CompletedProcess:
    """Run the installed ``quyhoach`` command as a real process."""
    exe = shutil.which("quyhoach", path=str(Path(sys.executable).parent)) or shutil.which("quyhoach")
    env = dict(os.environ)
    if store is not None:
        env["QUYHOACH_STORE"] = str(store)
    env.setdefault("COLUMNS", "200")
    return subprocess.run(
        [exe, *args], capture_output=True, text=True, timeout=timeout, env=env, **kwargs
    )


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory) -> Path:
    """A store loaded once per test session with the reference graph and the bundled corpus."""
    path = tmp_path_factory.mktemp("seed") / "store"
    result = run_cli("load", store=path)
    assert result.returncode == 0, result.stderr
    return path


#: The store backends every test of tests/test_backends.py runs on.
BACKENDS = ("embedded", "oxigraph-server", "virtuoso")


@pytest.fixture(scope="session", params=BACKENDS)
def store_backend(request, tmp_path_factory):
    """``(name, --store spec)`` of a store loaded once with the seed corpus, on each backend.

    The engines (``oxigraph serve``, ``virtuoso-t``) run as separate processes on free ports for
    the session; one that cannot start fails the tests with the reason (no skip).
    """
    from quyhoach.graph.engines import EngineUnavailable, start_oxigraph, start_virtuoso

    name = request.param
    base = tmp_path_factory.mktemp(f"backend-{name}")
    engine = None
    if name == "embedded":
        spec = str(base / "store")
    else:
        try:
            engine = start_oxigraph(base / "db") if name == "oxigraph-server" else start_virtuoso(base / "db")
        except EngineUnavailable as exc:
            pytest.fail(f"cannot start {name}: {exc}")
        spec = engine.url
    try:
        result = run_cli("load", store=spec)
        assert result.returncode == 0, result.stderr
        yield name, spec
    finally:
        if engine is not None:
            engine.stop()


@pytest.fixture(scope="module")
def listener():
    """A listener on a free local port that records every connection; closed after the module."""
    from tests.listener import Listener

    lst = Listener()
    yield lst
    lst.close()
