"""SPARQL Update, applied while no reader has the store open.

pyoxigraph forbids a read-only opening while another process writes (undefined behaviour), so
an update first drains the worker pool (running queries finish or time out, every worker
exits), then a dedicated process opens the store read-write, applies the update in one
transaction and exits; then the workers start again and see the new data. The update process
is killed if it runs past the timeout: the transaction is then never committed.
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from pathlib import Path

from quyhoach.api.workers import _CTX, PoolBusy, QueryFailed, WorkerPool


def _update_main(store_path: str, text: str, conn: Connection) -> None:
    from quyhoach.errors import UserError
    from quyhoach.graph.store import KnowledgeStore

    try:
        store = KnowledgeStore(store_path, while_served=True)
    except UserError as exc:
        conn.send(("error", 503, str(exc)))
        return
    try:
        from quyhoach.graph import shacl_kept

        shacl_kept.forget(store)  # an update may change any source graph: the next check validates all
        store.update(text)
        conn.send(("ok",))
    except SyntaxError as exc:
        conn.send(("error", 400, f"syntax error: {exc}"))
    except UserError as exc:  # a remote engine refused the update
        conn.send(("error", 400, str(exc)))
    except Exception as exc:
        conn.send(("error", 500, f"update failed: {type(exc).__name__}: {exc}"))
    finally:
        store.close()


def run_update(store_path: Path, text: str, timeout: float) -> None:
    """Apply ``text`` in a separate read-write process; raise :class:`QueryFailed` on failure."""
    parent, child = _CTX.Pipe()
    process = _CTX.Process(target=_update_main, args=(str(store_path), text, child), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            process.kill()
            raise QueryFailed(503, f"update timed out after {timeout:g} s and was stopped; nothing was changed")
        message = parent.recv()
    except EOFError:
        raise QueryFailed(500, "the update process ended without an answer") from None
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
        parent.close()
    if message[0] == "error":
        raise QueryFailed(message[1], message[2])


def update_store(pool: WorkerPool, store_path: Path, text: str, timeout: float) -> None:
    """Drain the pool, apply the update, restart the pool (blocking: call it from a thread)."""
    try:
        with pool.exclusive(timeout + 5):
            run_update(store_path, text, timeout)
    except PoolBusy as exc:
        raise QueryFailed(503, f"server busy: {exc}", {"Retry-After": "2"}) from exc
