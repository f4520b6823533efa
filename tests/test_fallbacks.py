"""The standard-SPARQL stand-in for qhfn:fold folds every seed label as the custom function does."""

from __future__ import annotations

import pyoxigraph as ox

from quyhoach.graph.fallbacks import rewrite_custom_functions
from quyhoach.text import ascii_key

LABELS = """
PREFIX qhfn: <https://w3id.org/quyhoach/function#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?text (qhfn:fold(?text) AS ?folded) WHERE { ?s rdfs:label ?text FILTER(LANG(?text) = "vi") }
"""


def test_fold_rewrite_matches_ascii_key_on_seed_labels(loaded_store):
    store = ox.Store.read_only(str(loaded_store))
    sparql = rewrite_custom_functions(LABELS)
    assert "qhfn:fold" not in sparql.split("SELECT", 1)[1]
    rows = list(store.query(sparql, use_default_graph_as_union=True))
    assert len(rows) > 100
    wrong = [(r["text"].value, r["folded"].value) for r in rows if r["folded"].value != ascii_key(r["text"].value)]
    assert not wrong, wrong[:5]


def test_fold_rewrite_nested_and_iri():
    store = ox.Store()
    sparql = rewrite_custom_functions(
        'SELECT ?a ?b WHERE { BIND(<https://w3id.org/quyhoach/function#fold>(CONCAT("Đồng ", "Đăng")) AS ?a) '
        "BIND(<https://w3id.org/quyhoach/function#fold>(<http://x>) AS ?b) }"
    )
    row = next(iter(store.query(sparql)))
    assert row["a"].value == "dong dang" and row["b"] is None


def test_lateral_becomes_plain_optional_for_engines_without_it() -> None:
    from quyhoach.graph.fallbacks import without_lateral

    text = ('SELECT * WHERE { ?e <http://x/p> ?v LATERAL { OPTIONAL { ?v <http://x/q> "a}b" } } '
            'LATERAL { OPTIONAL { SELECT ?v ?t WHERE { ?v a ?t } LIMIT 1 } } }')
    out = without_lateral(text)
    assert "LATERAL" not in out and "LIMIT" not in out
    assert 'OPTIONAL { ?v <http://x/q> "a}b" }' in out and "OPTIONAL {  ?v a ?t  }" in out
    # the rewritten query is still SPARQL (pyoxigraph parses it)
    import pyoxigraph as ox

    list(ox.Store().query(out))
