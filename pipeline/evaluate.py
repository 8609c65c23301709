"""Evaluate a run against ground truth: join results to truth files by content hash, score each
record (scoring.py), and summarise per field, per document and per schema as terminal tables, a
Markdown report and Parquet.

## Scoring rules

### Joining results to truth

- **Truth** is every `*.json` under the truth folder, searched recursively:
  `{"schema": "invoice", "document_id": "<sha256>", "record": {...}}`, optionally with `layout`,
  `language` and `variant` (used for breakdowns). `document_id` is the SHA-256 of the document's
  bytes (`docintel samples` writes it). Each truth record must be valid under its schema
  (`schemas/<schema>.json`); an invalid one stops the evaluation, naming the file.
- **Results** are the pipeline's output folder: `results/**/*.parquet` and `errors/**/*.parquet`,
  with `schema_name` from the hive partition in the path.
- Truth and results join on (`schema_name`, `document_id`), never on file names: a renamed or
  moved document still joins. When several result rows exist for one document (reruns, several
  runs in one folder), the row with the latest `extracted_at` is scored (ties: the larger
  `run_id`). `run_ids` restricts the evaluation to chosen runs.
- A truth document without a result row is scored as an empty prediction (each of its values is
  missing, so it counts against recall) and is listed as *not extracted*, with the `error_type`
  of its latest error row when there is one. Result rows without truth are not scored; they are
  counted as *unlabelled*.

### Summaries

- **Per schema**: documents, extracted, exact matches, and micro-averaged precision, recall and
  F1 (counts summed over all fields and documents, not-extracted documents included), overall
  (`(all fields)`) and per field; the same by `layout`, `language` and `variant` when the truth
  files carry them.
- **Parquet** (for trends across runs): one row per (schema, field) plus one `(all fields)` row
  per schema, with `tp`, `wrong`, `missing`, `extra`, `precision`, `recall`, `f1`, the schema's
  `documents`, `extracted`, `exact_matches`, the scored rows' `model`, `prompt_version` and
  `max_soft_tokens` (null when the scored rows disagree), their `run_ids`, and `evaluated_at`.

The record rules (outcomes, normalisation, lists, metrics) are in `pipeline/scoring.py`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq

from .schemas import SCHEMA_DIR
from . import scoring
from .calibration import Pair, expected_calibration_error, reliability_table
from .confidence import leaf_values
from .scoring import Field, FieldCounts, RecordScore, compile_schema, leaf_key, leaf_paths, score_fields, tp_keys
from .trust import shape

ALL_FIELDS = "(all fields)"
"""The `field` of the row that sums every field of a schema."""
ATTRIBUTES = ("layout", "language", "variant")
"""Truth-file keys kept as document attributes and used for breakdowns."""


# --- inputs -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TruthDoc:
    """One ground-truth file."""

    path: Path
    schema: str | None  # None: a document that fits no schema (--schema auto must leave it unclassified)
    document_id: str
    record: dict[str, Any] | None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Prediction:
    """One row of the pipeline's `results` table."""

    schema_name: str
    document_id: str
    source: str
    record: dict[str, Any]
    extracted_at: datetime
    run_id: str
    model: str | None = None
    prompt_version: str | None = None
    max_soft_tokens: int | None = None
    classified_as: str | None = None
    confidences: dict[str, float] = field(default_factory=dict)  # leaf path -> confidence (fields column)


@dataclass(frozen=True)
class Failure:
    """One row of the pipeline's `errors` table that names a document."""

    schema_name: str
    document_id: str
    source: str
    error_type: str
    failed_at: datetime
    run_id: str
    classified_as: str | None = None


def load_truth(truth_dir: Path) -> list[TruthDoc]:
    """Every truth file under `truth_dir` (recursively); one document may appear once per schema."""
    docs: dict[tuple[str, str], TruthDoc] = {}
    for path in sorted(Path(truth_dir).rglob("*.json")):
        doc = _truth_doc(path)
        key = (doc.schema, doc.document_id)
        if key in docs:
            raise ValueError(f"{path}: same {doc.schema} document as {docs[key].path} (document_id {doc.document_id})")
        docs[key] = doc
    return list(docs.values())


def _truth_doc(path: Path) -> TruthDoc:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        schema, document_id, record = data["schema"], data["document_id"], data["record"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a truth file ({{\"schema\": ..., \"document_id\": ..., "
                         f"\"record\": ...}}): missing or invalid {exc}") from None
    attributes = {k: str(data[k]) for k in ATTRIBUTES if data.get(k) is not None}
    return TruthDoc(path, None if schema is None else str(schema), str(document_id), record, attributes)


def load_results(results_dir: Path) -> tuple[list[Prediction], list[Failure]]:
    """Every result row and every error row with a document_id under a pipeline output folder."""
    results_dir = Path(results_dir)
    if not (results_dir / "results").is_dir() and not (results_dir / "errors").is_dir():
        raise FileNotFoundError(f"{results_dir}: no results/ or errors/ folder; give the folder `docintel run --out` wrote")
    predictions = [Prediction(schema_name=row["schema_name"], document_id=row["document_id"], source=row["source"],
                              record=json.loads(row["record_json"]), extracted_at=row["extracted_at"],
                              run_id=row["run_id"], model=row.get("model"), prompt_version=row.get("prompt_version"),
                              max_soft_tokens=row.get("max_soft_tokens"), classified_as=row.get("classified_as"),
                              confidences={f["path"]: f["confidence"] for f in row.get("fields") or []
                                           if f["confidence"] is not None})
                   for row in _rows(results_dir / "results", _RESULT_COLUMNS)]
    failures = [Failure(row["schema_name"], row["document_id"], row["source"], row["error_type"],
                        row["failed_at"], row["run_id"], row.get("classified_as"))
                for row in _rows(results_dir / "errors", _ERROR_COLUMNS) if row.get("document_id")]
    return predictions, failures


_RESULT_COLUMNS = ("document_id", "source", "record_json", "extracted_at", "run_id", "model", "prompt_version",
                   "max_soft_tokens", "classified_as", "fields")
_ERROR_COLUMNS = ("document_id", "source", "error_type", "failed_at", "run_id", "classified_as")
Row = TypeVar("Row", Prediction, Failure)


def _rows(folder: Path, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Rows of every Parquet file under `folder`, file by file (each schema's `record` struct
    differs, and older files may lack newer columns), with the hive partition values of its path."""
    for path in sorted(folder.rglob("*.parquet")):
        parquet = pq.ParquetFile(path)
        partition = dict(unquote(part).split("=", 1) for part in path.relative_to(folder).parent.parts if "=" in part)
        present = [c for c in columns if c in parquet.schema_arrow.names]
        for row in parquet.read(columns=present).to_pylist():
            yield {**partition, **row}


def _latest(rows: Iterable[Row], when: Callable[[Row], datetime]) -> dict[tuple[str, str], Row]:
    """The latest row per (schema_name, document_id) by `when`, ties going to the larger run_id."""
    latest: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (row.schema_name, row.document_id)
        if key not in latest or (when(row), row.run_id) > (when(latest[key]), latest[key].run_id):
            latest[key] = row
    return latest


# --- evaluation ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentScore:
    """A truth document, the result row scored against it (None: not extracted) and its score."""

    truth: TruthDoc
    prediction: Prediction | None
    error_type: str | None
    score: RecordScore

    @property
    def extracted(self) -> bool:
        return self.prediction is not None

    @property
    def exact_match(self) -> bool:
        return self.extracted and self.score.total.errors == 0


@dataclass(frozen=True)
class Summary:
    """Totals of a group of documents of one schema."""

    documents: int
    extracted: int
    exact_matches: int
    counts: FieldCounts
    fields: dict[str, FieldCounts]


@dataclass(frozen=True)
class RunInfo:
    """What produced the scored result rows; a value is None when the rows disagree on it."""

    model: str | None
    prompt_version: str | None
    max_soft_tokens: int | None
    run_ids: tuple[str, ...]


@dataclass(frozen=True)
class TextTable:
    """A table as strings, for the terminal (rich) and for Markdown."""

    title: str
    columns: list[str]
    rows: list[list[str]]

    def to_markdown(self) -> str:
        lines = [self.columns, ["---"] * len(self.columns), *self.rows]
        return "\n".join("| " + " | ".join(_cell(c) for c in line) + " |" for line in lines)


def summarise(documents: Sequence[DocumentScore], paths: Sequence[str]) -> Summary:
    """Micro-averaged totals of `documents`, per field path (all of `paths`, zeros included)."""
    fields = {path: FieldCounts() for path in paths}
    for doc in documents:
        for path, counts in doc.score.fields.items():
            fields[path] = fields.get(path, FieldCounts()) + counts
    return Summary(len(documents), sum(d.extracted for d in documents), sum(d.exact_match for d in documents),
                   sum(fields.values(), FieldCounts()), fields)


@dataclass(frozen=True)
class Evaluation:
    """Every truth document scored, with summaries, tables, a Markdown report and Parquet."""

    documents: list[DocumentScore]
    paths: dict[str, list[str]]  # schema name -> leaf field paths in schema order
    unlabelled: dict[str, int]  # schema name -> result documents without truth
    truth_dir: Path
    results_dir: Path
    evaluated_at: datetime
    routing: list[tuple[str, str]] = field(default_factory=list)  # (true kind, routed to) per classified document
    confidence: list[Pair] = field(default_factory=list)  # (confidence, correct) per extracted value

    @property
    def schemas(self) -> list[str]:
        return sorted(self.paths)

    def documents_of(self, schema: str) -> list[DocumentScore]:
        """The scored documents of one schema, in truth-file order."""
        return [d for d in self.documents if d.truth.schema == schema]

    def summary(self, schema: str) -> Summary:
        """Totals of one schema."""
        return summarise(self.documents_of(schema), self.paths[schema])

    def breakdown(self, schema: str, attribute: str) -> dict[str, Summary]:
        """Totals of one schema per value of a truth attribute (layout, language, variant)."""
        groups: dict[str, list[DocumentScore]] = defaultdict(list)
        for doc in self.documents_of(schema):
            if attribute in doc.truth.attributes:
                groups[doc.truth.attributes[attribute]].append(doc)
        return {value: summarise(docs, self.paths[schema]) for value, docs in sorted(groups.items())}

    def run_info(self, schema: str) -> RunInfo:
        """The model, prompt version, image budget and runs of the result rows scored for a schema."""
        rows = [d.prediction for d in self.documents_of(schema) if d.prediction is not None]

        def one(values: set[Any]) -> Any:
            return next(iter(values)) if len(values) == 1 else None

        return RunInfo(one({r.model for r in rows}), one({r.prompt_version for r in rows}),
                       one({r.max_soft_tokens for r in rows}), tuple(sorted({r.run_id for r in rows})))

    def tables(self) -> list[TextTable]:
        """The terminal view: one summary row per schema, then each schema's per-field table."""
        routing = [self._routing_table()] if self.routing else []
        reliability = [self._reliability_table()] if self.confidence else []
        return [self._overview(), *routing, *reliability, *(self._field_table(s) for s in self.schemas)]

    def to_markdown(self) -> str:
        """The full report: summary, per-field tables, breakdowns, per-document results, differences."""
        when = self.evaluated_at.strftime("%Y-%m-%d %H:%M UTC")
        parts = [f"# Extraction accuracy\n\nEvaluated {when}: truth `{self.truth_dir}`, results `{self.results_dir}`.",
                 self._overview().to_markdown()]
        if self.routing:
            parts.append(self._routing_table().to_markdown())
        if self.confidence:
            parts.append(self._reliability_table().to_markdown())
        for schema in self.schemas:
            parts += [f"## {schema}", self._run_line(schema), self._field_table(schema).to_markdown()]
            for attribute in ATTRIBUTES:
                groups = self.breakdown(schema, attribute)
                if groups:
                    parts += [f"### By {attribute}", _group_table(attribute, groups).to_markdown()]
            parts += ["### Documents", self._document_table(schema).to_markdown()]
            differences = self._differences(schema)
            if differences:
                parts += ["### Differences", "Values as they were compared, after normalisation.", differences]
        rules = (__doc__ or "").partition("## Scoring rules")[2].partition("The record rules")[0]
        record_rules = (scoring.__doc__ or "").partition("## Record rules")[2]
        parts.append("## Scoring rules" + rules.rstrip() + "\n\n" + record_rules.strip())
        return "\n\n".join(parts) + "\n"

    def to_arrow(self) -> pa.Table:
        """One row per (schema, field) plus an `(all fields)` row per schema; see the rules."""
        rows = []
        for schema in self.schemas:
            summary, run = self.summary(schema), self.run_info(schema)
            for name, c in [*summary.fields.items(), (ALL_FIELDS, summary.counts)]:
                rows.append({"evaluated_at": self.evaluated_at, "schema_name": schema, "field": name,
                             "tp": c.tp, "wrong": c.wrong, "missing": c.missing, "extra": c.extra,
                             "precision": c.precision, "recall": c.recall, "f1": c.f1,
                             "documents": summary.documents, "extracted": summary.extracted,
                             "exact_matches": summary.exact_matches, "model": run.model,
                             "prompt_version": run.prompt_version, "max_soft_tokens": run.max_soft_tokens,
                             "run_ids": list(run.run_ids)})
        return pa.Table.from_pylist(rows, schema=EVALUATION_SCHEMA)

    def write_parquet(self, path: Path) -> Path:
        """Write `to_arrow()` to `path` (parents created); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(self.to_arrow(), path, compression="zstd")
        return path

    def _overview(self) -> TextTable:
        rows = []
        for schema in self.schemas:
            s = self.summary(schema)
            rows.append([schema, str(s.documents), str(s.extracted), _share(s.exact_matches, s.documents),
                         *_metrics(s.counts), str(s.counts.wrong), str(s.counts.missing), str(s.counts.extra),
                         str(self.unlabelled.get(schema, 0))])
        return TextTable("Accuracy by schema", ["schema", "documents", "extracted", "exact match", "precision",
                                                "recall", "F1", "wrong", "missing", "extra", "unlabelled"], rows)

    def _reliability_table(self) -> TextTable:
        """How often values of each confidence were right: a calibrated confidence of 0.8 is
        right 8 times in 10 (confidence_pairs says which values count)."""
        ece = expected_calibration_error(self.confidence)
        rows = [[f"{b.lower:.1f}-{b.upper:.1f}", str(b.count), _number(b.mean_confidence), _number(b.accuracy)]
                for b in reliability_table(self.confidence)]
        return TextTable(f"Reliability of field confidence (expected calibration error {ece:.4f}, "
                         f"{len(self.confidence)} values)", ["confidence", "values", "mean confidence", "accuracy"], rows)

    def _routing_table(self) -> TextTable:
        """--schema auto: per true kind, how many documents the classifier sent where."""
        rows = []
        for kind in sorted({expected for expected, _ in self.routing}):
            sent = Counter(got for expected, got in self.routing if expected == kind)
            rows.append([kind, str(sum(sent.values())), _share(sent[kind], sum(sent.values())),
                         ", ".join(f"{got} {n}" for got, n in sorted(sent.items()))])
        correct = sum(expected == got for expected, got in self.routing)
        rows.append(["(all)", str(len(self.routing)), _share(correct, len(self.routing)), ""])
        return TextTable("Routing (--schema auto)", ["true kind", "documents", "routed right", "routed to"], rows)

    def _field_table(self, schema: str) -> TextTable:
        s = self.summary(schema)
        rows = [[name, str(c.tp), str(c.wrong), str(c.missing), str(c.extra), *_metrics(c)]
                for name, c in [*s.fields.items(), (ALL_FIELDS, s.counts)]]
        return TextTable(f"{schema}: per field", ["field", "tp", "wrong", "missing", "extra", "precision",
                                                  "recall", "F1"], rows)

    def _run_line(self, schema: str) -> str:
        run = self.run_info(schema)
        if not run.run_ids:
            return "No result rows were scored."
        return (f"Scored result rows: model `{run.model or 'several'}`, prompt version "
                f"`{run.prompt_version or 'several'}`, image budget "
                f"`{run.max_soft_tokens if run.max_soft_tokens is not None else 'several or unknown'}` soft tokens, "
                f"run(s) {', '.join(f'`{r}`' for r in run.run_ids)}.")

    def _document_table(self, schema: str) -> TextTable:
        rows = []
        for doc in self.documents_of(schema):
            total = doc.score.total
            status = ("exact match" if doc.exact_match else f"{total.errors} differences" if doc.extracted
                      else f"not extracted ({doc.error_type or 'no result row'})")
            attributes = ", ".join(f"{k}={v}" for k, v in doc.truth.attributes.items())
            rows.append([doc.truth.path.relative_to(self.truth_dir).as_posix(),
                         doc.prediction.source if doc.prediction else "–", attributes, status,
                         str(total.tp), str(total.wrong), str(total.missing), str(total.extra), _number(total.f1)])
        return TextTable(f"{schema}: documents", ["truth file", "source", "attributes", "status", "tp", "wrong",
                                                  "missing", "extra", "F1"], rows)

    def _differences(self, schema: str, limit: int = 20) -> str:
        """Each extracted, inexact document's differences (the first `limit`), as Markdown bullets."""
        blocks = []
        for doc in self.documents_of(schema):
            if not doc.extracted or doc.exact_match:
                continue
            differences = doc.score.differences
            lines = [f"- `{c.field}` {c.outcome}: truth {_show(c.truth)}, predicted {_show(c.predicted)}"
                     for c in differences[:limit]]
            if len(differences) > limit:
                lines.append(f"- … and {len(differences) - limit} more")
            blocks.append(f"**{doc.truth.path.relative_to(self.truth_dir).as_posix()}**\n\n" + "\n".join(lines))
        return "\n\n".join(blocks)


EVALUATION_SCHEMA = pa.schema([
    pa.field("evaluated_at", pa.timestamp("us", tz="UTC")),
    pa.field("schema_name", pa.string()),
    pa.field("field", pa.string()),
    pa.field("tp", pa.int64()),
    pa.field("wrong", pa.int64()),
    pa.field("missing", pa.int64()),
    pa.field("extra", pa.int64()),
    pa.field("precision", pa.float64()),
    pa.field("recall", pa.float64()),
    pa.field("f1", pa.float64()),
    pa.field("documents", pa.int64()),
    pa.field("extracted", pa.int64()),
    pa.field("exact_matches", pa.int64()),
    pa.field("model", pa.string()),
    pa.field("prompt_version", pa.string()),
    pa.field("max_soft_tokens", pa.int64()),
    pa.field("run_ids", pa.list_(pa.string())),
])
"""Columns of `Evaluation.write_parquet`."""


def evaluate(truth_dir: Path, results_dir: Path, *, run_ids: Collection[str] | None = None,
             schema_dir: Path = SCHEMA_DIR) -> Evaluation:
    """Score every truth document under `truth_dir` against the pipeline output in `results_dir`.

    `run_ids` limits the result and error rows to those runs; schemas are read from
    `schema_dir/<schema>.json`."""
    truth_dir, results_dir = Path(truth_dir), Path(results_dir)
    truth = load_truth(truth_dir)
    predictions, failures = load_results(results_dir)
    if run_ids is not None:
        predictions = [p for p in predictions if p.run_id in run_ids]
        failures = [f for f in failures if f.run_id in run_ids]
    latest = _latest(predictions, lambda p: p.extracted_at)
    latest_failure = _latest(failures, lambda f: f.failed_at)
    routing = _routing(truth, predictions, failures)
    confidence: list[Pair] = []
    truth = [t for t in truth if t.schema is not None]
    roots = {name: _load_schema(schema_dir, name) for name in sorted({t.schema for t in truth if t.schema})}
    documents = []
    for doc in truth:
        assert doc.schema is not None and doc.record is not None
        validator, root = roots[doc.schema]
        _check_truth(doc, validator)
        prediction = latest.get((doc.schema, doc.document_id))
        failure = None if prediction else latest_failure.get((doc.schema, doc.document_id))
        score = score_fields(root, doc.record, prediction.record if prediction else None)
        documents.append(DocumentScore(doc, prediction, failure.error_type if failure else None, score))
        if prediction is not None:
            confidence += confidence_pairs(root, score, prediction)
    labelled = {(t.schema, t.document_id) for t in truth}
    unlabelled = Counter(schema for schema, doc_id in latest if (schema, doc_id) not in labelled)
    return Evaluation(documents, {name: leaf_paths(root) for name, (_, root) in roots.items()},
                      {name: unlabelled[name] for name in roots}, truth_dir, results_dir,
                      datetime.now(timezone.utc), routing, confidence)


def confidence_pairs(root: Field, score: RecordScore, prediction: Prediction) -> list[Pair]:
    """(confidence, correct) for each value the prediction gives (a leaf that is not absent and
    has a confidence): correct when it is one of the record's true positives, i.e. equal after
    normalisation to the truth it was paired with (list items paired as the scoring pairs them).
    A null the model was sure of is not a value and is not counted."""
    right = tp_keys(score)
    pairs = []
    for path, value in leaf_values(prediction.record).items():
        key = leaf_key(root, path, value, prediction.record)
        if key is None or path not in prediction.confidences:
            continue
        correct = right[shape(path), key] > 0
        right[shape(path), key] -= correct
        pairs.append((prediction.confidences[path], correct))
    return pairs


def _routing(truth: Sequence[TruthDoc], predictions: Sequence[Prediction],
             failures: Sequence[Failure]) -> list[tuple[str, str]]:
    """(true kind, where its latest classified row went) for each truth document that a
    ``--schema auto`` run classified: the schema partition of the row, ``none`` for the
    documents left unclassified; true kind ``none`` for truth without a schema."""
    latest: dict[str, tuple[datetime, str]] = {}
    rows = [(p.document_id, p.extracted_at, p.schema_name, p.classified_as) for p in predictions]
    rows += [(f.document_id, f.failed_at, f.schema_name, f.classified_as or (f.error_type == "unclassified") or None)
             for f in failures]
    for document_id, when, schema_name, classified in rows:
        if classified and (document_id not in latest or when > latest[document_id][0]):
            latest[document_id] = (when, "none" if schema_name == "auto" else schema_name)
    return [(t.schema or "none", latest[t.document_id][1]) for t in truth if t.document_id in latest]


def _load_schema(schema_dir: Path, name: str) -> tuple[jsonschema.protocols.Validator, Field]:
    path = Path(schema_dir) / f"{name}.json"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"truth names schema {name!r}, but there is no {path}") from None
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER), compile_schema(schema)


def _check_truth(doc: TruthDoc, validator: jsonschema.protocols.Validator) -> None:
    """Stop on a truth record its schema rejects: scoring against a wrong label misleads."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc.record))
    if error is not None:
        raise ValueError(f"{doc.path}: truth record is not valid under schema {doc.schema!r}: "
                         f"{error.message} (at {error.json_path})")


# --- formatting ---------------------------------------------------------------------------------

def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _metrics(counts: FieldCounts) -> list[str]:
    return [_number(counts.precision), _number(counts.recall), _number(counts.f1)]


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "0/0"


def _group_table(attribute: str, groups: Mapping[str, Summary]) -> TextTable:
    rows = [[value, str(s.documents), str(s.extracted), _share(s.exact_matches, s.documents), *_metrics(s.counts)]
            for value, s in groups.items()]
    return TextTable(f"by {attribute}", [attribute, "documents", "extracted", "exact match", "precision", "recall",
                                         "F1"], rows)


def _show(value: Any) -> str:
    """A normalised value as Markdown: what was compared, not what was printed."""
    if value is None:
        return "(absent)"
    if isinstance(value, tuple):  # money: (currency, amount)
        return f"`{value[0] or '(no currency)'} {_plain(value[1])}`"
    return f"`{_plain(value)}`"


def _plain(value: Any) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value).replace("`", "'")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
