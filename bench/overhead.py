"""Pipeline overhead: ``docintel`` end to end (discover, render, prompt, generate, validate,
Parquet) vs bare ``vllm.LLM.chat`` on the same prepared requests, one engine for both.

    .venv/bin/python bench/overhead.py [--docs 60] [--model PATH_OR_ID]

Without --model it builds the tiny random-weight checkpoint and runs on the CPU. Both sides
make one attempt per document (max_attempts=1) with greedy decoding, so they generate the same
amount; the output-token totals are printed to show it. Prints wall times and the ratio."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    from pipeline.config import Settings
    from pipeline.engine import VllmEngine
    from pipeline.prompt import build_messages
    from pipeline.render import render_source
    from pipeline.runner import render_options, run_batch
    from pipeline.samples import write_batch
    from pipeline.schemas import load_schema
    from pipeline.tiny_model import build_tiny_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--model", help="checkpoint (default: the tiny CPU checkpoint)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="docintel-bench-"))
    if args.model:
        settings = Settings(model=args.model, max_attempts=1)
    else:
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "4")
        settings = Settings(model=str(build_tiny_model(root / "tiny")), max_model_len=32768, max_tokens=1024,
                            max_soft_tokens=70, max_attempts=1, enforce_eager=True)
    schema = load_schema("invoice")
    paths = write_batch(root / "docs", args.docs, seed=2)
    engine = VllmEngine(settings)

    # The bare side: the same requests the pipeline builds, prepared before the clock starts.
    options = render_options(settings)
    conversations = [build_messages(render_source(str(p), options), schema, settings.max_text_chars) for p in paths]
    params = SamplingParams(max_tokens=settings.max_tokens, temperature=settings.temperature, seed=settings.seed,
                            structured_outputs=StructuredOutputsParams(json=schema.schema))
    engine.llm.chat(conversations[:2], params, use_tqdm=False)  # warm-up (compile, caches)

    start = time.perf_counter()
    outputs = engine.llm.chat(conversations, params, use_tqdm=False)
    bare = time.perf_counter() - start
    bare_tokens = sum(len(o.outputs[0].token_ids) for o in outputs)

    summary = run_batch(paths, schema, root / "out", settings, engine)
    engine.close()

    print(f"documents: {len(paths)}  pages: {summary.pages}  model: {settings.model}")
    print(f"bare vllm.LLM.chat (prepared requests): {bare:8.2f} s  output tokens {bare_tokens}")
    print(f"docintel pipeline (end to end)        : {summary.seconds:8.2f} s  output tokens {summary.output_tokens}"
          f"  results {summary.results}  errors {dict(summary.errors)}")
    print(f"overhead ratio pipeline / bare        : {summary.seconds / bare:8.3f}")


if __name__ == "__main__":
    main()
