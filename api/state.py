"""What the running application holds: settings, the worker pool, caches built from the store."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.requests import Request

from quyhoach.api.execute import Executor
from quyhoach.api.settings import Settings
from quyhoach.api.workers import WorkerPool


@dataclass
class AppState:
    """Shared by every request of one server process."""

    settings: Settings
    pool: WorkerPool
    executor: Executor
    #: Search index over labels (``quyhoach.api.search.LabelIndex``, on disk), rebuilt after updates.
    index: object | None = None
    #: Labels of ontology terms: IRI -> (vi, en).
    vocabulary: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    #: The home page's counts (``quyhoach.api.summary.Summary``), per store state; ``None`` until built.
    summary: object | None = None
    #: The builder run whose output is in use, the one still running, and the task waiting for it.
    built: object | None = None
    pending: object | None = None
    background: object | None = None
    #: ``/reports/latest`` answers of a read-only store, by filter (``quyhoach.api.reports.cached_report``).
    reports: OrderedDict = field(default_factory=OrderedDict)
    #: Rendered ``/reports/latest`` pages of a read-only store (``quyhoach.api.reports.CACHED_PAGES``).
    report_pages: OrderedDict = field(default_factory=OrderedDict)
    #: Source documents of a read-only store, by sha (``quyhoach.api.entity_model.source_document``).
    sources: OrderedDict = field(default_factory=OrderedDict)
    #: Whether a read-only store holds saved findings (asked once); ``None`` until asked.
    has_findings: bool | None = None


def get_state(request: Request) -> AppState:
    """The :class:`AppState` of the application serving ``request``."""
    return request.app.state.qh
