"""K disjoint copies of the seed store give every named query exactly K times the rows of one copy.

Each copy is its own country (``quyhoach.graph.replicate``), so a query or a reasoning rule that
joins unrelated documents (every lower plan to every national master plan, say) gives more than
K times the rows. The queries run as an analyst runs them on the whole store: parameters at their
defaults, ``today`` fixed, ``search`` with the words of its example.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter

import pytest

from quyhoach.graph import named_queries as nq
from tests.test_check_scaling import _copies, seed_export  # noqa: F401  (a fixture)

TODAY = "2026-01-01"
#: The analyst's queries (the checks are compared finding by finding in test_check_scaling.py).
QUERIES = [q for q in nq.discover() if not q.severity]


def _params(query: nq.NamedQuery) -> dict[str, str]:
    params = {"today": TODAY} if any(p.name == "today" for p in query.params) else {}
    if query.name == "search" or "requires" in query.fields:
        words = shlex.split(query.example)
        params.update(dict([words[words.index("--param") + 1].split("=", 1)]))
    return params


def _rows(store, query: nq.NamedQuery) -> Counter:
    """The rows of ``query``, each as the tuple of its values with the copy suffix taken out."""
    result = nq.run(store, query, _params(query))
    return Counter(
        tuple(_unsuffixed(nq.plain(row[c])) if row[c] is not None else None for c in result.columns)
        for row in result.rows
    )


def _unsuffixed(text: str) -> str:
    """``text`` without the copy suffixes, and (for ``GROUP_CONCAT`` lists) its ", " parts sorted."""
    return ", ".join(sorted(re.sub(r"-c\d+\b", "", text).split(", ")))


@pytest.fixture(scope="module")
def stores(seed_export, tmp_path_factory):  # noqa: F811
    tmp = tmp_path_factory.mktemp("query-scaling")
    one, three = _copies(seed_export, 1, tmp), _copies(seed_export, 3, tmp)
    yield one, three
    one.close()
    three.close()


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_three_copies_give_three_times_the_rows(stores, query):
    one, three = stores
    single = _rows(one, query)
    triple = _rows(three, query)
    assert sum(triple.values()) == 3 * sum(single.values()), (query.name, sum(single.values()), sum(triple.values()))
    assert triple == Counter({row: 3 * n for row, n in single.items()})


def test_plan_hierarchy_links_each_plan_within_its_country(stores):
    one, three = stores
    query = nq.find("plan-hierarchy")
    links = {(nq.plain(r["plan"]), nq.plain(r["conformsTo"])) for r in nq.run(three, query).rows if r["conformsTo"]}
    assert links, "no conformity in the seed: the comparison proves little"
    crossing = {(a, b) for a, b in links if a.rsplit("-c", 1)[-1] != b.rsplit("-c", 1)[-1]}
    assert not crossing, sorted(crossing)[:5]
    national = {b for _a, b in links if "/plan/national-master/" in b}
    assert len(national) == 3
