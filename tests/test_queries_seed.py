"""Every named query on the seed store: it runs, returns the columns its header promises, and the
questions the seed corpus can answer do return rows."""

from __future__ import annotations

import pytest

from quyhoach.graph import named_queries as nq
from quyhoach.graph.store import KnowledgeStore

LIBRARY = nq.discover()

#: Queries that find nothing on the seed corpus (its figures add up, its dates agree, none of its
#: documents amends, replaces or repeals another: plan-adjustments is tested in test_changes).
EMPTY_ON_SEED = {"funding-parts-total", "funding-share-amount", "temporal-order", "conflicting-dates",
                 "plan-adjustments"}


@pytest.fixture(scope="module")
def seed(loaded_store):
    store = KnowledgeStore(loaded_store, read_only=True)
    yield store


@pytest.mark.parametrize("query", LIBRARY, ids=lambda q: q.name)
def test_query_on_the_seed_store(query, seed):
    params = {"q": "lang son"} if query.name == "search" else {}
    if query.name == "shared-units":  # needs a unit or a thing
        params = {"unit": "id:unit/province/20"}
    result = nq.run(seed, query, params)
    assert result.columns == [c.strip() for c in query.fields["returns"].split(",")]
    if query.name in EMPTY_ON_SEED:
        assert result.rows == [], f"{query.name} fired on the seed corpus"
    else:
        assert result.rows, f"{query.name} returned no rows on the seed corpus"


def test_mpi_duties_now_with_the_ministry_of_finance(seed):
    result = nq.run(seed, nq.find("responsibility"), {"agency": "id:agency/bo-ke-hoach-va-dau-tu"})
    holders = {nq.plain(row["currentHolder"]) for row in result.rows}
    assert holders == {"https://w3id.org/quyhoach/id/agency/bo-tai-chinh"}
    assert {nq.plain(row["changedOn"]) for row in result.rows} == {"2025-03-01"}
