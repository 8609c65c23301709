"""What a person needs to trust a record: for every leaf field its value, where it is printed
(evidence.py) and how sure docintel is (confidence.py); and whether the document needs review,
with the reasons.

A document **needs review** when any of these holds (each becomes one reason, in this order):

- ``low_confidence: <path> (<confidence>)``: a field with a value whose confidence is below
  ``review_threshold``;
- ``no_evidence: <path>``: a printed value (text, number, date, code) found on no page, where
  the pages had words to look in;
- ``flag: <flag>``: every flag of the record (business rules, window conflicts, failed windows);
- ``retried: <n> attempts``: an answer had to be asked for again.

Fields are stored in long form, one struct per leaf in a list column ``fields`` beside the
typed ``record``: ``path`` (``seller.name``, ``line_items[0].amount``), ``value`` (as text),
``confidence``, ``page``, ``quote``, ``box`` and ``match``/``reason``. One ``UNNEST(fields)``
answers "which fields are below 0.5" in DuckDB, Athena and Spark alike, for every schema; a
struct parallel to ``record`` would need one query per field and schema."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from .confidence import FieldScore, field_confidence, field_scores, leaf_values, value_logprobs
from .evidence import Evidence, find_evidence
from .words import Word

Calibrate = Callable[[float], float]


@dataclass(frozen=True)
class Reading:
    """One answer a record was read from: the whole document, or one page window of it."""

    record: dict[str, Any]
    text: str | None
    token_logprobs: Sequence[tuple[str, float]] | None
    pages: range  # 0-based pages the request showed


@dataclass(frozen=True)
class Assessment:
    fields: list[dict[str, Any]]
    reasons: list[str]

    @property
    def needs_review(self) -> bool:
        return bool(self.reasons)


def assess(record: dict[str, Any], schema: dict[str, Any], words: Sequence[Sequence[Word]],
           readings: Sequence[Reading], flags: Sequence[str], attempts: int, threshold: float,
           calibration: Calibrate | None = None) -> Assessment:
    """Evidence and confidence for every field of ``record`` (read from ``readings``, merged
    when there are several), and the reasons a person should review it."""
    evidence = find_evidence(record, schema, words)
    if len(readings) == 1:
        scores = field_scores(readings[0].text, readings[0].token_logprobs, record, evidence, flags, attempts,
                              calibration)
    else:
        scores = field_scores(None, None, record, evidence, flags, attempts, calibration,
                              p_models=merged_p_models(record, readings))
    fields = field_rows(record, evidence, scores)
    return Assessment(fields, review_reasons(fields, evidence, flags, attempts, threshold))


def window_support(reading: Reading, schema: dict[str, Any], words: Sequence[Sequence[Word]],
                   calibration: Calibrate | None = None) -> dict[str, float]:
    """How strongly one window supports each of its values (its fields' confidence, evidence
    looked for on its own pages): what the merge weighs when windows disagree."""
    shown = [page if index in reading.pages else [] for index, page in enumerate(words)]
    evidence = find_evidence(reading.record, schema, shown)
    return field_confidence(reading.text, reading.token_logprobs, reading.record, evidence, calibration=calibration)


def merged_p_models(record: dict[str, Any], readings: Sequence[Reading]) -> dict[str, float]:
    """The model's probability of each value of a merged record: the highest any window's answer
    gave the same value of the same field (list items matched by value, not by index, since a
    window numbers its own items)."""
    best: dict[tuple[str, str], float] = {}
    for reading in readings:
        if reading.text is None or not reading.token_logprobs:
            continue
        probabilities = value_logprobs(reading.text, reading.token_logprobs)
        for path, value in leaf_values(reading.record).items():
            if path in probabilities:
                key = (shape(path), json.dumps(value, sort_keys=True))
                best[key] = max(best.get(key, 0.0), probabilities[path].probability)
    return {path: best[key] for path, value in leaf_values(record).items()
            if (key := (shape(path), json.dumps(value, sort_keys=True))) in best}


def field_rows(record: Any, evidence: Mapping[str, Evidence], scores: Mapping[str, FieldScore]) -> list[dict[str, Any]]:
    """One row per leaf of ``record``, in record order, as the ``fields`` column stores it."""
    rows = []
    for path, value in leaf_values(record).items():
        found, score = evidence.get(path), scores.get(path)
        rows.append({
            "path": path,
            "value": None if value is None else value if isinstance(value, str) else json.dumps(value),
            "confidence": None if score is None else score.confidence,
            "page": found.page if found else None,
            "quote": found.quote if found else None,
            "box": dict(zip(("x0", "y0", "x1", "y1"), found.box)) if found and found.box else None,
            "match": found.match if found else None,
            "reason": found.reason if found else None,
        })
    return rows


def review_reasons(fields: Sequence[Mapping[str, Any]], evidence: Mapping[str, Evidence], flags: Sequence[str],
                   attempts: int, threshold: float) -> list[str]:
    """Why a person should look at the document (the rules above); empty when nobody needs to."""
    reasons = [f"low_confidence: {f['path']} ({f['confidence']:.2f})" for f in fields
               if f["value"] is not None and f["confidence"] is not None and f["confidence"] < threshold]
    reasons += [f"no_evidence: {path}" for path, found in evidence.items()
                if found.match == "none" and found.sought]
    reasons += [f"flag: {flag}" for flag in flags]
    if attempts > 1:
        reasons.append(f"retried: {attempts} attempts")
    return reasons


def shape(path: str) -> str:
    """A leaf path without its list indices (``line_items[3].amount`` -> ``line_items[].amount``):
    the same field of any item."""
    return re.sub(r"\[\d+\]", "[]", path)
