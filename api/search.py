"""Diacritics-insensitive label search over an SQLite index built from the store once per store state.

The index is written by a separate process at start-up and after updates
(:mod:`quyhoach.api.summary`); searches and label look-ups read it through its indexes.
A query of one word shorter than three letters matches the keys that start with it only; a query
of such words only, the keys that start with its first word.
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


#: Look-ups (found or not) a read-only index keeps in memory, least recently used dropped first.
CACHED_ENTRIES = 8192


class _Entries:
    """``index.entries``: a read-only mapping IRI -> :class:`Entry`, looked up in the database
    (a read-only index keeps the last :data:`CACHED_ENTRIES` look-ups)."""

    def __init__(self, index: LabelIndex, cached: bool = False) -> None:
        import threading
        from collections import OrderedDict

        self.index = index
        self._cache: OrderedDict[str, Entry | None] | None = OrderedDict() if cached else None
        self._lock = threading.Lock()

    def get(self, iri: str, default: Entry | None = None) -> Entry | None:
        """The entry of ``iri`` (one indexed look-up, or none when kept), or ``default``."""
        cache = self._cache
        if cache is not None:
            with self._lock:
                if iri in cache:
                    cache.move_to_end(iri)
                    entry = cache[iri]
                    return entry if entry is not None else default
        row = self.index.db.execute(
            "SELECT iri, label_vi, label_en, other, type FROM entry WHERE iri = ?", (iri,)).fetchone()
        entry = Entry(*row) if row else None
        self._keep({iri: entry})
        return entry if entry is not None else default

    def prefetch(self, iris) -> None:
        """Look up every IRI of ``iris`` not kept yet in one statement (a read-only index; else nothing)."""
        if self._cache is None:
            return
        with self._lock:
            missing = list(dict.fromkeys(i for i in iris if i not in self._cache))[:CACHED_ENTRIES // 2]
        if missing:
            found = self.many(missing)
            self._keep({iri: found.get(iri) for iri in missing})

    def _keep(self, entries: dict[str, Entry | None]) -> None:
        if self._cache is None:
            return
        with self._lock:
            self._cache.update(entries)
            while len(self._cache) > CACHED_ENTRIES:
                self._cache.popitem(last=False)

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
CREATE TABLE IF NOT EXISTS label_key (key TEXT PRIMARY KEY, iris INTEGER NOT NULL, place INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hit (key TEXT NOT NULL, rank INTEGER NOT NULL, iri TEXT NOT NULL,
    PRIMARY KEY (key, rank, iri)) WITHOUT ROWID;
"""
#: The trigram index of the distinct keys (:data:`RANK_TEXT`): the searched text of each key
#: (:func:`indexed_text`) and the key itself.
KEY_TEXT = "CREATE VIRTUAL TABLE IF NOT EXISTS key_text USING fts5(text, key UNINDEXED, tokenize='trigram')"
#: Marks the start of a key (twice) and of each word (once) in its searched text, so that "starts
#: with", "a word starts with" and "contains" are each one substring match of the trigram index.
MARK = "\x02"

#: The ranks of a key's resources (``hit.rank``), written by :meth:`LabelIndex.build_text_index`: a
#: resource whose own (displayed) label has the key first, then places (:func:`_place_rank`).
RANK_HITS = """
INSERT INTO hit SELECT k.key, (CASE WHEN COALESCE(e.key_vi, e.key_other, e.key_en) = k.key THEN 0 ELSE 4 END)
    + place_rank(k.iri), k.iri FROM key k LEFT JOIN entry e ON e.iri = k.iri
"""
#: One row per distinct key: how many resources have it and the best place rank among them.
RANK_KEYS = "INSERT INTO label_key SELECT key, COUNT(*), MIN(rank % 4) FROM hit GROUP BY key"
#: The trigram index of the distinct keys, its rowids in search order within a match quality (the
#: best place rank among a key's resources, key length, key): a match read in rowid order comes
#: best first, so a search stops after the keys it uses instead of ranking every match.
RANK_TEXT = ("INSERT INTO key_text(rowid, text, key)"
             " SELECT ROW_NUMBER() OVER (ORDER BY place, length(key), key), indexed_text(key), key FROM label_key")


def _marked(text: str) -> str:
    """``text`` with a :data:`MARK` after every space (and any mark in it made another character)."""
    return text.replace(MARK, "\x01").replace(" ", " " + MARK)


def indexed_text(key: str) -> str:
    """What the trigram index holds for ``key``: two marks, then the key with a mark at each word start."""
    return MARK + MARK + _marked(key)


class LabelIndex:
    """Labels, alternative and hidden labels of every IRI, keyed by :func:`ascii_key`, in SQLite.

    On disk (``path``) or in memory (no path). A search reads candidates through indexes (the
    key itself, and a trigram full-text index whose rowids are the search order), never every
    label: it reads the keys of each match quality best first and stops when it has its answers
    (:meth:`_ranked_keys`).
    """

    def __init__(self, path: str | None = None, readonly: bool = False) -> None:
        import sqlite3

        if path and readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path or ":memory:", check_same_thread=False)
            self.db.executescript(SCHEMA)
            self.db.execute(KEY_TEXT)
        self.entries = _Entries(self, cached=bool(path and readonly))
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
        """(Re)write what searches read: the distinct keys (trigram index and ``label_key``) and
        the ranked ``hit`` rows of each key, all from ``key`` and ``entry``."""
        self.db.create_function("place_rank", 1, _place_rank, deterministic=True)
        self.db.create_function("indexed_text", 1, indexed_text, deterministic=True)
        with self.db:
            for table in ("label_key", "hit"):
                self.db.execute(f"DELETE FROM {table}")
            # written anew (deleted rows of a full-text table stay in its segments and slow every match)
            self.db.execute("DROP TABLE IF EXISTS key_text")
            self.db.execute(KEY_TEXT)
            self.db.execute(RANK_HITS)
            self.db.execute(RANK_KEYS)
            self.db.execute(RANK_TEXT)

    def _matching_keys(self, match: str):
        """Keys whose searched text (:func:`indexed_text`) matches the FTS5 expression ``match``, in
        rowid order (:data:`RANK_TEXT`: best place rank, shorter, key), read lazily."""
        cursor = self.db.execute("SELECT key FROM key_text WHERE key_text MATCH ? ORDER BY rowid", (match,))
        try:
            for (key,) in cursor:
                yield key
        finally:
            cursor.close()

    def _ranked_keys(self, query: str, words: list[str]):
        """Distinct keys for ``query``, best first, as ``(key, score)``: a lazy stream, so a search
        reads only as many keys as it uses.

        The order is match quality (:func:`_score`), then the best place rank among the key's
        resources, key length, key: every key of each quality, none left out. Quality by quality,
        the keys come from one match of the trigram index read in rank order (its rowids,
        :data:`RANK_TEXT`), which holds exactly the keys of that quality or better: the key itself;
        keys that start with the query (its text after the two start marks, :func:`indexed_text`);
        keys with a word that starts with it (after a mark); keys that contain it; keys in which
        every word starts a word. A match skips only the keys of the better qualities, which the
        stream has already given (and, being past them, had fewer than a search uses), so each
        read is bounded by the keys a search takes. A query made only of words shorter than three
        letters (one word: keys that start with it only) takes its other keys from those that
        start with its first word.
        """
        if self.db.execute("SELECT 1 FROM label_key WHERE key = ?", (query,)).fetchone():
            yield query, 0
        for key in self._matching_keys(_phrase(MARK + MARK + _marked(query))):
            if _score(key, query, words) == 1:
                yield key, 1
        short = all(len(word) < 3 for word in words)
        if short and len(words) == 1:
            return
        first = f" AND {_phrase(MARK + MARK + _marked(words[0]))}" if short else ""
        matches = [(2, _phrase(MARK + _marked(query)) + first), (3, _phrase(_marked(query)) + first)]
        if len(words) > 1:
            matches.append((4, " AND ".join(map(_word_start, words)) + first))
        for quality, match in matches:
            for key in self._matching_keys(match):
                if _score(key, query, words) == quality and (not short or key.startswith(words[0])):
                    yield key, quality

    def search(self, text: str, limit: int = 50) -> list[Hit]:
        """Entries whose labels contain every word of ``text`` (accents and case ignored), best first.

        Distinct keys come best first (:meth:`_ranked_keys`), at most ``4 * limit`` of them (spare
        keys: resources found under two keys count once); each is expanded to its resources in
        ``hit.rank`` order (own label first, then places, then by IRI) until ``limit`` resources
        are found: the work of a search is bounded by ``4 * limit`` keys and ``limit`` resources,
        however many resources share a label, and usually stops after the first keys.
        """
        query = ascii_key(text)
        words = query.split()
        if not words or limit < 1:
            return []
        found: dict[str, tuple[int, str]] = {}
        keys = self._ranked_keys(query, words)
        try:
            for n, (key, score) in enumerate(keys):
                if n >= 4 * limit:
                    break
                for (iri,) in self.db.execute("SELECT iri FROM hit WHERE key = ? ORDER BY rank, iri LIMIT ?",
                                              (key, limit)).fetchall():
                    if iri not in found:  # a resource under several keys: at its best one
                        found[iri] = (score, key)
                if len(found) >= limit:
                    break
        finally:
            keys.close()
        found = dict(list(found.items())[:limit])
        entries = self.entries.many(list(found))  # one statement for every hit
        return [Hit(entries.get(iri) or Entry(iri), score, key) for iri, (score, key) in found.items()]

    def __len__(self) -> int:
        if self._size is None:
            self._size = self.db.execute("SELECT COUNT(*) FROM entry").fetchone()[0]
        return self._size


def _score(key: str, query: str, words: list[str]) -> int | None:
    """How well ``key`` matches ``query`` (lower is better): 0 the key is the query, 1 starts with
    it, 2 a word starts with it, 3 contains it, 4 every word starts a word of the key; else ``None``."""
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    spaced = " " + key
    if " " + query in spaced:
        return 2
    if query in key:
        return 3
    if all(" " + word in spaced for word in words):
        return 4
    return None


def _phrase(text: str) -> str:
    """``text`` as one FTS5 string (a substring match in the trigram index)."""
    return '"' + text.replace('"', '""') + '"'


def _word_start(word: str) -> str:
    """The FTS5 expression of keys in which a word starts with ``word`` (a one-letter word: after
    a space or at the start, each three characters for the trigram index)."""
    if len(word) > 1:
        return _phrase(MARK + _marked(word))
    return f"({_phrase(' ' + MARK + _marked(word))} OR {_phrase(MARK + MARK + _marked(word))})"


_PLACE_RANK = (("/id/unit/region/", 0), ("/id/unit/province", 0), ("/id/unit/district/", 1), ("/id/unit/", 2))


def _place_rank(iri: str) -> int:
    """Places before other things of the same name (a search for a name usually means the unit)."""
    return next((rank for part, rank in _PLACE_RANK if part in iri), 3)


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
