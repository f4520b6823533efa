"""Loaders: turn documents and reference data into RDF with provenance."""
