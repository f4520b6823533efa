"""Reference data: administrative units (with the 2025 rearrangement), regions and agencies.

:func:`build_reference_graphs` returns the two named graphs; :mod:`.resolver` links the names
documents use to these resources.
"""

from __future__ import annotations

from rdflib import Graph

from quyhoach.namespaces import reference_graph

from .agencies import build_agencies_graph
from .units import build_units_graph

UNITS_GRAPH = reference_graph("units")
AGENCIES_GRAPH = reference_graph("agencies")


def build_reference_graphs() -> dict[str, Graph]:
    """Map each reference named-graph IRI (``GRAPH/reference/units``, ``…/agencies``) to its graph."""
    return {UNITS_GRAPH: build_units_graph(), AGENCIES_GRAPH: build_agencies_graph()}
