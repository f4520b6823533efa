"""Server settings: from ``quyhoach serve`` options or from ``QUYHOACH_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the web application needs to know; immutable once the server runs."""

    store_path: Path = Path("quyhoach-data")
    timeout: float = 30.0
    max_rows: int = 10_000
    workers: int = 2
    token: str | None = None
    cors: tuple[str, ...] = ()
    service_allow: tuple[str, ...] = field(default_factory=tuple)
    #: How long a request waits for a free worker before it is refused with 503.
    queue_wait: float | None = None
    #: Seconds start-up waits for the home counts and the label index before serving without them.
    cache_wait: float = 15.0
    #: Largest request body in bytes (413 above it); Graph Store uploads use ``max_upload``.
    max_body: int = 1024 * 1024
    #: Largest Graph Store upload in bytes (only with a token).
    max_upload: int = 64 * 1024 * 1024
    #: Longest query or update text in characters (413 above it).
    max_query: int = 100_000
    #: Address-space limit of each query worker in MiB (0: none); a worker past it dies, is
    #: replaced, and its client gets 503.
    worker_memory: int = 4096
    #: Seconds a client may take to send its request body (408 after it).
    body_timeout: float = 10.0
    #: Log every request (a line per SPARQL query); without it only failed, noted and slow queries.
    access_log: bool = False

    @property
    def wait_for_worker(self) -> float:
        """Seconds a request may wait for a free worker (default: the query timeout)."""
        return self.queue_wait if self.queue_wait is not None else self.timeout

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from ``QUYHOACH_STORE``, ``QUYHOACH_TIMEOUT``, ``QUYHOACH_MAX_ROWS``,
        ``QUYHOACH_WORKERS``, ``QUYHOACH_TOKEN``, ``QUYHOACH_CORS`` and
        ``QUYHOACH_SERVICE_ALLOW`` (the last two comma-separated), ``QUYHOACH_MAX_BODY``,
        ``QUYHOACH_MAX_UPLOAD``, ``QUYHOACH_MAX_QUERY``, ``QUYHOACH_WORKER_MEMORY`` (MiB) and
        ``QUYHOACH_BODY_TIMEOUT``, ``QUYHOACH_ACCESS_LOG`` (1: on)."""
        env = os.environ if environ is None else environ
        return cls(
            store_path=Path(env.get("QUYHOACH_STORE", "quyhoach-data")),
            timeout=float(env.get("QUYHOACH_TIMEOUT", "30")),
            max_rows=int(env.get("QUYHOACH_MAX_ROWS", "10000")),
            workers=max(1, int(env.get("QUYHOACH_WORKERS", "2"))),
            token=env.get("QUYHOACH_TOKEN") or None,
            cors=_split(env.get("QUYHOACH_CORS")),
            service_allow=_split(env.get("QUYHOACH_SERVICE_ALLOW")),
            max_body=int(env.get("QUYHOACH_MAX_BODY", str(cls.max_body))),
            max_upload=int(env.get("QUYHOACH_MAX_UPLOAD", str(cls.max_upload))),
            max_query=int(env.get("QUYHOACH_MAX_QUERY", str(cls.max_query))),
            worker_memory=int(env.get("QUYHOACH_WORKER_MEMORY", str(cls.worker_memory))),
            body_timeout=float(env.get("QUYHOACH_BODY_TIMEOUT", str(cls.body_timeout))),
            access_log=env.get("QUYHOACH_ACCESS_LOG", "") in ("1", "true", "yes"),
        )
