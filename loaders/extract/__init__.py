"""Extractors for categories of the quy hoạch corpus.

Each module exposes ``extract(doc, emitter, ctx)``. The document pipeline
(:mod:`quyhoach.loaders.documents.pipeline`) runs them in this order: ``citations`` (legal
documents, citations, signers; sets ``ctx.main_document`` and refines ``ctx.as_of``),
``plans`` (plans and their links; sets ``ctx.main_plan``, ``ctx.scope_unit``, ``ctx.status``),
``events`` (meetings, committees, people and posts), then the thematic extractors
``corridors``, ``infrastructure``, ``targets``, ``funding`` and ``tasks``. Shared helpers:
``dates`` (Vietnamese date styles) and ``mentions`` (sentences, provinces, personal names).
"""
