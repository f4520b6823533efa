"""The document pipeline: read a file into a :class:`CleanDocument`, extract its RDF graph.

``read_source`` reads, decodes and cleans one file and attaches its metadata; ``extract``
(an rdflib graph) and ``extract_triples`` (an N-Triples document, what the loader stores) describe
the source, then run the extractors in a fixed order: legal documents and
citations, plans, events and people (they fill the shared :class:`ExtractionContext`), then
the thematic extractors (corridors, infrastructure, targets, funding, tasks). An exception in
any extractor aborts the whole document with a :class:`DocumentError`: the caller loads
nothing from it.
"""

from __future__ import annotations

import gc
import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import XSD, Graph, Literal

from quyhoach.loaders.documents.clean import clean_text
from quyhoach.loaders.documents.errors import DocumentError
from quyhoach.loaders.documents.read import DEFAULT_MAX_BYTES, read_raw
from quyhoach.loaders.documents.structure import is_furniture_text
from quyhoach.loaders.extract.dates import find_dates, merger_day_if_stated, parse_iso
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.namespaces import DCTERMS

#: Extractor modules under ``quyhoach.loaders.extract``, in the order they run.
EXTRACTORS = ("citations", "changes", "plans", "events", "corridors", "infrastructure", "projects", "targets", "funding", "tasks")

Extractor = Callable[[CleanDocument, Emitter, ExtractionContext], None]


def read_source(
    path: str | os.PathLike, metadata: dict | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> CleanDocument:
    """Read ``path`` into a :class:`CleanDocument`; raise :class:`DocumentError` if it cannot be read."""
    path = Path(path)
    metadata = dict(metadata or {})
    raw = read_raw(path, max_bytes)
    cleaned = clean_text(raw.text, title=str(metadata.get("title") or raw.title or ""))
    if not cleaned.text.strip():
        raise DocumentError(path, "no article text left after removing page furniture")
    text = cleaned.text
    published, precision = parse_iso(metadata.get("date"))
    extra: dict = {
        "page_title": raw.title,
        "page_headings": raw.headings,
        "encoding": raw.encoding,
        "source_credit": cleaned.source_credit,
        "stamps": cleaned.stamps,
        "removed_lines": cleaned.removed_lines,
    }
    if published is not None:
        extra["date_precision"] = precision
        extra["date_source"] = "metadata"
    else:
        for stamp in cleaned.stamps:
            found = find_dates(stamp, include_short=False)
            if found and found[0].precision == "day":
                published, precision = found[0].value, "day"
                extra["date_precision"] = "day"
                extra["date_source"] = "page stamp"
                break
    for key in ("title_en", "seed", "kind"):
        if metadata.get(key):
            extra[key] = metadata[key]
    doc = CleanDocument(
        text=text,
        path=str(path),
        kind=str(metadata.get("kind") or ""),
        publisher=str(metadata.get("publisher") or ""),
        published=published if precision == "day" else None,
        url=str(metadata.get("url") or cleaned.source_url or ""),
        media_type=raw.media_type,
        extra={**extra, "published_approx": published},
    )
    doc.title = str(metadata.get("title") or _own_title(doc, raw.title))
    header = doc.structure.header
    if doc.published is None and header is not None and header.date is not None and header.number is not None:
        # a document's own header dates it better than a page stamp
        doc.published = header.date
        doc.extra.update(date_precision="day", date_source="document header", published_approx=header.date)
    return doc


def _own_title(doc: CleanDocument, page_title: str) -> str:
    """The document's own title: its header's type, number and trích yếu; else the page title the
    reader found (unless it is furniture); else the first line that is not furniture."""
    structure = doc.structure
    if structure.header is not None and structure.title:
        return structure.title
    if page_title and not is_furniture_text(page_title):
        return page_title
    return structure.title or _first_line(doc.text, structure)


def _first_line(text: str, structure=None) -> str:
    """The first line of ``text`` that is not page furniture, shortened to 200 characters."""
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if line.strip() and not (structure is not None and structure.is_furniture(Span(start, start + len(line)))):
            line = line.strip().replace("\t", " ")
            return line if len(line) <= 200 else line[:197].rsplit(" ", 1)[0] + "…"
    return ""


def _default_resolver():
    try:
        from quyhoach.loaders.reference.resolver import get_resolver
    except ImportError:
        return None
    return get_resolver()


def load_extractor(name: str) -> Extractor:
    """The ``extract`` function of the extractor module ``name``."""
    module = importlib.import_module(f"quyhoach.loaders.extract.{name}")
    return module.extract


def extract(doc: CleanDocument, resolver=None, extractors: tuple[str | Extractor, ...] = EXTRACTORS) -> Graph:
    """Extract the RDF graph of ``doc``; any extractor failure raises :class:`DocumentError`.

    ``extractors`` names modules of ``quyhoach.loaders.extract`` (or gives extractor functions);
    they run in order and share one :class:`ExtractionContext`. The loader uses
    :func:`extract_triples` (the same triples, without building an rdflib graph).
    """
    return run_extractors(doc, resolver, extractors).graph


def extract_triples(
    doc: CleanDocument, resolver=None, extractors: tuple[str | Extractor, ...] = EXTRACTORS
) -> bytes:
    """The triples of :func:`extract` as one N-Triples document (UTF-8), ready for
    ``KnowledgeStore.replace_graph``, which hands it to the engine's parser in one call."""
    with _cycle_collector_paused():  # one pause over extraction and hand-over: one collection after
        emitter = run_extractors(doc, resolver, extractors)
        triples = emitter.ntriples()
        emitter.release()  # freed by reference counting, not left for the collector to find
    return triples


def run_extractors(doc: CleanDocument, resolver=None, extractors: tuple[str | Extractor, ...] = EXTRACTORS) -> Emitter:
    """Describe the source and run ``extractors`` on ``doc``; the :class:`Emitter` holding the result."""
    if resolver is None:
        resolver = _default_resolver()
    emitter = Emitter(doc)
    emitter.describe_source()
    approx = doc.extra.get("published_approx")
    if doc.published is None and approx is not None:
        precision = doc.extra.get("date_precision")
        if precision == "month":
            emitter.triples.add((doc.iri, DCTERMS.date, Literal(f"{approx:%Y-%m}", datatype=XSD.gYearMonth)))
        elif precision == "year":
            emitter.triples.add((doc.iri, DCTERMS.date, Literal(f"{approx:%Y}", datatype=XSD.gYear)))
    # an undated page saying the 2025 merger has happened speaks of the merged provinces
    ctx = ExtractionContext(as_of=doc.published or approx or merger_day_if_stated(doc.text), resolver=resolver)
    with _cycle_collector_paused():
        for item in extractors:
            name = item if isinstance(item, str) else getattr(item, "__name__", "extractor")
            try:
                function = load_extractor(item) if isinstance(item, str) else item
                function(doc, emitter, ctx)
            except DocumentError:
                raise
            except Exception as exc:
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                reason = f"extractor '{name}' failed: {type(exc).__name__}" + (f": {message}" if message else "")
                raise DocumentError(doc.path or "<text>", reason) from exc
    return emitter


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: extraction allocates many small acyclic objects (tokens,
    matches, terms), which reference counting frees, and the collector's repeated passes over
    them cost a quarter of the extraction time. It runs again (and catches up) afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
