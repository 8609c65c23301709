"""``docintel`` command line. Every :class:`~pipeline.config.Settings` field is a ``run`` flag
(``max_soft_tokens`` -> ``--max-soft-tokens``), so flags, environment and Prefect parameters
name the same things."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .calibration import Calibration, expected_calibration_error, fit_isotonic
from .classify import choose_schema
from .config import Settings
from .runner import Progress as RunProgress
from .runner import RunSummary
from .schemas import SchemaError
from .sources import SourceError

if TYPE_CHECKING:
    from .evaluate import Evaluation

console = Console(stderr=True)


def report_console() -> Console:
    """Console for tables on stdout; wide when written to a file or pipe (rich assumes 80)."""
    return Console(width=None if sys.stdout.isatty() else 160)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docintel", description=__doc__.split("\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="extract records from documents into Parquet")
    run.add_argument("inputs", nargs="+", help="files or folders (searched recursively)")
    run.add_argument("--schema", required=True, help="schema name (schemas/NAME.json), a JSON Schema file, or "
                                                      "'auto': classify each document among the known schemas")
    run.add_argument("--schema-dir", action="append", default=[], metavar="DIR",
                     help="more schemas (*.json) for --schema auto, besides schemas/ (repeatable)")
    run.add_argument("--out", required=True, help="output folder")
    run.add_argument("--verbose", action="store_true", help="show vLLM's own INFO logs")
    _add_settings_flags(run)

    score = commands.add_parser("eval", help="score extracted records against ground truth")
    score.add_argument("--truth", required=True, help="folder of truth files (searched recursively)")
    score.add_argument("--results", required=True, help="the output folder of `docintel run` (its --out)")
    score.add_argument("--report", help="Markdown report path (default: RESULTS/evaluations/<time>.md)")
    score.add_argument("--parquet", help="Parquet path for trends (default: RESULTS/evaluations/<time>.parquet)")

    calibrate = commands.add_parser("calibrate", help="fit the field-confidence calibration on labelled documents")
    calibrate.add_argument("--truth", required=True, help="folder of truth files (searched recursively)")
    calibrate.add_argument("--results", required=True, help="the output folder of `docintel run` (its --out)")
    calibrate.add_argument("--out", help="calibration file to write (default: RESULTS/calibration.json); runs "
                                         "load it with --calibration FILE")

    review = commands.add_parser("review", help="write the static HTML review report of an output dataset")
    review.add_argument("out", help="the output folder or s3://bucket/prefix of `docintel run` (its --out)")
    review.add_argument("--run", help="one committed run's rows (default: the latest row of every document)")
    review.add_argument("--limit", type=int, default=200, help="documents shown with their pages, those needing "
                                                               "review first")

    tiny = commands.add_parser("tiny-model", help="build the tiny random-weight Gemma 4 checkpoint for CPU")
    tiny.add_argument("path")

    samples = commands.add_parser("samples", help="write the starter set of sample documents, or a batch")
    samples.add_argument("out")
    samples.add_argument("--count", type=int, help="write COUNT generated documents instead of the starter set")
    samples.add_argument("--schema", default="invoice", choices=["invoice", "contract", "mixed"],
                         help="mixed: invoices, contracts (some long) and documents of neither, in OUT/mixed/")
    samples.add_argument("--seed", type=int, default=0)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    if not getattr(args, "verbose", False):
        # vLLM reads this when it is imported, here and in its engine processes.
        os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")
    try:
        return COMMANDS[args.command](args)
    except (SchemaError, SourceError, ValidationError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2


def _add_settings_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (also DOCINTEL_<NAME> environment variables)")
    for name, info in Settings.model_fields.items():
        flag = "--" + name.replace("_", "-")
        if info.annotation is bool:
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=info.description)
        else:
            group.add_argument(flag, default=None, metavar=name.upper(), help=info.description)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from flags given on the command line, the environment and defaults (in that order)."""
    given: dict[str, Any] = {n: getattr(args, n) for n in Settings.model_fields if getattr(args, n, None) is not None}
    return Settings(**given)


def cmd_run(args: argparse.Namespace) -> int:
    from .engines import create_engine
    from .runner import run_batch

    settings = settings_from_args(args)
    schema = choose_schema(args.schema, args.schema_dir)  # fail on a bad schema before loading a model
    if settings.calibration:
        try:
            Calibration.load(settings.calibration)  # and on a bad calibration file
        except (OSError, ValueError) as exc:
            console.print(f"[red]error:[/red] --calibration: {exc}")
            return 2
    engine = create_engine(settings, verbose=args.verbose)
    try:
        if console.is_terminal:
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console) as progress:
                task = progress.add_task(f"{schema.name} documents", total=None)
                summary = run_batch(args.inputs, schema, args.out, settings, engine,
                                    on_progress=lambda p: progress.update(task, completed=p.done, total=p.total))
        else:  # cron, a Kubernetes job, a Prefect worker: a line per window and per progress_seconds
            summary = run_batch(args.inputs, schema, args.out, settings, engine, on_progress=log_progress)
    finally:
        engine.close()
    print_summary(summary)
    return 0


def log_progress(progress: RunProgress) -> None:
    """One line of progress for logs."""
    logging.getLogger("docintel").info(
        "%d/%d documents, %d pages, %.2f pages/s, %d errors, %.0f s", progress.done, progress.total,
        progress.pages, progress.pages_per_second, progress.errors, progress.seconds)


def print_summary(summary: RunSummary) -> None:
    table = Table(title=f"run {summary.run_id}: {summary.schema} with {summary.model}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("documents", summary.documents), ("  skipped (already committed)", summary.skipped),
        ("pages", summary.pages), ("results", summary.results),
        ("  with business-rule flags", summary.flagged), ("  needing review", summary.needs_review),
        ("errors", sum(summary.errors.values())),
        *[(f"  {kind}", n) for kind, n in sorted(summary.errors.items())],
        *[(f"routed to {name}", n) for name, n in sorted(summary.routed.items())],
        ("prompt tokens", summary.prompt_tokens), ("output tokens", summary.output_tokens),
        ("wall time (s)", f"{summary.seconds:.1f}"), ("pages / s", f"{summary.pages_per_second:.2f}"),
        ("first result after (s)", f"{summary.first_result_seconds or 0:.1f}"),
        ("engine starved (share of streaming time)", f"{summary.starved_share:.1%}"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    report_console().print(table)
    for manifest in summary.manifests or [summary.manifest]:
        print(f"{'resumed and committed' if summary.resumed else 'committed'}: {manifest}")


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate

    evaluation = evaluate(Path(args.truth), Path(args.results))
    stamp = evaluation.evaluated_at.strftime("%Y%m%dT%H%M%SZ")
    report = Path(args.report or Path(args.results) / "evaluations" / f"{stamp}.md")
    parquet = Path(args.parquet or Path(args.results) / "evaluations" / f"{stamp}.parquet")
    print_evaluation(evaluation)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(evaluation.to_markdown())
    evaluation.write_parquet(parquet)
    print(f"report: {report}\ntrend rows: {parquet}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate

    evaluation = evaluate(Path(args.truth), Path(args.results))
    pairs = evaluation.confidence
    if not pairs:
        console.print("[red]error:[/red] no extracted value with a confidence is labelled: run docintel on the "
                      "documents of --truth first")
        return 2
    runs = [evaluation.run_info(schema) for schema in evaluation.schemas]
    calibration = fit_isotonic(pairs, model=next((r.model for r in runs if r.model), ""),
                               prompt_version=next((r.prompt_version for r in runs if r.prompt_version), ""))
    out = calibration.save(Path(args.out or Path(args.results) / "calibration.json"))
    after = [(calibration(confidence), correct) for confidence, correct in pairs]
    print(f"fitted on {len(pairs)} values ({calibration.positives} right); expected calibration error "
          f"{expected_calibration_error(pairs):.4f} before, {expected_calibration_error(after):.4f} after "
          f"(on the same values)\nwrote {out}; runs use it with --calibration {out}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .review import write_review
    from .runner import s3_options

    try:
        index = write_review(args.out, run_id=args.run, limit=args.limit, s3=s3_options(Settings()))
    except ValueError as exc:  # no committed run there, or not that one
        console.print(f"[red]error:[/red] {exc}")
        return 2
    print(f"review report: {index}")
    return 0


def print_evaluation(evaluation: Evaluation) -> None:
    console = report_console()
    for text_table in evaluation.tables():
        table = Table(title=text_table.title)
        for column in text_table.columns:
            table.add_column(column)
        for row in text_table.rows:
            table.add_row(*row)
        console.print(table)


def cmd_tiny_model(args: argparse.Namespace) -> int:
    from .tiny_model import build_tiny_model

    print(build_tiny_model(Path(args.path)))
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    from . import samples

    if args.count and args.schema == "mixed":
        paths = samples.write_mixed(Path(args.out), args.count, seed=args.seed)
        print(f"wrote {len(paths)} documents to {args.out}")
    elif args.count:
        paths = samples.write_batch(Path(args.out), args.count, seed=args.seed, schema=args.schema)
        print(f"wrote {len(paths)} documents to {args.out}")
    else:
        samples.write_starter_set(Path(args.out))
        print(f"wrote the starter set to {args.out}")
    return 0


COMMANDS = {"run": cmd_run, "eval": cmd_eval, "calibrate": cmd_calibrate, "review": cmd_review,
            "tiny-model": cmd_tiny_model, "samples": cmd_samples}

if __name__ == "__main__":  # vLLM's CPU engine spawns processes that re-import __main__
    sys.exit(main())
