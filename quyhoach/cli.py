"""The ``quyhoach`` command line: load, export, stats, eval.

Exit codes: 0 success, 1 user error (one-line message, no traceback), 2 internal error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from quyhoach import __version__
from quyhoach.errors import UserError

EPILOG = """Examples:

\b
  quyhoach load                       # ontology + reference graph + bundled corpus
  quyhoach load docs/ new.pdf         # your own documents (files or folders)
  quyhoach stats --json
  quyhoach export --format nquads -o graph.nq
  quyhoach query --list               # named queries: plan hierarchy, responsibility, overlaps ...
  quyhoach check --format html -o report.html
  quyhoach serve                      # http://127.0.0.1:8000
  QUYHOACH_STORE=/data/qh quyhoach stats
"""

app = typer.Typer(
    name="quyhoach",
    help="Knowledge graph of Vietnam's planning system (quy hoạch).",
    epilog=EPILOG,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)  # an error message stays one line whatever the width
out = Console()


class State:
    """Options shared by every command."""

    store_path: str = "./quyhoach-data"


state = State()


def _version(value: bool) -> None:
    if value:
        print(f"quyhoach {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    store: Annotated[
        str,
        typer.Option(
            "--store",
            envvar="QUYHOACH_STORE",
            help="Store directory, or the URL of a SPARQL engine (env QUYHOACH_STORE).",
            show_default=True,
        ),
    ] = "./quyhoach-data",
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Knowledge graph of Vietnam's planning system (quy hoạch)."""
    state.store_path = store


def _open_store(read_only: bool = False):
    from quyhoach.graph.store import KnowledgeStore

    return KnowledgeStore(state.store_path, read_only=read_only)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@app.command(epilog="Examples:\n\n  quyhoach load\n\n  quyhoach load corpus/ extra/decision.pdf --strict")
def load(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders; none: the bundled corpus.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first document that fails.")] = False,
    no_reference: Annotated[
        bool, typer.Option("--no-reference", help="Do not (re)load the ontology and reference graph.")
    ] = False,
    rdf_format: Annotated[
        str | None,
        typer.Option("--format", help="RDF files: nquads | trig | turtle | ntriples | jsonld | rdfxml (default: by extension)."),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="RDF files: the named graph for triples (default …/graph/import/{file stem})."),
    ] = None,
) -> None:
    """Load the ontology, the reference graph, documents and RDF files into the store.

    Each source gets its own named graph; loading a source again replaces it. A document that
    fails loads nothing and is reported; the others still load (exit code 1 if any failed).
    RDF files (.nq .trig .ttl .nt .jsonld .rdf .owl, also .gz, or any file with --format) keep
    their named graphs; triples go into --graph. Each RDF file loads atomically.
    """
    from quyhoach import loading
    from quyhoach.loaders import rdf

    for path in paths or []:
        if not path.exists():
            raise UserError(f"{path}: no such file or directory")
    fmt = rdf.parse_format_name(rdf_format) if rdf_format else None
    rdf_files = [p for p in paths or [] if p.is_file() and (fmt is not None or rdf.is_rdf(p))]
    documents = [p for p in paths or [] if p not in rdf_files]
    targets = documents if paths else [loading.bundled_corpus()]
    if (fmt or graph) and not rdf_files:
        raise UserError("--format and --graph apply to RDF files; none given")
    report = loading.LoadReport()
    with _open_store() as store, _progress() as progress:
        if not no_reference or not paths:
            task = progress.add_task("ontology + reference graph", total=2)
            loading.load_ontology(store, report)
            progress.advance(task)
            loading.load_reference(store, report)
            progress.advance(task)
        for path in rdf_files:
            task = progress.add_task(f"import {path.name}", total=2 * path.stat().st_size)
            try:
                count = store.import_file(
                    path, fmt, graph, on_bytes=lambda n, task=task: progress.advance(task, n)
                )
            except UserError as exc:
                report.failures.append(loading.LoadFailure(str(path), str(exc)))
                if strict:
                    break
                continue
            report.imported[str(path)] = count
            report.imported_graphs.update(store.last_import)
        if targets:
            task = progress.add_task("documents", total=None)
            loading.load_documents(
                store,
                targets,
                report,
                strict=strict,
                on_planned=lambda n: progress.update(task, total=n),
                on_progress=lambda _p: progress.advance(task),
            )
        if report.graphs or report.imported:
            from quyhoach.graph.reasoning import refresh

            task = progress.add_task("reasoning", total=None)
            refresh(store, [*report.graphs, *report.imported_graphs])
            progress.update(task, total=1, completed=1)
    total = sum(report.graphs.values())
    imported = f", {len(report.imported)} RDF files ({sum(report.imported.values())} statements)" if report.imported else ""
    out.print(
        f"loaded {len(report.graphs)} graphs ({total} triples), {len(report.documents)} documents{imported}"
        f" into {store.path}"
    )
    for failure in report.failures:
        err.print(f"error: {failure.reason}", markup=False, highlight=False)
    if report.failures:
        raise typer.Exit(1)


@app.command(epilog="Examples:\n\n  quyhoach export --format trig -o all.trig\n\n  quyhoach export --format turtle --graph https://w3id.org/quyhoach/graph/reference/units")
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="nquads | trig | turtle | jsonld")] = "nquads",
    graph: Annotated[str | None, typer.Option("--graph", help="Only this named graph (IRI).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file (default: stdout).")] = None,
) -> None:
    """Export the store (or one named graph)."""
    from quyhoach.graph.export import FORMATS
    from quyhoach.graph.export import export as do_export

    if format not in FORMATS:
        raise UserError(f"unknown export format '{format}': choose one of {', '.join(FORMATS)}")
    with _open_store() as store:
        if output is None:
            count = do_export(store, format, sys.stdout.buffer, graph)
            sys.stdout.buffer.flush()
        else:
            if output.parent and not output.parent.exists():
                raise UserError(f"{output.parent}: no such directory")
            with output.open("wb") as fh:
                count = do_export(store, format, fh, graph)
            err.print(f"wrote {count} statements to {output}")


@app.command(epilog="Examples:\n\n  quyhoach stats\n\n  quyhoach stats --json | jq .graphs")
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Triples per named graph and instances per class."""
    from quyhoach.graph.stats import collect

    with _open_store() as store:
        result = collect(store)
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    graphs = Table(title=f"Named graphs in {result.path}")
    graphs.add_column("graph")
    graphs.add_column("document")
    graphs.add_column("triples", justify="right")
    for iri, n in result.graphs.items():
        graphs.add_row(_short_graph(iri), result.sources.get(iri, ""), str(n))
    graphs.add_row("total", "", str(result.total_triples))
    out.print(graphs)
    classes = Table(title="Instances per class")
    classes.add_column("class")
    classes.add_column("instances", justify="right")
    for iri, n in result.classes.items():
        classes.add_row(_short(iri), str(n))
    out.print(classes)


@app.command(
    name="eval",
    epilog="Examples:\n\n  quyhoach load && quyhoach eval\n\n"
    "  QUYHOACH_STORE=/tmp/g quyhoach load tests/fixtures/heldout && "
    "QUYHOACH_STORE=/tmp/g quyhoach eval --gold tests/gold/heldout",
)
def evaluate(
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Folder of gold files {category}.yaml (default: tests/gold).")
    ] = None,
    errors: Annotated[bool, typer.Option("--errors", help="Also list false positives and negatives.")] = False,
) -> None:
    """Precision and recall of extraction per category against the gold set (tests/gold)."""
    from quyhoach.loaders.evaluate import GOLD_DIR, format_errors, format_table
    from quyhoach.loaders.evaluate import evaluate as run_eval

    gold_dir = gold or GOLD_DIR
    if not gold_dir.is_dir():
        raise UserError(f"{gold_dir}: no such gold folder")
    with _open_store() as store:
        scores = run_eval(store, gold_dir=gold_dir)
    if not scores:
        raise UserError(f"{gold_dir}: no gold file matches an evaluation query")
    print(format_table(scores))
    if errors and (listed := format_errors(scores)):
        print(listed)


def _short_graph(iri: str) -> str:
    """A named graph's IRI without the common prefix; source graphs by their hash's first 12 digits."""
    from quyhoach.namespaces import GRAPH

    short = iri[len(str(GRAPH)) :] if iri.startswith(str(GRAPH)) else iri
    if short.startswith("source/") and len(short) > 7 + 12:
        short = short[: 7 + 12] + "…"
    return short


def _short(iri: str) -> str:
    from quyhoach.namespaces import PREFIXES

    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _register_plugins() -> None:
    """Add the commands that live beside their subsystems (serve, query, check, reason)."""
    from quyhoach.api.commands import register as register_serve

    register_serve(app)
    from quyhoach.graph.commands import register as register_graph

    register_graph(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning errors into one-line messages and exit codes."""
    _register_plugins()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="quyhoach", standalone_mode=False)
    except UserError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return _exit(1)
    except Exception as exc:
        # Typer ships its own copy of click: recognise its exceptions by shape, not by class.
        kind = type(exc).__name__
        if kind == "Exit" and hasattr(exc, "exit_code"):
            return _exit(exc.exit_code)
        if kind == "Abort":
            err.print("aborted")
            return _exit(1)
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            err.print(f"error: {exc.format_message()}", markup=False, highlight=False)
            return _exit(1)
        err.print(f"internal error: {kind}: {exc}".splitlines()[0], markup=False, highlight=False)
        return _exit(2)
    # Without standalone mode, click returns the code of a raised Exit.
    return _exit(result if isinstance(result, int) else 0)


def _exit(code: int) -> int:
    if __name__ == "__main__" or sys.argv and Path(sys.argv[0]).name == "quyhoach":
        sys.exit(code)
    return code


if __name__ == "__main__":  # python -m quyhoach.cli: run the package's module, whose state the commands share
    from quyhoach.cli import main as package_main

    sys.exit(package_main())
