"""Benchmarks: the cost of the request checks per query, and HTML cleaning at size.

Run:  python benchmarks/bench_security.py [--html-mb 2 50]

Checks: every query of the named-query library (no SERVICE: caps and the substring pre-test only)
and the same queries with a SERVICE clause added (the full parse), each timed per call, side by
side with the anchor in the same run: pyoxigraph parsing and evaluating the same query on an
empty in-memory store (the least any query costs). HTML: ``html_to_text`` and ``clean_text`` on
a generated page, side by side with the anchor: lxml parsing the same page.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox

from quyhoach.api import outbound
from quyhoach.api.limits import check_text
from quyhoach.graph import named_queries as nq
from quyhoach.namespaces import PREFIXES


def _per_call(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def bench_checks(repeat: int) -> None:
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + f"PREFIX qhfn: <{nq.FUNCTIONS}>\n"
    queries = [prologue + nq.bound_text(q) for q in nq.discover()]
    empty = ox.Store()
    rows = []
    for text in queries:
        with_service = text.replace("WHERE {", "WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s0 ?p0 ?o0 } ", 1)

        def anchor(t=text):
            result = empty.query(t, custom_functions=nq.CUSTOM_FUNCTIONS)
            if not isinstance(result, ox.QueryBoolean):
                list(result)

        rows.append((
            _per_call(lambda t=text: (check_text(t, 100_000), outbound.may_reach_out(t)), repeat),
            _per_call(lambda t=with_service: (check_text(t, 100_000), outbound.check(t, False, ("query.wikidata.org",))),
                      max(1, repeat // 20)),
            _per_call(anchor, repeat),
        ))
    for name, index in (("caps + pre-test (no SERVICE)", 0), ("caps + full parse (SERVICE)", 1),
                        ("anchor: pyoxigraph on an empty store", 2)):
        values = [r[index] * 1e6 for r in rows]
        print(f"{name:40s} median {statistics.median(values):8.0f} µs   max {max(values):8.0f} µs"
              f"   ({len(values)} library queries)")


def bench_html(megabytes: float) -> None:
    import lxml.html

    from quyhoach.loaders.documents.clean import clean_text, html_to_text

    row = ("<p>Quy hoạch tỉnh Lạng Sơn thời kỳ 2021-2030, tầm nhìn đến năm 2050 số %d<br>dòng hai</p>"
           "<table><tr><td>a</td><td>b</td></tr></table>\n")
    n = int(megabytes * 1e6 / len(row.encode()))
    html = "<html><body><div class='content'>" + "".join(row % i for i in range(n)) + "</div></body></html>"
    t0 = time.perf_counter()
    lxml.html.document_fromstring(html)
    t1 = time.perf_counter()
    text, title = html_to_text(html)
    t2 = time.perf_counter()
    clean_text(text, title)
    t3 = time.perf_counter()
    print(f"HTML {len(html.encode()) / 1e6:5.1f} MB: html_to_text {t2 - t1:6.1f} s, clean_text {t3 - t2:6.1f} s"
          f"   (anchor: lxml parse {t1 - t0:5.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--html-mb", type=float, nargs="*", default=[2.0])
    args = parser.parse_args()
    bench_checks(args.repeat)
    for size in args.html_mb:
        bench_html(size)


if __name__ == "__main__":
    main()
