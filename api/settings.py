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

    @property
    def wait_for_worker(self) -> float:
        """Seconds a request may wait for a free worker (default: the query timeout)."""
        return self.queue_wait if self.queue_wait is not None else self.timeout

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from ``QUYHOACH_STORE``, ``QUYHOACH_TIMEOUT``, ``QUYHOACH_MAX_ROWS``,
        ``QUYHOACH_WORKERS``, ``QUYHOACH_TOKEN``, ``QUYHOACH_CORS`` and
        ``QUYHOACH_SERVICE_ALLOW`` (the last two comma-separated)."""
        env = os.environ if environ is None else environ
        return cls(
            store_path=Path(env.get("QUYHOACH_STORE", "quyhoach-data")),
            timeout=float(env.get("QUYHOACH_TIMEOUT", "30")),
            max_rows=int(env.get("QUYHOACH_MAX_ROWS", "10000")),
            workers=max(1, int(env.get("QUYHOACH_WORKERS", "2"))),
            token=env.get("QUYHOACH_TOKEN") or None,
            cors=_split(env.get("QUYHOACH_CORS")),
            service_allow=_split(env.get("QUYHOACH_SERVICE_ALLOW")),
        )
