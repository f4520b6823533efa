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
