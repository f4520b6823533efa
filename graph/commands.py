"""The ``query``, ``check`` and ``reason`` commands; :func:`register` adds them to the CLI app."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from quyhoach.errors import UserError

QUERY_EPILOG = """Examples:

\b
  quyhoach query --list
  quyhoach query plan-hierarchy
  quyhoach query responsibility --param agency=id:agency/bo-tai-chinh --format csv
  quyhoach query search --param q="dong dang"
  quyhoach query my-query.rq --format json
"""

CHECK_EPILOG = """Examples:

\b
  quyhoach check --format html -o report.html
  quyhoach check --format json -o today.json --baseline last-week.json
  quyhoach check --fail-on warning --format md
  quyhoach check --param today=2025-12-31
"""

REASON_EPILOG = """Examples:

\b
  quyhoach reason                 # rebuild the inferred graph
  quyhoach reason --check         # HermiT over ontology + all data
  quyhoach reason --check --sample 500
"""


def register(app: typer.Typer) -> None:
    """Add the ``query``, ``check`` and ``reason`` commands to ``app``."""
    app.command(name="query", epilog=QUERY_EPILOG)(query)
    app.command(name="check", epilog=CHECK_EPILOG)(check)
    app.command(name="reason", epilog=REASON_EPILOG)(reason)


def _cli():
    from quyhoach import cli

    return cli


def _store(read_only: bool):
    from quyhoach.graph.store import KnowledgeStore

    return KnowledgeStore(_cli().state.store_path, read_only=read_only)


# -- query ---------------------------------------------------------------------------------------
def query(
    name: Annotated[str | None, typer.Argument(help="Query name from the library, or a .rq file.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Parameter NAME=VALUE (repeatable).")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table | csv | json | tsv")] = "table",
    list_queries: Annotated[bool, typer.Option("--list", help="List the query library and exit.")] = False,
    show: Annotated[bool, typer.Option("--show", help="Print the query with its parameters bound; do not run.")] = False,
) -> None:
    """Run a named SPARQL query (see --list) with typed parameters."""
    from quyhoach.graph import named_queries as nq

    if list_queries:
        _print_library(nq.discover())
        return
    if not name:
        raise UserError("give a query name or .rq file (see 'quyhoach query --list')")
    if format not in nq.FORMATS:
        raise UserError(f"unknown format '{format}': choose one of {', '.join(nq.FORMATS)}")
    named = nq.find(name)
    values = nq.parse_param_options(param or [])
    if show:
        print(nq.bound_text(named, values), end="")
        return
    with _store(read_only=True) as store:
        result = nq.run(store, named, values)
    if format == "table":
        _print_table(named, result)
    else:
        print(nq.render(result, format), end="")


def _print_library(queries) -> None:
    from rich.table import Table

    table = Table(title="Named queries (quyhoach query NAME)", show_lines=True)
    table.add_column("name", no_wrap=True)
    table.add_column("title")
    table.add_column("parameters")
    table.add_column("check")
    for q in queries:
        params = "\n".join(f"{p.name} ({p.type}{', default ' + p.default if p.default else ''})" for p in q.params)
        table.add_row(q.name, f"{q.title_vi}\n{q.title_en}", params or "-", q.severity or "")
    _cli().out.print(table)


def _print_table(named, result) -> None:
    from rich.table import Table

    from quyhoach.graph import named_queries as nq

    if result.boolean is not None:
        print(str(result.boolean).lower())
        return
    table = Table(title=f"{named.title_vi} / {named.title_en}")
    for column in result.columns:
        table.add_column(column, overflow="fold")
    for row in result.rows:
        table.add_row(*(nq.short(row[c]) for c in result.columns))
    out = _cli().out
    out.print(table)
    out.print(f"{len(result.rows)} row(s)")


# -- check -----------------------------------------------------------------------------------------
def check(
    format: Annotated[str, typer.Option("--format", "-f", help="html | md | json | ttl")] = "html",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file (default: stdout).")] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="An earlier JSON report: mark findings new/unchanged/resolved.")
    ] = None,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Exit 1 if a finding at or above: error | warning | info | never.")
    ] = "error",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Parameter NAME=VALUE for every check that has it.")
    ] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only this check (repeatable).")] = None,
    no_shacl: Annotated[bool, typer.Option("--no-shacl", help="Skip the SHACL shapes.")] = False,
    shacl_engine: Annotated[
        str, typer.Option("--shacl-engine", help="SHACL in the store (sparql) or per source graph in pySHACL (pyshacl).")
    ] = "sparql",
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Also store the findings in the findings graph.")
    ] = True,
    full_shacl: Annotated[
        bool, typer.Option("--full-shacl", help="Validate every source graph again (ignore the kept SHACL results).")
    ] = False,
) -> None:
    """Run every consistency check and the SHACL shapes; write a report with evidence.

    Exit code: 0 when nothing at or above --fail-on was found, 1 otherwise, 2 when the
    checks could not run (or one of them failed).
    """
    from quyhoach.graph import checks as ck
    from quyhoach.graph import named_queries as nq
    from quyhoach.graph import report as rp

    cli = _cli()
    if format not in rp.FORMATS:
        raise UserError(f"unknown report format '{format}': choose one of {', '.join(rp.FORMATS)}")
    if shacl_engine not in ck.SHACL_ENGINES:
        raise UserError(f"--shacl-engine must be one of {', '.join(ck.SHACL_ENGINES)}")
    if fail_on not in ck.FAIL_ON:
        raise UserError(f"--fail-on must be one of {', '.join(ck.FAIL_ON)}")
    if output is not None and output.parent and not output.parent.exists():
        raise UserError(f"{output.parent}: no such directory")
    if baseline is not None and not baseline.is_file():
        raise UserError(f"{baseline}: no such baseline file")
    try:
        params = nq.parse_param_options(param or [])
        names = list(only) if only else None
        if names:
            known = {q.name for q in ck.check_queries()} | {"shacl"}
            unknown = sorted(set(names) - known)
            if unknown:
                raise UserError(f"unknown check(s): {', '.join(unknown)}; checks: {', '.join(sorted(known))}")
        total = len(names) if names else len(ck.check_queries()) + (0 if no_shacl else 1)
        store, writable = _open_for_check(save)
        try:
            if save and writable:  # replaced below (a findings graph of an older version would make the checks list the data graphs)
                from quyhoach.namespaces import FINDINGS_GRAPH

                store.remove_graph(str(FINDINGS_GRAPH))
            with cli._progress() as progress:
                task = progress.add_task("checks", total=total)

                def step(name: str) -> None:
                    progress.update(task, description=f"check {name}")
                    progress.advance(task)

                report = ck.run_checks(store, params=params, names=names, shacl=not no_shacl, on_progress=step,
                                       shacl_engine=shacl_engine, full_shacl=full_shacl)
            if baseline is not None:
                ck.apply_baseline(report, baseline)
            if save and writable:
                from quyhoach.namespaces import FINDINGS_GRAPH

                store.replace_graph(str(FINDINGS_GRAPH), rp.to_triples(report))
        finally:
            store.close()
        text = rp.render(report, format)
    except UserError as exc:
        cli.err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")
    counts = report.counts()
    summary = ", ".join(f"{counts[s]} {s}" for s in ck.SEVERITIES)
    where = f" -> {output}" if output else ""
    cli.err.print(f"{len(report.findings)} finding(s): {summary} in {report.seconds:.1f} s{where}", highlight=False)
    failed = [c for c in report.checks if c.error]
    for run in failed:
        cli.err.print(f"error: check {run.name} failed: {run.error}", markup=False, highlight=False)
    if failed:
        raise typer.Exit(2)
    if report.fails(fail_on):
        raise typer.Exit(1)


def _open_for_check(save: bool):
    """The store read-write when findings are to be saved and the store is free, else read-only."""
    from quyhoach.graph.store import store_exists

    path = _cli().state.store_path
    if not store_exists(path):
        raise UserError(f"no store at {path}: run 'quyhoach load' first")
    if save:
        try:
            return _store(read_only=False), True
        except UserError as exc:
            if "in use" not in str(exc):
                raise
            _cli().err.print("note: store in use; findings are not saved to the findings graph", highlight=False)
    return _store(read_only=True), False


# -- reason ---------------------------------------------------------------------------------------
def reason(
    check_consistency: Annotated[
        bool, typer.Option("--check", help="Run HermiT over the ontology and the data (or a sample).")
    ] = False,
    sample: Annotated[
        int | None, typer.Option("--sample", min=1, help="With --check: only N resources of the data, with their statements.")
    ] = None,
) -> None:
    """Rebuild the inferred graph; with --check, test ontology + data for consistency (HermiT)."""
    from quyhoach.graph.reasoning import Profile, materialise

    cli = _cli()
    if not check_consistency:
        profile = Profile()
        with _store(read_only=False) as store:
            count = materialise(store, profile)
        for line in profile.lines():
            cli.err.print(f"  {line}", markup=False, highlight=False)
        cli.out.print(f"inferred graph rebuilt: {count} statements")
        return
    from quyhoach.graph.hermit import ReasonerUnavailable
    from quyhoach.graph.hermit import check_consistency as hermit_check
    from quyhoach.graph.resources import concepts_path, ontology_path

    with _store(read_only=True) as store:
        data, described = data_for_reasoner(store, sample)
    scope = f"a sample of {described} resources" if sample else f"all data ({described} resources)"
    cli.err.print(f"HermiT: ontology + {scope}, {len(data)} statements ...", highlight=False)
    try:
        result = hermit_check([ontology_path(), concepts_path()], data)
    except ReasonerUnavailable as exc:
        cli.err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    cli.out.print(result.message, markup=False, highlight=False)
    for clash in result.clashes:
        cli.out.print(f"  - {clash}", markup=False, highlight=False)
    if not result.ok:
        raise typer.Exit(1)


def data_for_reasoner(store, sample: int | None = None):
    """The data graphs (not ontology, inferred or findings) as an rdflib graph, or a sample of them.

    A sample takes ``sample`` subjects, chosen by a stable hash of their IRIs so the same store
    gives the same sample, with every statement about them and the types of what they point to.
    Returns the graph and the number of resources it describes.
    """
    from rdflib import RDF, BNode, Graph, URIRef

    from quyhoach.graph.reasoning import input_graphs
    from quyhoach.namespaces import ONTOLOGY_GRAPH

    graphs = [g for g in input_graphs(store) if g != str(ONTOLOGY_GRAPH)]
    chunks = [store.dump_graph(g) for g in graphs]
    full = Graph()
    if chunks:
        full.parse(data=b"".join(chunks), format="nt")
    subjects = {s for s in full.subjects() if isinstance(s, URIRef)}
    if sample is None or sample >= len(subjects):
        return full, len(subjects)
    chosen = sorted(subjects, key=lambda s: hashlib.sha1(str(s).encode()).hexdigest())[:sample]
    part = Graph()
    for subject in chosen:
        for p, o in full.predicate_objects(subject):
            part.add((subject, p, o))
            for t in full.objects(o, RDF.type):
                part.add((o, RDF.type, t))
            if isinstance(o, BNode):  # e.g. the selectors of an evidence node
                for bp, bo in full.predicate_objects(o):
                    part.add((o, bp, bo))
    return part, len(chosen)
