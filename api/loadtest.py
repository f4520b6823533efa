"""Latency and a bounded load test against a running server: ``python -m quyhoach.api.loadtest [URL]``.

Sends a fixed number of requests (never an open-ended flood): sequential requests per route for
latency, then 1000 SPARQL requests, 16 at a time. Meant for your own server on loopback.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

import httpx

SIMPLE = "SELECT ?p WHERE { <https://w3id.org/quyhoach/id/unit/province/20> ?p ?o } LIMIT 10"
JSON = {"Accept": "application/sparql-results+json"}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def latency(base: str, path: str, params: dict, n: int = 50) -> tuple[float, float]:
    """Median and 95th percentile (ms) of ``n`` sequential GETs after one warm-up."""
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get(path, params=params, headers=JSON)
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(path, params=params, headers=JSON)
            times.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return statistics.median(times), _p95(times)


async def load(base: str, total: int = 1000, concurrency: int = 16) -> dict:
    """``total`` simple SPARQL queries, ``concurrency`` at a time: throughput, latency, statuses."""
    gate = asyncio.Semaphore(concurrency)
    times: list[float] = []
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def one() -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.get("/sparql", params={"query": SIMPLE}, headers=JSON)
                times.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        wall = time.perf_counter() - began
    return {"rps": total / wall, "median": statistics.median(times), "p95": _p95(times), "statuses": statuses}


def main(base: str) -> None:
    """Print the figures quoted in docs/api.md."""
    routes = [
        ("sparql simple select", "/sparql", {"query": SIMPLE}, 50),
        ("named query responsibility", "/api/queries/responsibility", {"agency": "id:agency/bo-tai-chinh"}, 50),
        ("entity page province 20", "/id/unit/province/20", {}, 20),
        ("reports/latest", "/reports/latest", {}, 20),
    ]
    for name, path, params, n in routes:
        median, p95 = latency(base, path, params, n)
        print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms ({n} requests)")
    result = asyncio.run(load(base))
    print(f"load: 1000 requests, 16 concurrent: {result['rps']:.0f} req/s, median {result['median']:.1f} ms, "
          f"p95 {result['p95']:.1f} ms, statuses {result['statuses']}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
