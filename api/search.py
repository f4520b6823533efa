"""Diacritics-insensitive label search over an SQLite index built from the store once per store state.

The index is written by a separate process at start-up and after updates
(:mod:`quyhoach.api.summary`); searches and label look-ups read it through its indexes.
Queries made only of words shorter than three letters match keys by prefix only (the trigram
index needs three letters).
"""

from __future__ import annotations

from dataclasses import dataclass

from quyhoach.api.execute import Executor
from quyhoach.namespaces import ONTOLOGY_GRAPH
from quyhoach.text import ascii_key

VOCABULARY_QUERY = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?term ?label WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?term rdfs:label ?label }} }}
"""

#: The labels, streamed (no GROUP BY): one row per label and type (the first type seen is kept).
LABELS_STREAM = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?s ?p ?label ?type WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel foaf:name }
  ?s ?p ?label .
  FILTER(isIRI(?s) && isLiteral(?label))
  LATERAL { OPTIONAL { SELECT ?s ?type WHERE { ?s a ?type } LIMIT 1 } }
}
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
    #: :func:`ascii_key` of :attr:`label` (written with the index; ``None`` when not read).
    label_key: str | None = None

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


class _Entries:
    """``index.entries``: a read-only mapping IRI -> :class:`Entry`, looked up in the database."""

    def __init__(self, index: LabelIndex) -> None:
        self.index = index

    def get(self, iri: str, default: Entry | None = None) -> Entry | None:
        """The entry of ``iri`` (one indexed look-up), or ``default``."""
        row = self.index.db.execute(
            "SELECT iri, label_vi, label_en, other, type FROM entry WHERE iri = ?", (iri,)).fetchone()
        return Entry(*row) if row else default

    def many(self, iris: list[str]) -> dict[str, Entry]:
        """The entries of ``iris`` that exist, by IRI (one statement through the primary key)."""
        import json

        rows = self.index.db.execute(
            "SELECT iri, label_vi, label_en, other, type, COALESCE(key_vi, key_other, key_en) FROM entry"
            " WHERE iri IN (SELECT value FROM json_each(?))",
            (json.dumps(iris),)).fetchall()
        return {row[0]: Entry(*row) for row in rows}

    def __getitem__(self, iri: str) -> Entry:
        entry = self.get(iri)
        if entry is None:
            raise KeyError(iri)
        return entry

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and self.get(iri) is not None


SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (iri TEXT PRIMARY KEY, label_vi TEXT, label_en TEXT, other TEXT, type TEXT,
    key_vi TEXT, key_en TEXT, key_other TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key (key TEXT NOT NULL, iri TEXT NOT NULL, PRIMARY KEY (key, iri)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS key_text USING fts5(key, tokenize='trigram');
"""
#: Most candidate keys read from the database per search before ranking.
CANDIDATES = 5000


class LabelIndex:
    """Labels, alternative and hidden labels of every IRI, keyed by :func:`ascii_key`, in SQLite.

    On disk (``path``) or in memory (no path). A search reads candidates through indexes (the
    key itself, its prefix range, and a trigram full-text index for words inside keys), never
    every label: at most :data:`CANDIDATES` keys are ranked per search.
    """

    def __init__(self, path: str | None = None, readonly: bool = False) -> None:
        import sqlite3

        if path and readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path or ":memory:", check_same_thread=False)
            self.db.executescript(SCHEMA)
        self.entries = _Entries(self)
        self._size: int | None = None

    def add(self, iri: str, prop: str, label: str, lang: str | None, rdf_type: str | None) -> None:
        """Index one label of ``iri``."""
        self.add_many([(iri, prop, label, lang, rdf_type)])

    def add_many(self, rows, text_index: bool = True) -> None:
        """Index ``(iri, property, label, lang, type)`` rows in one transaction.

        ``text_index``: bring the trigram index of distinct keys up to date afterwards (a bulk
        build passes ``False`` for every batch and calls :meth:`build_text_index` once at the end).
        """
        entry_rows, key_rows = [], []
        for iri, prop, label, lang, rdf_type in rows:
            vi = en = other = None
            if prop.endswith("label") and prop.rsplit("#", 1)[-1] == "label":
                if lang == "vi":
                    vi = label
                elif lang and lang.startswith("en"):
                    en = label
                elif not lang:
                    other = label
            elif prop.endswith(("prefLabel", "name")):
                other = label
            key = ascii_key(label)
            entry_rows.append((iri, vi, en, other, rdf_type, key if vi else None, key if en else None,
                               key if other else None))
            key_rows.append((key, iri))
        with self.db:
            self.db.executemany(
                "INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(iri) DO UPDATE SET"
                " label_vi = COALESCE(label_vi, excluded.label_vi), label_en = COALESCE(label_en, excluded.label_en),"
                " other = COALESCE(other, excluded.other), type = COALESCE(type, excluded.type),"
                " key_vi = COALESCE(key_vi, excluded.key_vi), key_en = COALESCE(key_en, excluded.key_en),"
                " key_other = COALESCE(key_other, excluded.key_other)", entry_rows)
            self.db.executemany("INSERT OR IGNORE INTO key VALUES (?, ?)", key_rows)
        if text_index:
            self.build_text_index()
        self._size = None

    def build_text_index(self) -> None:
        """(Re)write the trigram index: one row per distinct key (the IRIs are joined from ``key``)."""
        with self.db:
            self.db.execute("DELETE FROM key_text")
            self.db.execute("INSERT INTO key_text(key) SELECT DISTINCT key FROM key")

    def _candidates(self, query: str, words: list[str]) -> list[tuple[str, str]]:
        db = self.db
        found = db.execute("SELECT key, iri FROM key WHERE key >= ? AND key < ? LIMIT ?",
                           (query, query + "\U0010ffff", CANDIDATES)).fetchall()
        long_words = [w for w in words if len(w) >= 3]
        if long_words:
            match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
            found += db.execute("SELECT k.key, k.iri FROM (SELECT key FROM key_text WHERE key_text MATCH ? LIMIT ?) t"
                                " JOIN key k ON k.key = t.key LIMIT ?", (match, CANDIDATES, CANDIDATES)).fetchall()
        elif query != words[0]:  # only short words: keys that start with the first one
            found += db.execute("SELECT key, iri FROM key WHERE key >= ? AND key < ? LIMIT ?",
                                (words[0], words[0] + "\U0010ffff", CANDIDATES)).fetchall()
        return found

    def search(self, text: str, limit: int = 50) -> list[Hit]:
        """Entries whose labels contain every word of ``text`` (accents and case ignored), best first."""
        query = ascii_key(text)
        words = query.split()
        if not words:
            return []
        best: dict[str, tuple[int, str]] = {}
        for key, iri in self._candidates(query, words):
            score = _score(key, query, words)
            if score is not None and (iri not in best or score < best[iri][0]):
                best[iri] = (score, key)
        entries = self.entries.many(list(best))  # one statement for every candidate
        hits = [Hit(entries.get(iri) or Entry(iri), score, key) for iri, (score, key) in best.items()]
        # Ties: an entity whose own label is the query first, then places, then the rest.
        hits.sort(key=lambda h: (h.score, _label_key(h.entry) != query, _place_rank(h.entry.iri),
                                 len(h.matched), h.entry.label))
        return hits[:limit]

    def __len__(self) -> int:
        if self._size is None:
            self._size = self.db.execute("SELECT COUNT(*) FROM entry").fetchone()[0]
        return self._size


def _label_key(entry: Entry) -> str:
    return entry.label_key if entry.label_key is not None else ascii_key(entry.label)


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


def index_labels(store, path: str, batch: int = 20_000) -> int:
    """Write every label of a pyoxigraph ``store`` into a new on-disk index at ``path``; the entry count.

    Streams the labels (no grouping, no whole list in memory) in batches of ``batch`` rows, each
    batch two ``executemany`` statements; the whole build is one write session without a journal
    (a half-written file is never used: the builder's folder is discarded unless it finishes),
    and the trigram index is written once at the end from the distinct keys.
    """
    index = LabelIndex(path)
    index.db.execute("PRAGMA journal_mode = OFF")
    index.db.execute("PRAGMA synchronous = OFF")
    index.db.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache: bounded memory
    rows: list[tuple] = []
    for solution in store.query(LABELS_STREAM, use_default_graph_as_union=True):
        t = solution["type"]
        rows.append((solution["s"].value, solution["p"].value, solution["label"].value,
                     solution["label"].language, t.value if t is not None else None))
        if len(rows) >= batch:
            index.add_many(rows, text_index=False)
            rows.clear()
    index.add_many(rows, text_index=False)
    index.build_text_index()
    count = len(index)
    index.db.close()
    return count


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
