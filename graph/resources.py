"""Where the ontology, the concept schemes and the SHACL shapes are installed, and their parsed graphs."""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

from rdflib import Graph

ONTOLOGY_PACKAGE = "quyhoach.ontology"


def _resource_path(name: str) -> Path:
    """Filesystem path of a data file of ``quyhoach.ontology`` (installed editable or as a wheel)."""
    resource = files(ONTOLOGY_PACKAGE) / name
    with as_file(resource) as path:
        # Package data of a regular (non-zipped) install is already a real file, so the path
        # stays valid after the context manager exits.
        return Path(path)


def ontology_path() -> Path:
    """Path of ``quyhoach.ttl``, the OWL 2 DL ontology."""
    return _resource_path("quyhoach.ttl")


def concepts_path() -> Path:
    """Path of ``concepts.ttl``, the SKOS concept schemes (indicators, roles, document types…)."""
    return _resource_path("concepts.ttl")


def shapes_path() -> Path:
    """Path of ``shapes.ttl``, the SHACL shapes."""
    return _resource_path("shapes.ttl")


@cache
def _parsed(path: str) -> Graph:
    return Graph().parse(path, format="turtle")


def ontology_graph() -> Graph:
    """The parsed ontology (cached; do not modify the returned graph)."""
    return _parsed(str(ontology_path()))


def concepts_graph() -> Graph:
    """The parsed concept schemes (cached; do not modify the returned graph)."""
    return _parsed(str(concepts_path()))


def shapes_graph() -> Graph:
    """The parsed SHACL shapes (cached; do not modify the returned graph)."""
    return _parsed(str(shapes_path()))
