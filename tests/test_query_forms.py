"""The library's fast forms of the analyst queries give the same rows as their direct forms."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from quyhoach.graph import named_queries as nq
from quyhoach.graph.store import KnowledgeStore

REFERENCE = Path(__file__).parent / "reference_queries"


@pytest.fixture(scope="module")
def seed(loaded_store):
    store = KnowledgeStore(loaded_store, read_only=True)
    yield store
    store.close()


def _rows(store, query: nq.NamedQuery, params: dict[str, str]) -> Counter:
    result = nq.run(store, query, params)
    return Counter(tuple(sorted((k, str(v)) for k, v in row.items() if v is not None)) for row in result.rows)


@pytest.mark.parametrize(("name", "params"), [
    ("responsibility", {}),
    ("responsibility", {"agency": "id:agency/bo-tai-chinh"}),
    ("responsibility", {"unit": "id:unit/province/12"}),
    ("citations", {}),
    ("citations", {"document": "id:doc/nd-cp/2019/37"}),
])
def test_fast_form_gives_the_rows_of_the_direct_form(seed, name, params):
    fast = _rows(seed, nq.find(name), params)
    direct = _rows(seed, nq.load_query(REFERENCE / f"{name}.rq"), params)
    assert fast, f"{name} {params}: no rows on the seed store"
    assert fast == direct
