"""RDF import: every format, named graphs kept, one graph for triples, atomic files, round trip."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from quyhoach.errors import UserError
from quyhoach.graph.store import KnowledgeStore
from quyhoach.loaders import rdf
from quyhoach.namespaces import GRAPH
from tests.conftest import run_cli

EX = "http://example.org/"
QUADS = [
    ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("Lạng Sơn", language="vi"), ox.NamedNode(EX + "g1")),
    ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "q"), ox.BlankNode("b0"), ox.NamedNode(EX + "g1")),
    ox.Quad(ox.BlankNode("b0"), ox.NamedNode(EX + "p"), ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), ox.NamedNode(EX + "g1")),
    ox.Quad(ox.NamedNode(EX + "c"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "a"), ox.NamedNode(EX + "g2")),
]
TRIPLES = [q.triple for q in QUADS]


def _write(path: Path, fmt: ox.RdfFormat, items) -> Path:
    ox.serialize(items, str(path), fmt)
    return path


def _canonical(quads) -> set[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


@pytest.mark.parametrize("fmt", [ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD])
def test_quad_formats_keep_named_graphs(tmp_path, fmt):
    path = _write(tmp_path / f"data.{fmt.file_extension}", fmt, QUADS)
    with KnowledgeStore(tmp_path / "store") as store:
        assert store.import_file(path) == len(QUADS)
        assert set(store.named_graphs()) == {EX + "g1", EX + "g2"}
        assert _canonical(store.raw) == _canonical(QUADS)


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML])
def test_triple_formats_go_into_one_graph(tmp_path, fmt):
    path = _write(tmp_path / f"Đối tác 2025.{fmt.file_extension}", fmt, TRIPLES)
    with KnowledgeStore(tmp_path / "store") as store:
        assert store.import_file(path) == len(TRIPLES)
        assert store.named_graphs() == [str(GRAPH["import/doi-tac-2025"])]
        assert store.import_file(path, graph=EX + "partner") == len(TRIPLES)
        assert store.graph_size(EX + "partner") == len(TRIPLES)


def test_gzip_and_explicit_format(tmp_path):
    plain = _write(tmp_path / "data.nq", ox.RdfFormat.N_QUADS, QUADS)
    gz = tmp_path / "data.nq.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    odd = tmp_path / "data.txt"
    shutil.copy(plain, odd)
    with KnowledgeStore(tmp_path / "store") as store:
        assert store.import_file(gz) == len(QUADS)
        assert store.import_file(odd, ox.RdfFormat.N_QUADS) == len(QUADS)
        assert _canonical(store.raw) == _canonical(QUADS)


def test_a_graph_of_the_file_replaces_the_stored_graph(tmp_path):
    first = _write(tmp_path / "a.nq", ox.RdfFormat.N_QUADS, QUADS)
    second = _write(tmp_path / "b.nq", ox.RdfFormat.N_QUADS, QUADS[3:])
    with KnowledgeStore(tmp_path / "store") as store:
        store.import_file(first)
        store.import_file(first)  # the same file again: still the same graphs, blank nodes not doubled
        assert _canonical(store.raw) == _canonical(QUADS)
        store.import_file(second)
        assert store.graph_size(EX + "g1") == 3 and store.graph_size(EX + "g2") == 1


def test_a_broken_file_changes_nothing_and_names_the_line(tmp_path):
    good = _write(tmp_path / "good.nq", ox.RdfFormat.N_QUADS, QUADS)
    lines = good.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.nq"
    # the same graphs, with a new first statement, then a syntax error on line 3
    broken.write_text(f"<{EX}z> <{EX}p> <{EX}z> <{EX}g1> .\n{lines[0]}\n<{EX}a> <{EX}p> \"unterminated <{EX}g2> .\n")
    with KnowledgeStore(tmp_path / "store") as store:
        store.import_file(good)
        before = _canonical(store.raw)
        with pytest.raises(UserError, match=r"broken\.nq:3:"):
            store.import_file(broken)
        assert _canonical(store.raw) == before
    result = run_cli("load", "--no-reference", str(broken), store=tmp_path / "store")
    assert result.returncode == 1
    assert "broken.nq:3:" in result.stderr and "Traceback" not in result.stderr


def test_rdfxml_with_entity_declarations_is_refused(tmp_path):
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
        '<rdf:Description rdf:about="http://example.org/a"><ex:p>&b;</ex:p></rdf:Description></rdf:RDF>\n'
    )
    with KnowledgeStore(tmp_path / "store") as store:
        with pytest.raises(UserError, match="DOCTYPE or ENTITY"):
            store.import_file(bomb)
        assert store.named_graphs() == []


def test_unknown_extension_needs_a_format(tmp_path):
    path = tmp_path / "data.xyz"
    path.write_text("")
    assert rdf.rdf_format(path) is None
    with KnowledgeStore(tmp_path / "store") as store, pytest.raises(UserError, match="--format"):
        store.import_file(path)


def test_export_then_load_gives_an_isomorphic_store(tmp_path, loaded_store):
    exported = tmp_path / "seed.nq"
    assert run_cli("export", "--format", "nquads", "-o", str(exported), store=loaded_store).returncode == 0
    assert "_:" in exported.read_text(encoding="utf-8")  # the seed store has blank nodes
    fresh = tmp_path / "fresh"
    result = run_cli("load", "--no-reference", str(exported), store=fresh)
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again.nq"
    assert run_cli("export", "--format", "nquads", "-o", str(again), store=fresh).returncode == 0
    original = _canonical(ox.parse(path=str(exported), format=ox.RdfFormat.N_QUADS))
    assert _canonical(ox.parse(path=str(again), format=ox.RdfFormat.N_QUADS)) == original
