"""Child processes the tools start (engines, servers under load test): stopping them cleanly."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen, grace: float = 20.0) -> None:
    """Stop ``process``: SIGTERM, wait up to ``grace`` seconds, then SIGKILL and reap it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
