"""Render throughput: docintel's renderers (PyMuPDF, the default, and PDFium) vs plain pypdfium2
and poppler's pdftoppm, on the same PDF pages at the same pixel size (the image-token budget).

    .venv/bin/python bench/render.py [--docs 40] [--max-soft-tokens 280]

Prints pages/second per renderer, one process each, and the ratios of docintel's renderers to
the alternatives; then docintel's default renderer across worker processes as the runner uses it."""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pymupdf
import pypdfium2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.render import RenderOptions, fit_scale, render_source  # noqa: E402
from pipeline.samples import write_batch  # noqa: E402


def docintel(paths: list[Path], options: RenderOptions) -> int:
    return sum(len(render_source(str(p), options).pages) for p in paths)


def pdfium(paths: list[Path], options: RenderOptions) -> int:
    pages = 0
    for path in paths:
        pdf = pypdfium2.PdfDocument(path)
        for page in pdf:
            width, height = page.get_size()
            page.render(scale=fit_scale(width, height, options, 72)).to_pil()
            page.get_textpage().get_text_range()  # docintel keeps the text layer too
            pages += 1
        pdf.close()
    return pages


def pdftoppm(paths: list[Path], options: RenderOptions) -> int:
    pages = 0
    with tempfile.TemporaryDirectory() as out:
        for i, path in enumerate(paths):
            with pymupdf.open(path) as doc:  # page size only, to match the pixel budget
                rect = doc[0].rect
                count = doc.page_count
            dpi = fit_scale(rect.width, rect.height, options, 72) * 72
            subprocess.run(["pdftoppm", "-r", f"{dpi:.2f}", str(path), f"{out}/{i}"], check=True)
            pages += count
    return pages


def timed(name: str, fn, paths: list[Path], options: RenderOptions) -> float:
    start = time.perf_counter()
    pages = fn(paths, options)
    rate = pages / (time.perf_counter() - start)
    print(f"{name:<34} {pages:>5} pages {rate:>9.1f} pages/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--max-soft-tokens", type=int, default=280)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    options = RenderOptions(max_soft_tokens=args.max_soft_tokens)
    pdfium_options = RenderOptions(max_soft_tokens=args.max_soft_tokens, renderer="pdfium")

    with tempfile.TemporaryDirectory() as tmp:
        paths = [p for p in write_batch(Path(tmp), args.docs, seed=1, scanned_share=0.3) if p.suffix == ".pdf"]
        print(f"{len(paths)} PDFs, pages rendered to ~{options.target_pixels:,} pixels "
              f"(max_soft_tokens={args.max_soft_tokens}), one process each:")
        for warm in (options, pdfium_options):
            docintel(paths[:2], warm)  # warm caches and imports
        ours = {
            "docintel pymupdf": timed("docintel pymupdf (-> PIL + text)", docintel, paths, options),
            "docintel pdfium": timed("docintel pdfium (-> PIL + text)", docintel, paths, pdfium_options),
        }
        rates = {"pypdfium2": timed("pypdfium2 (-> PIL + text)", pdfium, paths, options)}
        if shutil.which("pdftoppm"):
            rates["pdftoppm"] = timed("pdftoppm (-> PPM files)", pdftoppm, paths, options)
        else:
            print("pdftoppm: not installed (apt-get install poppler-utils)")
        for mine, base in ours.items():
            print(f"{mine}: " + ", ".join(f"{base / rate:.2f}x {name}" for name, rate in rates.items()))

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
            list(pool.map(render_source, map(str, paths[:args.workers]), [options] * args.workers))  # start workers
            start = time.perf_counter()
            pages = sum(len(d.pages) for d in pool.map(render_source, map(str, paths), [options] * len(paths)))
            rate = pages / (time.perf_counter() - start)
        print(f"docintel, {args.workers} worker processes (as the runner renders, pages returned to the "
              f"parent): {rate:.1f} pages/s")


if __name__ == "__main__":
    main()
