"""The grounding benchmark's scoring (bench/grounding.py) on a few generated documents: fed the truth
record, the evidence finder puts >= 98 % of the boxed values of born-digital documents on the right page
in the drawn box (IoU >= 0.5), and >= 90 % on a scanned one; the scoring tells a hit from a wrong page,
a low IoU and a value not found. The full benchmark, every variant, is bench/grounding.py."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.evidence import Evidence
from pipeline.render import RenderedDocument, render_document
from pipeline.runner import render_options
from pipeline.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("bench_grounding", ROOT / "bench" / "grounding.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


grounding = _bench()
OPTIONS = render_options(Settings())
SCHEMAS = {name: load_schema(name).schema for name in ("invoice", "contract")}


def share(runs) -> float:
    scores = [s for run in runs for s in run.scores]
    assert scores
    return sum(s.hit for s in scores) / len(scores)


def test_born_digital_documents_meet_the_target() -> None:
    runs = [grounding.run_document(grounding.generate(kind, index, "digital", 0), SCHEMAS[kind], OPTIONS)
            for kind, index in (("invoice", 0), ("invoice", 1), ("contract", 0))]
    assert all(run.failure is None and run.image_pages == 0 for run in runs)
    assert share(runs) >= grounding.TARGETS["born-digital"]


def test_a_scan_turned_on_the_glass_meets_the_target() -> None:
    """A one-page invoice scanned a quarter turn sideways: OCR's words on the page turned back upright,
    the truth boxes mapped into it by box_as_read."""
    run = grounding.run_document(grounding.generate("invoice", 0, "scan_rot90", 0), SCHEMAS["invoice"], OPTIONS)
    assert run.failure is None and run.image_pages == run.pages == 1 and run.not_upright == 0
    assert share([run]) >= grounding.TARGETS["scanned"]


@pytest.fixture(scope="module")
def digital_invoice():
    sample = grounding.generate("invoice", 2, "digital", 0)
    rendered = render_document(sample.data, OPTIONS)
    assert isinstance(rendered, RenderedDocument)
    return sample.truth(), rendered.pages


def test_scoring_tells_hits_from_wrong_pages_low_iou_and_values_not_found(digital_invoice) -> None:
    truth, pages = digital_invoice
    boxed = {path: place for path, place in truth["evidence"].items() if "box" in place}
    exact = {path: Evidence(place["page"], place["text"], tuple(place["box"]), "exact", 1.0)
             for path, place in boxed.items()}
    scores = grounding.score_document(truth, pages, exact)
    assert len(scores) == len(boxed) and all(s.hit and s.any_place and s.iou > 0.99 for s in scores)

    path, place = next(iter(boxed.items()))
    x0, y0, x1, y1 = place["box"]
    shifted = (x0 + 0.8 * (x1 - x0), y0, x1 + 0.8 * (x1 - x0), y1)  # 20 % overlap: IoU 0.11
    cases = {"wrong page": replace(exact[path], page=place["page"] + 1),
             "low IoU": replace(exact[path], box=shifted),
             "not found": Evidence(None, None, None, "none", 0.0, "not printed on any page")}
    for why, evidence in cases.items():
        score = {s.path: s for s in grounding.score_document(truth, pages, {**exact, path: evidence})}[path]
        assert not score.hit and score.why == why


def test_any_place_counts_a_value_found_where_it_is_printed_again(digital_invoice) -> None:
    truth, pages = digital_invoice
    path, place = next((p, e) for p, e in truth["evidence"].items() if e.get("also"))
    other = place["also"][0]
    found = {path: Evidence(other["page"], place["text"], tuple(other["box"]), "exact", 1.0)}
    (score,) = [s for s in grounding.score_document(truth, pages, found) if s.path == path]
    assert score.any_place and not score.hit
