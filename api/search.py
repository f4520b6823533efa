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
#: (:func:`indexed_text`), the first letters of its words (:func:`initials`) and the key itself.
KEY_TEXT = ("CREATE VIRTUAL TABLE IF NOT EXISTS key_text USING fts5(text, initials, key UNINDEXED,"
            " tokenize='trigram')")
#: Marks the start of a key (twice: a trigram needs three characters), so that "starts with" is
#: one substring match of the trigram index, as "a word starts with" (after a space) and "contains" are.
START = "\x02\x02"
#: Marks each first letter of a word in :func:`initials` (a one-letter word is no trigram).
INITIAL = "\x03\x03"
#: Keys that start with the query, up to this many, are read from the key B-tree and ranked here;
#: past it, from the trigram index in rank order.
RANGE_READ = 256

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
RANK_TEXT = ("INSERT INTO key_text(rowid, text, initials, key) SELECT ROW_NUMBER() OVER"
             " (ORDER BY place, length(key), key), indexed_text(key), initials(key), key FROM label_key")


def _searched(text: str) -> str:
    """``text`` as the trigram index holds it (a mark in it made another character)."""
    return text.replace("\x02", "\x01").replace("\x03", "\x01")


def initials(key: str) -> str:
    """The first letter of every word of ``key`` (after a space, or first), each after :data:`INITIAL`."""
    return " ".join(INITIAL + word[0] for word in _searched(key).split(" ") if word)


def indexed_text(key: str) -> str:
    """What the trigram index holds for ``key``: the start marks, then the key."""
    return START + _searched(key)


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
        self.db.create_function("initials", 1, initials, deterministic=True)
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
        resources, key length, key: every key of each quality, none left out. Quality by quality:
        the key itself; keys that start with the query (one B-tree range ranked here when it holds
        at most :data:`RANGE_READ` keys, else the trigram match of the query after the start marks,
        :func:`indexed_text`); then trigram matches read in rank order (the index's rowids,
        :data:`RANK_TEXT`): the query (contains it: a word starts with it, or not; when more than
        :data:`RANGE_READ` keys of the second kind come first, a space and the query, then the
        query again), every word after a space or the start marks (every word starts a word; a
        one-letter word among the initials, :func:`initials`). A match also holds keys of the
        better qualities, which the stream has given already (and, being past them, had fewer
        than a search uses): it skips them. A query made only of words shorter than three letters (one
        word: keys that start with it only) takes its other keys from those that start with its
        first word.
        """
        if self.db.execute("SELECT 1 FROM label_key WHERE key = ?", (query,)).fetchone():
            yield query, 0
        starting = self.db.execute("SELECT key, place FROM label_key WHERE key > ? AND key < ? LIMIT ?",
                                   (query, query + "\U0010ffff", RANGE_READ + 1)).fetchall()
        if len(starting) <= RANGE_READ:
            starting.sort(key=lambda row: (row[1], len(row[0]), row[0]))
            yield from ((key, 1) for key, _ in starting)
        else:
            for key in self._matching_keys(_phrase(START + _searched(query))):
                if _score(key, query, words) == 1:
                    yield key, 1
        short = all(len(word) < 3 for word in words)
        if short and len(words) == 1:
            return
        first = f" AND {_phrase(START + _searched(words[0]))}" if short else ""

        def scored(match: str, quality: int):
            for key in self._matching_keys(match):
                if _score(key, query, words) == quality and (not short or key.startswith(words[0])):
                    yield key
        # one read of the keys containing the query gives qualities 2 and 3, unless more than
        # RANGE_READ keys of quality 3 come before the last of quality 2: then each has its own read
        given: set[str] = set()
        inside: list[str] = []
        contains = _phrase(_searched(query)) + first
        for key in self._matching_keys(contains):
            score = _score(key, query, words)
            if short and not key.startswith(words[0]):
                continue
            if score == 2:
                given.add(key)
                yield key, 2
            elif score == 3:
                inside.append(key)
                if len(inside) > RANGE_READ:
                    break
        else:
            yield from ((key, 3) for key in inside)
            inside = []
        if inside:
            yield from ((key, 2) for key in scored(_phrase(" " + _searched(query)) + first, 2) if key not in given)
            yield from ((key, 3) for key in scored(contains, 3))
        if len(words) > 1:
            yield from ((key, 4) for key in scored(" AND ".join(map(_word_start, words)) + first, 4))

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


def _phrase(text: str, column: str = "text") -> str:
    """``text`` as one FTS5 string in ``column`` (a substring match in the trigram index)."""
    return f'{column} : "' + text.replace('"', '""') + '"'


def _word_start(word: str) -> str:
    """The FTS5 expression of keys in which a word starts with ``word``: after a space or after
    the start marks (a one-letter word: among the initials)."""
    if len(word) == 1:
        return _phrase(INITIAL + _searched(word), "initials")
    return f"({_phrase(' ' + _searched(word))} OR {_phrase(START + _searched(word))})"


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
