"""Score extracted records against ground truth: per-field precision, recall and F1, per-document
exact match and per-schema summaries, as terminal tables, a Markdown report and Parquet.

## Scoring rules

### Joining results to truth

- **Truth** is every `*.json` under the truth folder, searched recursively:
  `{"schema": "invoice", "document_id": "<sha256>", "record": {...}}`, optionally with `layout`,
  `language` and `variant` (used for breakdowns). `document_id` is the SHA-256 of the document's
  bytes; a truth file without one, named `<subdir>__<file name>.json`, gets it from the document
  `<truth folder>/../<subdir>/<file name>`. Each truth record must be valid under its schema
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

### Fields and outcomes

- Only fields the schema declares are scored. Each leaf field has a path: `invoice_number`,
  `seller.address.city`, `line_items[].amount`; `tags[]` for an array of scalars.
- A value is *absent* when it is null, missing, or a string with nothing left once whitespace and
  punctuation are removed. An absent object or array means all the fields below it are absent.
- Each leaf, with truth value T and predicted value P, counts as one outcome:

  | T | P | outcome |
  |---|---|---|
  | present | present, equal after normalisation | **tp** (true positive) |
  | present | present, different | **wrong** |
  | present | absent | **missing** |
  | absent | present | **extra** |
  | absent | absent | not counted |

### Normalisation (the field's kind comes from its schema)

- **Dates** (`format: date`): parsed as ISO 8601 calendar dates, as the schema demands
  (`YYYY-MM-DD`; `YYYYMMDD` is accepted too). Printed forms such as `22.06.2024` are not
  interpreted: they count as wrong.
- **Decimals** (`type: number`, or a string whose `pattern` accepts `0.5` and rejects `a`, such as
  `$defs/amount`): compared as exact decimal values, so `1234.5` = `1234.50`; never rounded, so
  `0.0125` ≠ `0.01`. A value that is not a number counts as wrong.
- **Money**: a decimal field of a schema with a top-level `currency` field, except fields named
  `quantity` or `qty`. An amount is the pair (its record's currency, its value) and is correct
  only when both match, so a wrong or missing currency makes every amount of the record wrong
  (two absent currencies match). Exact values in the same currency compare as the currency's
  minor units would (cents; none for JPY), without rounding away extra decimals.
- **Identifiers** (fields named `iban`, `bic`, `swift`, `purchase_order`, or ending in `_id`,
  `_number`, `_code`): Unicode NFKC, all whitespace and punctuation removed, upper case:
  `FR 61 489327015` = `FR61489327015`, `ec2a 3ep` = `EC2A3EP`.
- **Other text** (names, addresses, descriptions, terms): Unicode NFKC, case-folded, punctuation
  (Unicode category P*) removed, runs of whitespace collapsed to one space:
  `Van der Berg Logistics B.V.` = `VAN DER BERG LOGISTICS BV`. Accents stay: `Jürgen` ≠ `Jurgen`.
- **Enums, booleans, integers** and anything without one clear type: the exact JSON value
  (an integral float equals its integer: `12.0` = `12`).

### Lists

- **Arrays of objects** (`line_items`, `parties`, `signatories`, any other) are compared as sets:
  order does not matter. Truth items are paired with predicted items by a maximum-weight
  bipartite matching (Hungarian algorithm, exact), where a pair's weight is the number of its leaf
  fields that are equal; identical items are paired first (they always belong to an optimal
  matching), and pairs with no equal field stay unpaired. Paired items are compared field by
  field; every value of an unpaired truth item is missing, of an unpaired predicted item extra.
  Ties between optimal matchings are broken by a canonical order of the normalised items, so
  any permutation of either list scores exactly like the original. (Which optimal matching is
  chosen never changes a document's totals: precision and recall depend only on the tp count.)
- **Arrays of scalars** are multisets: tp = items in both (with multiplicity), missing = truth
  items left over, extra = predicted items left over.

### Metrics

- precision = tp / (tp + wrong + extra): the share of predicted values that are right.
- recall = tp / (tp + wrong + missing): the share of truth values extracted right.
- F1 = 2·tp / (2·tp + 2·wrong + missing + extra), the harmonic mean of the two.
- A metric whose denominator is 0 is undefined, shown `–` and written as null: precision when
  nothing was predicted, recall when the truth has no value. F1 is undefined only when both are,
  and 0 when just one is: an empty prediction has recall 0, F1 0 and no precision.
- **Exact match**: a document was extracted and has no wrong, missing or extra value.
- **Per schema**: documents, extracted, exact matches, and micro-averaged precision, recall and
  F1 (counts summed over all fields and documents, not-extracted documents included), overall
  (`(all fields)`) and per field; the same by `layout`, `language` and `variant` when the truth
  files carry them.
- **Parquet** (for trends across runs): one row per (schema, field) plus one `(all fields)` row
  per schema, with `tp`, `wrong`, `missing`, `extra`, `precision`, `recall`, `f1`, the schema's
  `documents`, `extracted`, `exact_matches`, the scored rows' `model`, `prompt_version` and
  `max_soft_tokens` (null when the scored rows disagree), their `run_ids`, and `evaluated_at`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar
from urllib.parse import unquote

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq

from .schemas import SCHEMA_DIR

ALL_FIELDS = "(all fields)"
"""The `field` of the row that sums every field of a schema."""
ATTRIBUTES = ("layout", "language", "variant")
"""Truth-file keys kept as document attributes and used for breakdowns."""

Kind = Literal["object", "array", "date", "decimal", "money", "identifier", "text", "exact"]
Outcome = Literal["tp", "wrong", "missing", "extra"]

_QUANTITY_NAMES = frozenset({"quantity", "qty"})
_IDENTIFIER_NAMES = frozenset({"iban", "bic", "swift", "purchase_order"})
_IDENTIFIER_SUFFIXES = ("_id", "_number", "_code")


# --- counts -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldCounts:
    """Outcome counts of one field (or of many, summed) and the metrics derived from them."""

    tp: int = 0
    wrong: int = 0
    missing: int = 0
    extra: int = 0

    def __add__(self, other: FieldCounts) -> FieldCounts:
        return FieldCounts(self.tp + other.tp, self.wrong + other.wrong,
                           self.missing + other.missing, self.extra + other.extra)

    @property
    def errors(self) -> int:
        return self.wrong + self.missing + self.extra

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.wrong + self.extra)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.wrong + self.missing)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + 2 * self.wrong + self.missing + self.extra)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


class Comparison(NamedTuple):
    """One leaf outcome, with the normalised values that were compared (None: absent)."""

    field: str
    outcome: Outcome
    truth: Any
    predicted: Any


@dataclass(frozen=True)
class RecordScore:
    """A predicted record scored against its truth: counts per field path and every comparison."""

    fields: dict[str, FieldCounts]
    comparisons: tuple[Comparison, ...]

    @property
    def total(self) -> FieldCounts:
        return sum(self.fields.values(), FieldCounts())

    @property
    def differences(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.outcome != "tp"]


# --- schema -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """A schema node as the scorer sees it: objects have properties, arrays an item, leaves a kind."""

    kind: Kind
    properties: tuple[tuple[str, Field], ...] = ()
    item: Field | None = None


def compile_schema(schema: Mapping[str, Any]) -> Field:
    """The scorer's view of a JSON Schema: each node's kind, following `$ref` and nullable unions."""
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    has_currency = "currency" in schema.get("properties", {})
    return _field(dict(schema), "", defs, has_currency)


def leaf_paths(node: Field, path: str = "") -> list[str]:
    """The field paths of every leaf under `node`, in schema order."""
    if node.kind == "object":
        return [p for name, child in node.properties for p in leaf_paths(child, _join(path, name))]
    if node.kind == "array" and node.item is not None:
        return leaf_paths(node.item, path + "[]")
    return [path]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Inline local `$ref`s and collapse `anyOf`/`oneOf` with one non-null branch."""
    while True:
        ref = node.get("$ref", "")
        if ref.startswith(("#/$defs/", "#/definitions/")):
            node = {**defs[ref.rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
            continue
        branches = [b for b in node.get("anyOf", node.get("oneOf", [])) if b.get("type") != "null"]
        if len(branches) != 1:
            return node
        node = {**{k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}, **branches[0]}


def _field(node: dict[str, Any], name: str, defs: dict[str, Any], has_currency: bool) -> Field:
    node = _resolve(node, defs)
    types = node.get("type")
    types = [t for t in (types if isinstance(types, list) else [types]) if t not in ("null", None)]
    kind = types[0] if len(types) == 1 and "anyOf" not in node and "oneOf" not in node else None
    if "enum" in node or "const" in node or kind in ("integer", "boolean"):
        return Field("exact")
    if kind == "object" and node.get("properties"):
        return Field("object", tuple((k, _field(v, k, defs, has_currency)) for k, v in node["properties"].items()))
    if kind == "array" and isinstance(node.get("items"), dict):
        item = _field(node["items"], name, defs, has_currency)
        return Field("array", item=Field("exact") if item.kind == "array" else item)
    if kind == "number" or (kind == "string" and _decimal_pattern(node.get("pattern"))):
        return Field("money" if has_currency and name not in _QUANTITY_NAMES else "decimal")
    if kind == "string" and node.get("format") == "date":
        return Field("date")
    if kind == "string":
        identifier = name in _IDENTIFIER_NAMES or name.endswith(_IDENTIFIER_SUFFIXES)
        return Field("identifier" if identifier else "text")
    return Field("exact")


def _decimal_pattern(pattern: Any) -> bool:
    try:
        return isinstance(pattern, str) and bool(re.search(pattern, "0.5")) and not re.search(pattern, "a")
    except re.error:  # JSON Schema patterns are ECMA regexes; one Python cannot read is no decimal
        return False


# --- normalisation ------------------------------------------------------------------------------

def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _text(value: Any) -> str:
    folded = unicodedata.normalize("NFKC", _as_text(value)).casefold()
    return " ".join("".join(c for c in folded if not unicodedata.category(c).startswith("P")).split())


def _identifier(value: Any) -> str:
    text = unicodedata.normalize("NFKC", _as_text(value))
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c).startswith("P"))).upper()


def _date(value: Any) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except (AttributeError, ValueError):
        return _text(value)  # never equal to an ISO date: the truth's dates are valid


def _decimal(value: Any) -> Decimal | str:
    try:
        number = Decimal(value if isinstance(value, str) else _as_text(value))
    except InvalidOperation:
        return _text(value)
    # normalize(): equal values get one representation, which the canonical item order relies on
    return number.normalize() if number.is_finite() else _text(value)


def _exact(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _currency(record: Mapping[str, Any] | None) -> str | None:
    value = (record or {}).get("currency")
    return None if value is None else _identifier(value) or None


def _normalise(node: Field, value: Any, currency: str | None) -> Any:
    """The normalised tree of a value: dicts for objects, canonically sorted tuples for arrays,
    comparable leaves, None for anything absent."""
    if value is None or (isinstance(value, str) and not _text(value)):
        return None
    if node.kind == "object":
        if not isinstance(value, dict):
            return None
        return {name: _normalise(child, value.get(name), currency) for name, child in node.properties}
    if node.kind == "array":
        if not isinstance(value, list) or node.item is None:
            return None
        items = (_normalise(node.item, v, currency) for v in value)
        return tuple(sorted((i for i in items if i is not None), key=_canonical))
    if node.kind == "money":
        return (currency, _decimal(value))
    leaf = {"date": _date, "decimal": _decimal, "identifier": _identifier, "text": _text, "exact": _exact}
    return leaf[node.kind](value)


def _canonical(tree: Any) -> str:
    """Sort key of a normalised tree; equal keys mean identical trees, so sorting by it makes the
    order a list came in irrelevant."""
    return json.dumps(tree, sort_keys=True, default=lambda d: {"decimal": str(d)})


# --- comparison ---------------------------------------------------------------------------------

def score_record(truth: Mapping[str, Any], predicted: Mapping[str, Any] | None,
                 schema: Mapping[str, Any]) -> RecordScore:
    """Score one predicted record (None: not extracted) against its truth under a JSON Schema."""
    return _score(compile_schema(schema), truth, predicted)


def _score(root: Field, truth: Mapping[str, Any], predicted: Mapping[str, Any] | None) -> RecordScore:
    comparisons = tuple(_compare(root, _normalise(root, dict(truth), _currency(truth)),
                                 _normalise(root, dict(predicted or {}), _currency(predicted)), ""))
    tally = Counter((c.field, c.outcome) for c in comparisons)
    fields = {path: FieldCounts(tally[path, "tp"], tally[path, "wrong"], tally[path, "missing"], tally[path, "extra"])
              for path in dict.fromkeys(c.field for c in comparisons)}
    return RecordScore(fields, comparisons)


def _compare(node: Field, truth: Any, predicted: Any, path: str) -> Iterator[Comparison]:
    if node.kind == "object":
        for name, child in node.properties:
            yield from _compare(child, (truth or {}).get(name), (predicted or {}).get(name), _join(path, name))
    elif node.kind == "array" and node.item is not None and node.item.kind == "object":
        yield from _compare_items(node.item, truth or (), predicted or (), path + "[]")
    elif node.kind == "array":
        yield from _compare_multiset(truth or (), predicted or (), path + "[]")
    elif truth is not None and predicted is not None:
        yield Comparison(path, "tp" if truth == predicted else "wrong", truth, predicted)
    elif truth is not None:
        yield Comparison(path, "missing", truth, None)
    elif predicted is not None:
        yield Comparison(path, "extra", None, predicted)


def _compare_multiset(truth: Sequence[Any], predicted: Sequence[Any], path: str) -> Iterator[Comparison]:
    expected, got = Counter(truth), Counter(predicted)
    yield from (Comparison(path, "tp", v, v) for v in (expected & got).elements())
    yield from (Comparison(path, "missing", v, None) for v in (expected - got).elements())
    yield from (Comparison(path, "extra", None, v) for v in (got - expected).elements())


def _compare_items(item: Field, truth: Sequence[Any], predicted: Sequence[Any], path: str) -> Iterator[Comparison]:
    """Pair the items of two (canonically sorted) lists of objects and compare each pair."""
    free: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(predicted):
        free[_canonical(p)].append(j)
    rest_truth = []
    for t in truth:
        same = free.get(_canonical(t))
        if same:
            yield from _compare(item, t, predicted[same.pop(0)], path)
        else:
            rest_truth.append(t)
    rest_predicted = [predicted[j] for j in sorted(j for js in free.values() for j in js)]
    pairs = [[list(_compare(item, t, p, path)) for p in rest_predicted] for t in rest_truth]
    weights = [[sum(c.outcome == "tp" for c in cell) for cell in row] for row in pairs]
    matched = _assign(weights)
    for i, j in matched:
        yield from pairs[i][j]
    paired_truth, paired_predicted = {i for i, _ in matched}, {j for _, j in matched}
    for i, t in enumerate(rest_truth):
        if i not in paired_truth:
            yield from _compare(item, t, None, path)
    for j, p in enumerate(rest_predicted):
        if j not in paired_predicted:
            yield from _compare(item, None, p, path)


def _assign(weights: list[list[int]]) -> list[tuple[int, int]]:
    """Maximum-weight matching of rows to columns (Hungarian algorithm with potentials, O(n²m));
    pairs of weight 0 are left out."""
    if not weights or not weights[0]:
        return []
    transposed = len(weights) > len(weights[0])
    cost = [[-w for w in row] for row in (zip(*weights) if transposed else weights)]
    n, m = len(cost), len(cost[0])
    infinity = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    owner, way = [0] * (m + 1), [0] * (m + 1)  # owner[j]: row assigned to column j (1-based, 0: none)
    for row in range(1, n + 1):
        owner[0], j0 = row, 0
        slack, used = [infinity] * (m + 1), [False] * (m + 1)
        while owner[j0]:
            used[j0] = True
            i0, delta, j1 = owner[j0], infinity, 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < slack[j]:
                        slack[j], way[j] = reduced, j0
                    if slack[j] < delta:
                        delta, j1 = slack[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            j0 = j1
        while j0:  # augment along the alternating path back to the virtual column 0
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    pairs = [(owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j]]
    pairs = [(j, i) for i, j in pairs] if transposed else pairs
    return sorted((i, j) for i, j in pairs if weights[i][j] > 0)


# --- inputs -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TruthDoc:
    """One ground-truth file."""

    path: Path
    schema: str
    document_id: str
    record: dict[str, Any]
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


@dataclass(frozen=True)
class Failure:
    """One row of the pipeline's `errors` table that names a document."""

    schema_name: str
    document_id: str
    source: str
    error_type: str
    failed_at: datetime
    run_id: str


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
        schema, record = data["schema"], data["record"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a truth file ({{\"schema\": ..., \"record\": ...}}): {exc}") from None
    attributes = {k: str(data[k]) for k in ATTRIBUTES if data.get(k) is not None}
    return TruthDoc(path, str(schema), data.get("document_id") or _document_id(path), record, attributes)


def _document_id(truth_path: Path) -> str:
    """SHA-256 of the document a truth file names: truth/<subdir>__<file>.json -> ../<subdir>/<file>."""
    document = truth_path.parent.parent / truth_path.name.removesuffix(".json").replace("__", "/")
    try:
        return hashlib.sha256(document.read_bytes()).hexdigest()
    except OSError:
        raise ValueError(f"{truth_path}: no document_id, and no document at {document} to compute it from") from None


def load_results(results_dir: Path) -> tuple[list[Prediction], list[Failure]]:
    """Every result row and every error row with a document_id under a pipeline output folder."""
    results_dir = Path(results_dir)
    if not (results_dir / "results").is_dir() and not (results_dir / "errors").is_dir():
        raise FileNotFoundError(f"{results_dir}: no results/ or errors/ folder; give the folder `docintel run --out` wrote")
    predictions = [Prediction(schema_name=row["schema_name"], document_id=row["document_id"], source=row["source"],
                              record=json.loads(row["record_json"]), extracted_at=row["extracted_at"],
                              run_id=row["run_id"], model=row.get("model"), prompt_version=row.get("prompt_version"),
                              max_soft_tokens=row.get("max_soft_tokens"))
                   for row in _rows(results_dir / "results", _RESULT_COLUMNS)]
    failures = [Failure(row["schema_name"], row["document_id"], row["source"], row["error_type"],
                        row["failed_at"], row["run_id"])
                for row in _rows(results_dir / "errors", _ERROR_COLUMNS) if row.get("document_id")]
    return predictions, failures


_RESULT_COLUMNS = ("document_id", "source", "record_json", "extracted_at", "run_id", "model", "prompt_version",
                   "max_soft_tokens")
_ERROR_COLUMNS = ("document_id", "source", "error_type", "failed_at", "run_id")
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
        return [self._overview(), *(self._field_table(s) for s in self.schemas)]

    def to_markdown(self) -> str:
        """The full report: summary, per-field tables, breakdowns, per-document results, differences."""
        when = self.evaluated_at.strftime("%Y-%m-%d %H:%M UTC")
        parts = [f"# Extraction accuracy\n\nEvaluated {when}: truth `{self.truth_dir}`, results `{self.results_dir}`.",
                 self._overview().to_markdown()]
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
        rules = (__doc__ or "").partition("## Scoring rules")[2]
        parts.append("## Scoring rules" + rules.rstrip())
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
    roots = {name: _load_schema(schema_dir, name) for name in sorted({t.schema for t in truth})}
    documents = []
    for doc in truth:
        validator, root = roots[doc.schema]
        _check_truth(doc, validator)
        prediction = latest.get((doc.schema, doc.document_id))
        failure = None if prediction else latest_failure.get((doc.schema, doc.document_id))
        documents.append(DocumentScore(doc, prediction, failure.error_type if failure else None,
                                       _score(root, doc.record, prediction.record if prediction else None)))
    labelled = {(t.schema, t.document_id) for t in truth}
    unlabelled = Counter(schema for schema, doc_id in latest if (schema, doc_id) not in labelled)
    return Evaluation(documents, {name: leaf_paths(root) for name, (_, root) in roots.items()},
                      {name: unlabelled[name] for name in roots}, truth_dir, results_dir,
                      datetime.now(timezone.utc))


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
