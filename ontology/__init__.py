"""Ontology, SKOS concept schemes and SHACL shapes of quyhoach-kg (Turtle data files)."""
