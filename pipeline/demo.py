"""``make demo``: run the main job on ``sample_docs/`` and query the output.

With a GPU it uses the real model (google/gemma-4-12B-it). Without one it builds the tiny
random-weight Gemma 4 checkpoint and runs the same pipeline on the CPU: every stage is real,
but the extracted values are random and meaningless."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_docs"
OUT = ROOT / "out" / "demo"
TINY = ROOT / ".cache" / "tiny-gemma4"

QUERY = """
SELECT schema_name, 'result' AS outcome, count(*) AS documents,
       count(*) FILTER (WHERE len(flags) > 0) AS flagged, sum(output_tokens) AS output_tokens,
       max(page_count) AS most_pages, max(windows) AS most_windows
FROM read_parquet('{out}/results/**/*.parquet', hive_partitioning = true, union_by_name = true)
GROUP BY ALL
UNION ALL
SELECT schema_name, 'error: ' || error_type, count(*), NULL, NULL, NULL, NULL
FROM read_parquet('{out}/errors/**/*.parquet', hive_partitioning = true)
GROUP BY ALL
ORDER BY ALL
"""


def main() -> int:
    os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")  # as `docintel run` without --verbose
    import torch

    from .cli import print_summary, report_console
    from .config import Settings
    from .engines import create_engine
    from .runner import run_batch
    from .schemas import load_schema

    console = report_console()
    if torch.cuda.is_available():
        settings = Settings()
        console.print(f"GPU found: running {settings.model}.")
    else:
        from .tiny_model import build_tiny_model

        settings = Settings(model=str(build_tiny_model(TINY)), max_model_len=32768, max_tokens=1536,
                            max_soft_tokens=70, window=16, enforce_eager=True)
        console.print("[bold yellow]No GPU: running the tiny random-weight Gemma 4 checkpoint on the "
                      "CPU. Every stage is real; the extracted VALUES ARE RANDOM AND MEANINGLESS.[/]")
    shutil.rmtree(OUT, ignore_errors=True)  # the demo shows one run, not the sum of all demo runs
    engine = create_engine(settings)
    try:
        for schema_name, inputs in (("invoice", ["invoice", "bad"]), ("contract", ["contract"])):
            summary = run_batch([SAMPLES / i for i in inputs], load_schema(schema_name), OUT, settings, engine)
            print_summary(summary)
    finally:
        engine.close()
    show_query()
    show_evaluation(gpu=torch.cuda.is_available())
    show_review()
    return 0


def show_review() -> None:
    from .cli import report_console
    from .review import write_review

    index = write_review(str(OUT))
    report_console().print(f"[bold]Review report[/] (docintel review {OUT}): documents needing review first, "
                           f"each page with the evidence boxes and the field table. Open it in a browser:\n{index}")


def show_query() -> None:
    import duckdb

    sql = QUERY.format(out=OUT)
    print(f"DuckDB over {OUT}:{sql}")
    print(duckdb.sql(sql))


def show_evaluation(gpu: bool) -> None:
    from .cli import print_evaluation, report_console
    from .evaluate import evaluate

    console = report_console()
    console.print(f"[bold]Accuracy against sample_docs/truth[/] (docintel eval --truth {SAMPLES / 'truth'} "
                  f"--results {OUT}):")
    print_evaluation(evaluate(SAMPLES / "truth", OUT))
    if not gpu:
        console.print("[bold yellow]These scores are near zero by design: the tiny checkpoint has random weights. "
                      "On a GPU, `make demo` runs google/gemma-4-12B-it and the same table measures it.[/]")


if __name__ == "__main__":  # vLLM's CPU engine spawns processes that re-import __main__
    sys.exit(main())
