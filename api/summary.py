"""What pages keep from the whole store, computed once per store state in a separate process.

The home page's counts (triples per named graph, instances per class, loaded documents) and
the search index need the whole store; computing them per request would scan it. A builder
process (killable, outside the query timeout) opens the store read-only, writes
``summary.json``, the SQLite label index ``labels.sqlite`` and the list of loaded documents
``documents.sqlite`` (read a page at a time) into a fresh folder, and exits.
The web process swaps them in when they are ready; until then the home page says the counts
are being computed, and labels fall back to short IRIs. After an update they are rebuilt.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing as mp
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("quyhoach.api.summary")
_CTX = mp.get_context("spawn")


@dataclass
class Summary:
    """The home page's counts, and the loaded documents a page at a time."""

    classes: list[tuple[str, int]] = field(default_factory=list)
    graphs: int = 0
    triples: int = 0
    #: How many documents are loaded (exact; the list itself is in ``documents.sqlite``).
    documents: int = 0
    seconds: float = 0.0
    folder: Path | None = None

    def document_page(self, offset: int, limit: int) -> list[dict]:
        """Loaded documents ``offset`` to ``offset + limit`` (by date, then IRI), one indexed read."""
        if self.folder is None or offset >= self.documents:
            return []
        db = sqlite3.connect(f"file:{self.folder / 'documents.sqlite'}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT iri, sha, title, date, publisher FROM document WHERE n > ? ORDER BY n LIMIT ?",
                              (offset, limit)).fetchall()
        finally:
            db.close()
        return [dict(zip(("iri", "sha", "title", "date", "publisher"), row, strict=True)) for row in rows]


def build(store_path: str, out_dir: str) -> None:
    """Builder process: write ``summary.json``, ``labels.sqlite`` and ``documents.sqlite`` for the store into ``out_dir``.

    ``store_path``: the store as the workers open it (a folder, or a remote endpoint).
    """
    from quyhoach.api.search import index_labels
    from quyhoach.graph.stats import CLASS_COUNTS, GRAPH_COUNTS
    from quyhoach.graph.store import KnowledgeStore

    started = time.monotonic()
    store = KnowledgeStore(store_path, read_only=True)  # embedded or remote, as the workers open it
    out = Path(out_dir)
    entries = index_labels(store, str(out / "labels.sqlite"))
    graphs = [int(r["n"].value) for r in store.query(GRAPH_COUNTS)]
    classes = [(r["c"].value, int(r["n"].value)) for r in store.query(CLASS_COUNTS)][:500]
    documents = write_documents(store, out / "documents.sqlite")
    summary = {"classes": classes, "graphs": len(graphs), "triples": sum(graphs), "documents": documents,
               "entries": entries, "seconds": time.monotonic() - started}
    partial = out / "summary.json.part"  # renamed when complete: a reader never sees half a file
    partial.write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    partial.replace(out / "summary.json")


def write_documents(store, path: Path, batch: int = 1000) -> int:
    """Write every loaded document (streamed, in date order) into a new SQLite file; their count."""
    from quyhoach.api.pages import DOCUMENTS_QUERY

    db = sqlite3.connect(str(path))
    db.execute("CREATE TABLE document (n INTEGER PRIMARY KEY, iri TEXT, sha TEXT, title TEXT, date TEXT, publisher TEXT)")
    count, rows = 0, []
    for r in store.query(DOCUMENTS_QUERY, use_default_graph_as_union=True):
        if r["doc"] is None or r["sha"] is None:
            continue
        count += 1
        rows.append((count, r["doc"].value, r["sha"].value, r["title"].value if r["title"] else r["sha"].value,
                     r["date"].value if r["date"] else "", r["publisher"].value if r["publisher"] else ""))
        if len(rows) >= batch:
            with db:
                db.executemany("INSERT INTO document VALUES (?, ?, ?, ?, ?, ?)", rows)
            rows.clear()
    with db:
        db.executemany("INSERT INTO document VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.close()
    return count


def read_output(folder: Path, quiet: bool = False):
    """``(Summary, LabelIndex)`` from a builder's finished output folder; ``None`` if not there (yet)."""
    from quyhoach.api.search import LabelIndex

    path = folder / "summary.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    summary = Summary([tuple(c) for c in data["classes"]], data["graphs"], data["triples"],
                      data["documents"], data["seconds"], folder)
    if not quiet:
        log.info("summary built in %.1f s: %d labelled resources, %d triples; label index %.1f MB on disk",
                 data["seconds"], data["entries"], data["triples"], (folder / "labels.sqlite").stat().st_size / 1e6)
    return summary, LabelIndex(str(folder / "labels.sqlite"), readonly=True)


class Builder:
    """One run of the builder process and its output folder."""

    def __init__(self, store_path: Path) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="quyhoach-serve-"))
        self.process = _CTX.Process(target=build, args=(str(store_path), str(self.folder)), daemon=True)
        self.process.start()

    async def wait(self, timeout: float) -> bool:
        """Whether the builder finished (successfully or not) within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.process.is_alive():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    def result(self):
        """``(Summary, LabelIndex)`` of a finished run; ``None`` if it failed."""
        if self.process.exitcode != 0 or not (self.folder / "summary.json").exists():
            log.error("summary builder failed (exit code %s)", self.process.exitcode)
            return None
        return read_output(self.folder)

    def discard(self) -> None:
        """Stop the process if it still runs and delete the folder."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        shutil.rmtree(self.folder, ignore_errors=True)
