"""Diacritics-insensitive label search over an in-memory index built from the store at startup."""

from __future__ import annotations

from dataclasses import dataclass, field

from quyhoach.api.execute import Executor
from quyhoach.namespaces import ONTOLOGY_GRAPH
from quyhoach.text import ascii_key

LABELS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?s ?p ?label (SAMPLE(?t) AS ?type) WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel foaf:name }
  ?s ?p ?label .
  FILTER(isIRI(?s) && isLiteral(?label))
  OPTIONAL { ?s a ?t }
} GROUP BY ?s ?p ?label
"""

VOCABULARY_QUERY = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?term ?label WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?term rdfs:label ?label }} }}
"""

RANK_PROPERTIES = ("label", "prefLabel", "name", "altLabel", "hiddenLabel")


@dataclass
class Entry:
    """One searchable thing: its IRI, display labels and the keys it is found by."""

    iri: str
    label_vi: str | None = None
    label_en: str | None = None
    other: str | None = None
    type: str | None = None
    keys: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        """The label to show: Vietnamese, else English, else any other name, else the IRI."""
        return self.label_vi or self.other or self.label_en or self.iri


@dataclass
class Hit:
    """A search result."""

    entry: Entry
    score: int
    matched: str


class LabelIndex:
    """Labels, alternative and hidden labels of every IRI, keyed by :func:`ascii_key`."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def add(self, iri: str, prop: str, label: str, lang: str | None, rdf_type: str | None) -> None:
        """Index one label of ``iri``."""
        entry = self.entries.setdefault(iri, Entry(iri))
        if rdf_type and not entry.type:
            entry.type = rdf_type
        if prop.endswith("label") and prop.rsplit("#", 1)[-1] == "label":
            if lang == "vi" and not entry.label_vi:
                entry.label_vi = label
            elif lang and lang.startswith("en") and not entry.label_en:
                entry.label_en = label
            elif not lang and not entry.other:
                entry.other = label
        elif prop.endswith(("prefLabel", "name")) and not entry.other:
            entry.other = label
        entry.keys.add(ascii_key(label))

    def search(self, text: str, limit: int = 50) -> list[Hit]:
        """Entries whose labels contain every word of ``text`` (accents and case ignored), best first."""
        query = ascii_key(text)
        words = query.split()
        if not words:
            return []
        hits: list[Hit] = []
        for entry in self.entries.values():
            best: tuple[int, str] | None = None
            for key in entry.keys:
                score = _score(key, query, words)
                if score is not None and (best is None or score < best[0]):
                    best = (score, key)
            if best is not None:
                hits.append(Hit(entry, best[0], best[1]))
        # Ties: an entity whose own label is the query first, then places, then the rest.
        hits.sort(key=lambda h: (h.score, ascii_key(h.entry.label) != query, _place_rank(h.entry.iri),
                                 len(h.matched), h.entry.label))
        return hits[:limit]

    def __len__(self) -> int:
        return len(self.entries)


_PLACE_RANK = (("/id/unit/region/", 0), ("/id/unit/province", 0), ("/id/unit/district/", 1), ("/id/unit/", 2))


def _place_rank(iri: str) -> int:
    """Places before other things of the same name (a search for a name usually means the unit)."""
    return next((rank for part, rank in _PLACE_RANK if part in iri), 3)


def _score(key: str, query: str, words: list[str]) -> int | None:
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    if f" {query}" in f" {key}":
        return 2
    if query in key:
        return 3
    key_words = key.split()
    if all(any(k.startswith(w) for k in key_words) for w in words):
        return 4
    return None


async def build_index(executor: Executor) -> LabelIndex:
    """Read every label from the store (through a worker) into a new index."""
    result = await executor.rows(LABELS_QUERY)
    index = LabelIndex()
    for s, p, label, rdf_type in result.rows:
        if s is None or label is None or p is None:
            continue
        index.add(s.value, p.value, label.value, label.lang, rdf_type.value if rdf_type else None)
    return index


async def load_vocabulary(executor: Executor) -> dict[str, tuple[str | None, str | None]]:
    """Labels of ontology terms: IRI -> (Vietnamese, English)."""
    result = await executor.rows(VOCABULARY_QUERY)
    vocabulary: dict[str, tuple[str | None, str | None]] = {}
    for term, label in result.rows:
        if term is None or label is None:
            continue
        vi, en = vocabulary.get(term.value, (None, None))
        if label.lang == "vi":
            vi = vi or label.value
        elif not label.lang or label.lang.startswith("en"):
            en = en or label.value
        vocabulary[term.value] = (vi, en)
    return vocabulary
