"""Score one extracted record against its ground truth, field by field: the outcome of every
value (true positive, wrong, missing, extra) after normalisation, with lists matched as sets.

## Record rules

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
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

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


def leaf_key(root: Field, path: str, value: Any, record: Mapping[str, Any]) -> str | None:
    """The normalised form of one leaf value of ``record`` at ``path`` (``line_items[3].amount``
    or ``line_items[].amount``), as the comparisons hold it; None when the schema has no such leaf
    or the value is absent."""
    node: Field | None = root
    for name in re.sub(r"\[\d*\]", ".[]", path).split("."):
        if node is None:
            return None
        if name == "[]":
            node = node.item
        elif name:
            node = dict(node.properties).get(name)
    normalised = None if node is None else _normalise(node, value, _currency(record))
    return None if normalised is None else _canonical(normalised)


def tp_keys(score: RecordScore) -> Counter[tuple[str, str]]:
    """(field, normalised value) of every true positive, with multiplicity: which predicted
    values were right."""
    return Counter((c.field, _canonical(c.predicted)) for c in score.comparisons if c.outcome == "tp")


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
    return score_fields(compile_schema(schema), truth, predicted)


def score_fields(root: Field, truth: Mapping[str, Any], predicted: Mapping[str, Any] | None) -> RecordScore:
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
