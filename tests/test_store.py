"""The on-disk store: atomic graph replacement, export round trip, lock and read-only handling."""

from __future__ import annotations

import io
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from quyhoach.errors import UserError
from quyhoach.graph.export import export
from quyhoach.graph.store import STAGING_PREFIX, KnowledgeStore

G1 = "https://w3id.org/quyhoach/graph/source/test1"
G2 = "https://w3id.org/quyhoach/graph/source/test2"
EX = "https://example.org/"


def _graph(n: int, tag: str) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(f"{tag} {i}", lang="vi")))
    return g


def _quads(store: KnowledgeStore) -> set:
    return set(store.raw.quads_for_pattern(None, None, None, None))


def test_replace_graph_replaces_without_duplicates(store_path):
    with KnowledgeStore(store_path) as store:
        assert store.replace_graph(G1, _graph(5, "a")) == 5
        assert store.replace_graph(G1, _graph(3, "b")) == 3
        assert store.replace_graph(G1, _graph(3, "b")) == 3
        store.replace_graph(G2, _graph(2, "c"))
        assert store.named_graphs() == [G1, G2]
        labels = {r["o"].value for r in store.query(f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")}
        assert labels == {"b 0", "b 1", "b 2"}


def test_failure_midway_leaves_store_exactly_as_before(store_path):
    with KnowledgeStore(store_path) as store:
        store.replace_graph(G1, _graph(4, "old"))
        before = _quads(store)

        def failing_triples():
            for i, triple in enumerate(ox.parse(_graph(10, "new").serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)):
                if i == 6:
                    raise RuntimeError("loader crashed halfway")
                yield triple.triple

        with pytest.raises(RuntimeError, match="halfway"):
            store.replace_graph(G1, failing_triples())
        assert _quads(store) == before
        assert not any(g.startswith(STAGING_PREFIX) for g in store.named_graphs())


def test_export_nquads_round_trips_isomorphic(store_path, tmp_path):
    with KnowledgeStore(store_path) as store:
        store.replace_graph(G1, _graph(5, "Lạng Sơn"))
        store.replace_graph(G2, _graph(3, "Lai Châu"))
        buffer = io.BytesIO()
        assert export(store, "nquads", buffer) == 8
    with KnowledgeStore(tmp_path / "copy") as copy:
        copy.raw.load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)
        again = io.BytesIO()
        export(copy, "nquads", again)
    first, second = Dataset(), Dataset()
    first.parse(data=buffer.getvalue(), format="nquads")
    second.parse(data=again.getvalue(), format="nquads")
    for iri in (G1, G2):
        assert isomorphic(first.graph(URIRef(iri)), second.graph(URIRef(iri)))
    assert len(first) == len(second) == 8


@pytest.mark.parametrize("fmt", ["trig", "turtle", "jsonld"])
def test_export_other_formats_parse_back(store_path, fmt):
    with KnowledgeStore(store_path) as store:
        store.replace_graph(G1, _graph(4, "x"))
        buffer = io.BytesIO()
        export(store, fmt, buffer)
    parsed = Dataset() if fmt != "turtle" else Graph()
    parsed.parse(data=buffer.getvalue(), format={"trig": "trig", "turtle": "turtle", "jsonld": "json-ld"}[fmt])
    assert len(parsed) == 4


def test_unknown_format_and_graph_are_user_errors(store_path):
    with KnowledgeStore(store_path) as store:
        with pytest.raises(UserError, match="unknown export format"):
            export(store, "csv", io.BytesIO())
        with pytest.raises(UserError, match="no named graph"):
            export(store, "nquads", io.BytesIO(), graph=G1)


def test_store_locked_by_another_process_gives_clear_error(store_path):
    KnowledgeStore(store_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import pyoxigraph,sys,time; s=pyoxigraph.Store({str(store_path)!r}); print('ok', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(UserError, match="in use by another process"):
            KnowledgeStore(store_path)
        # Readers (servers) can still open it read-only.
        reader = KnowledgeStore(store_path, read_only=True)
        assert reader.named_graphs() == []
        with pytest.raises(UserError, match="read-only"):
            reader.replace_graph(G1, _graph(1, "x"))
    finally:
        holder.kill()
        holder.wait()


def test_read_only_open_of_missing_store_is_user_error(tmp_path):
    with pytest.raises(UserError, match="no store"):
        KnowledgeStore(tmp_path / "absent", read_only=True)


def test_store_being_served_refuses_writers_but_not_the_servers_own_updates(store_path):
    from quyhoach.graph.store import server_lock

    KnowledgeStore(store_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from quyhoach.graph.store import server_lock\n"
         f"with server_lock({str(store_path)!r}):\n    print('ok', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(UserError, match="quyhoach serve"):
            KnowledgeStore(store_path)
        with pytest.raises(UserError, match="already being served"):
            with server_lock(store_path):
                pass
        KnowledgeStore(store_path, while_served=True).close()
    finally:
        holder.kill()
        holder.wait()
    KnowledgeStore(store_path).close()  # released when the server ends


def _copy_query(source: str, target: str) -> str:
    return f"SELECT ?graph ?s ?p ?o WHERE {{ GRAPH <{source}> {{ ?s ?p ?o }} BIND(<{target}> AS ?graph) }}"


def test_solutions_writer_loads_every_query_once_at_the_end(store_path):
    target = G1 + "-copy"
    with KnowledgeStore(store_path) as store:
        store.replace_graph(G1, _graph(4, "a"))
        store.replace_graph(G2, _graph(3, "b"))
        with store.solutions_writer() as writer:
            assert writer.add(_copy_query(G1, target)) == 4
            assert not store.has_graph(target)  # gathered, not written yet
            assert writer.add(_copy_query(G2, target)) == 3
        copied = {(q.subject, q.predicate, q.object) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(target))}
        both = {(q.subject, q.predicate, q.object) for q in _quads(store) if q.graph_name.value in (G1, G2)}
        assert copied == both and len(copied) == 7
        assert store.insert_solutions(_copy_query(G2, target + "2")) == 3


def test_solutions_writer_writes_nothing_when_its_block_fails(store_path):
    target = G1 + "-copy"
    with KnowledgeStore(store_path) as store:
        store.replace_graph(G1, _graph(4, "a"))
        with pytest.raises(RuntimeError), store.solutions_writer() as writer:
            writer.add(_copy_query(G1, target))
            raise RuntimeError("stop")
        assert not store.has_graph(target)
