"""Merge the records extracted from the page windows of one long document into one record.

A document longer than the context is read as windows of consecutive pages that overlap
(pages 1-40, 37-76, 73-100); each window gives a full record valid under the schema, with
null (or empty strings and lists) for what its pages do not show. ``merge_windows`` turns those
records into one by this policy:

**Walk.** The schema is walked alongside the records. Local ``$ref``s (``#/$defs/..``,
``#/definitions/..``, any ``#/...`` pointer), ``allOf``, ``anyOf``/``oneOf`` with a single non-null
branch and ``"type": [..., "null"]`` are looked through. Objects are merged field by field
(``seller.address.city`` recurses), arrays as lists, and everything else (strings, numbers,
booleans, ``enum``/``const`` even of objects, unions of several non-null shapes) as a scalar,
i.e. as one whole value. A node whose schema says nothing (``{}``) takes its kind from the
values: all objects, all lists, or a scalar. Windows are taken in page order (first page, then last page).

**Absent.** null, an empty or blank string and an empty list or object count as absent. A field
absent from every window keeps the first window's value (so ``""`` stays ``""`` where the schema
does not allow null), except a list that every window left null where the schema does not allow
null (windows are asked with every field nullable): no window found an item, so it is ``[]``. A
key no window has stays missing.

**Scalars.** The candidates are the non-absent values in window order. Where some windows have a
``support`` for the field's path (``seller.name``), the strongest supported candidate wins (ties:
page order; a window without a support for the path ranks below every window with one); without
support the first candidate by page order wins. If the candidates disagree after normalisation
(strings in Unicode NFC, casefolded, whitespace collapsed; numbers and decimal strings compared
as numbers where both parse, ``"120.00" == "120" == 120``, but a string with a superfluous
leading zero such as ``"007"`` stays text: an identifier, not a number), the record gets the flag
``window_conflict: <path>: <chosen> (pages a-b) vs <other> (pages c-d), ...``: the chosen value
first, then each other value, each with the pages of the windows that read it.

**Lists** (line items, parties, signatories, any array): the windows' lists are concatenated in
window order, less the duplicates the overlap produces. A window's list begins with the items on
the overlap pages, which the list so far ends with; so when a window overlaps in pages the window
that gave the last item so far, the longest prefix of its list that matches, item by item, a
suffix of the list so far is read once, not twice (the largest such k; k can be smaller than the
overlap when the overlap pages hold only some of the previous window's last rows, and is 0 when
they hold none). Two items match when their normalised forms (as for scalars, applied to every
leaf; absent leaves left out) are equal, or, for objects, when every field that both have agrees
and they share at least one such field: that is a row split across the window boundary, read with
a null field by one window and complete by the other. The merged item is the more complete of the
two (more non-absent leaves; ties: the earlier window's), with any field it lacks filled from the
other. So a table whose rows continue across a window boundary ends as one list in page order,
and a row that legitimately repeats (two identical lines on different pages) stays twice, unless
the repeat sits exactly where the overlap is matched (see below). Items in a list are not chosen
by ``support``: items that match agree on every field both have, so there is nothing to decide.
A list longer than the schema's ``maxItems`` keeps its first ``maxItems`` items and gets the flag
``max_items: <path>: merged N items, kept the first M``; with ``uniqueItems`` exact duplicates
are dropped (flag ``unique_items``).

**Limits, stated.** Without the page of each item the overlap is recognised by content only: an
identical row that legitimately repeats exactly at the seam of the overlap is taken for the
overlap's copy; and an overlap row that two windows read differently (or that one window missed)
breaks the match, so the overlap's rows are then kept twice. Evidence pages per item, when
they come, make both exact. Objects merged field by field
keep each field valid, but constraints across fields (``dependentRequired``, ``if``/``then``,
``minProperties``) are not re-checked here: the validate stage does that.

**Validity.** Each merged value is some window's value (or the union of valid lists), so the
merged record validates under the schema whenever every window's record does, for the
constraints above.

One window: its record unchanged, no flags. ``MergedRecord.windows`` says how many windows the
record took.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Sequence

__all__ = ["WindowRecord", "MergedRecord", "merge_windows"]

Schema = dict[str, Any]


@dataclass(frozen=True)
class WindowRecord:
    """The record one window of pages gave, with the pages it covers (1-based, inclusive)."""

    first_page: int
    last_page: int
    record: dict[str, Any]
    # Per-leaf strength keyed by path ("seller.name", "line_items[3].amount"), from evidence and
    # confidence when they exist; None until then.
    support: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.first_page <= self.last_page:
            raise ValueError(f"window pages must be 1 <= first <= last, got {self.first_page}-{self.last_page}")

    @property
    def pages(self) -> str:
        """The window's pages as flags name them: ``pages 1-40`` (``page 5`` for one page)."""
        if self.first_page == self.last_page:
            return f"page {self.first_page}"
        return f"pages {self.first_page}-{self.last_page}"


@dataclass
class MergedRecord:
    """One record merged from a document's windows, the flags the merge raised, and how many
    windows the document took."""

    record: dict[str, Any]
    flags: list[str] = field(default_factory=list)
    windows: int = 1


def merge_windows(windows: Sequence[WindowRecord], schema: dict[str, Any]) -> MergedRecord:
    """Merge the records of a document's page windows into one record by the policy in this
    module's docstring. The inputs are not modified."""
    if not windows:
        raise ValueError("merge_windows needs at least one window")
    if len(windows) == 1:
        return MergedRecord(record=copy.deepcopy(windows[0].record), flags=[], windows=1)
    ordered = sorted(windows, key=lambda w: (w.first_page, w.last_page))
    merger = _Merger(schema)
    values = [(w, w.record) for w in ordered]
    record = merger.merge(schema, values, "")
    return MergedRecord(record=copy.deepcopy(record), flags=merger.flags, windows=len(windows))


# A value as one window read it: (the window, the value).
Read = tuple[WindowRecord, Any]


class _Merger:
    """One merge: the root schema (for `$ref`s) and the flags raised so far."""

    def __init__(self, root: Schema) -> None:
        self.root = root
        self.flags: list[str] = []

    def merge(self, node: Schema, reads: list[Read], path: str) -> Any:
        """Merge the windows' values of one node of the schema."""
        raw, node = node, _resolve(node, self.root)
        present = [(w, v) for w, v in reads if not _absent(v)]
        if not present:
            first = reads[0][1]
            if first is None and _declares_array(node) and not _allows_null(raw, self.root):
                return []  # no window found an item: an empty list, not a missing one
            return first  # absent everywhere: the first window's own value
        kind = _kind(node, [v for _, v in present])
        if kind == "object":
            return self._merge_object(node, present, path)
        if kind == "array":
            return self._merge_array(node, present, path)
        return self._merge_scalar(present, path)

    def _merge_object(self, node: Schema, reads: list[Read], path: str) -> dict[str, Any]:
        properties = node.get("properties") or {}
        keys = list(dict.fromkeys(key for _, value in reads for key in value))
        merged: dict[str, Any] = {}
        for key in keys:
            child = properties.get(key, _additional(node))
            child_reads = [(w, value[key]) for w, value in reads if key in value]
            merged[key] = self.merge(child, child_reads, f"{path}.{key}" if path else key)
        return merged

    def _merge_array(self, node: Schema, reads: list[Read], path: str) -> list[Any]:
        items: list[Any] = []
        tail: WindowRecord | None = None  # the window that gave the last item so far
        for window, value in reads:
            overlaps = tail is not None and window.first_page <= tail.last_page
            k = _overlap(items, value) if overlaps else 0
            for i in range(k):
                items[len(items) - k + i] = _more_complete(items[len(items) - k + i], value[i])
            items.extend(value[k:])
            tail = window
        return self._limit(node, items, path)

    def _limit(self, node: Schema, items: list[Any], path: str) -> list[Any]:
        """Apply the schema's `uniqueItems` and `maxItems` to a merged list, with a flag each."""
        if node.get("uniqueItems"):
            unique = _first_of_each(items)
            if len(unique) < len(items):
                self.flags.append(f"unique_items: {path}: dropped {len(items) - len(unique)} repeated items")
                items = unique
        limit = node.get("maxItems")
        if isinstance(limit, int) and len(items) > limit:
            self.flags.append(f"max_items: {path}: merged {len(items)} items, kept the first {limit}")
            items = items[:limit]
        return items

    def _merge_scalar(self, reads: list[Read], path: str) -> Any:
        chosen = _strongest(reads, path)
        groups: dict[Any, list[Read]] = {}
        for read in [chosen, *reads]:
            groups.setdefault(_normalise(read[1]), []).append(read)
        if len(groups) > 1:
            self.flags.append(_conflict(path, chosen, groups))
        return chosen[1]


def _strongest(reads: list[Read], path: str) -> Read:
    """The candidate with the strongest support for `path`; the first by page order without any."""
    def strength(read: Read) -> float:
        support = read[0].support or {}
        return support.get(path, float("-inf"))

    # max() keeps the first of equals, and `reads` is in page order: ties go to page order.
    return max(reads, key=strength)


def _conflict(path: str, chosen: Read, groups: dict[Any, list[Read]]) -> str:
    """The flag text naming the chosen value and every differing value with its windows' pages."""
    parts = []
    for reads in groups.values():
        # by identity: the chosen read is listed twice, and a window's record is not hashable
        windows = sorted({id(w): w for w, _ in reads}.values(), key=lambda w: (w.first_page, w.last_page))
        parts.append(f"{_show(reads[0][1])} ({_pages(windows)})")
    return f"window_conflict: {path}: {parts[0]} vs {', '.join(parts[1:])}"


def _pages(windows: list[WindowRecord]) -> str:
    """`pages 1-40, 73-112`; `page 5` for one window of one page."""
    if len(windows) == 1:
        return windows[0].pages
    return "pages " + ", ".join(w.pages.split(" ", 1)[1] for w in windows)


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- lists ----------------------------------------------------------------------------------------

def _first_of_each(items: list[Any]) -> list[Any]:
    """The items without exact repeats (JSON equality, as `uniqueItems` means), first ones kept."""
    seen: set[str] = set()
    unique = []
    for value in items:
        key = json.dumps(value, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def _overlap(items: list[Any], new: list[Any]) -> int:
    """The largest k such that the first k items of `new` match the last k of `items`."""
    for k in range(min(len(items), len(new)), 0, -1):
        if all(_same_item(a, b) for a, b in zip(items[len(items) - k:], new[:k])):
            return k
    return 0


def _same_item(a: Any, b: Any) -> bool:
    """Two windows' readings of one list item: equal once normalised, or objects whose common
    fields agree (at least one of them present in both), as when one window read a null."""
    if _normalise(a) == _normalise(b):
        return True
    return isinstance(a, dict) and isinstance(b, dict) and _agree(a, b) and _shares_field(a, b)


def _agree(a: Any, b: Any) -> bool:
    """Whether two values agree wherever both are present."""
    if _absent(a) or _absent(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(_agree(a[k], b[k]) for k in a.keys() & b.keys())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_agree(x, y) for x, y in zip(a, b))
    return _normalise(a) == _normalise(b)


def _shares_field(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return any(not _absent(a[k]) and not _absent(b[k]) for k in a.keys() & b.keys())


def _more_complete(earlier: Any, later: Any) -> Any:
    """The more complete of two readings of one item (ties: the earlier), gaps filled from the other."""
    if _leaves(later) > _leaves(earlier):
        return _fill(later, earlier)
    return _fill(earlier, later)


def _fill(value: Any, other: Any) -> Any:
    """`value` with each absent field taken from `other`, recursively through objects."""
    if not (isinstance(value, dict) and isinstance(other, dict)):
        return other if _absent(value) and not _absent(other) else value
    return {key: _fill(sub, other[key]) if key in other else sub for key, sub in value.items()}


def _leaves(value: Any) -> int:
    """How many non-absent leaves a value has."""
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 0 if _absent(value) else 1


# --- values ---------------------------------------------------------------------------------------

# A decimal as documents print it once extracted: no exponent, no superfluous leading zero
# ("007" is an identifier, not seven).
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


def _absent(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, dict)) and not value


def _normalise(value: Any) -> Any:
    """A hashable form of a value that is equal for values the policy treats as the same."""
    if _absent(value):
        return None
    if isinstance(value, bool):  # before numbers: True == 1 in Python
        return ("bool", value)
    if isinstance(value, (int, float)):
        return _number(Decimal(repr(value))) if isinstance(value, float) else _number(Decimal(value))
    if isinstance(value, str):
        text = " ".join(unicodedata.normalize("NFC", value).casefold().split())
        return _number(Decimal(text)) if _DECIMAL.fullmatch(text) else ("text", text)
    if isinstance(value, dict):
        fields = ((k, _normalise(v)) for k, v in value.items())
        return ("object", tuple(sorted((k, v) for k, v in fields if v is not None)))
    if isinstance(value, list):
        return ("list", tuple(_normalise(v) for v in value))
    return ("other", repr(value))


def _number(number: Decimal) -> tuple[str, str]:
    try:
        return ("number", format(number.normalize(), "f"))
    except InvalidOperation:  # NaN or infinity from a float: compare as printed
        return ("number", str(number))


# --- schema ---------------------------------------------------------------------------------------

def _resolve(node: Any, root: Schema) -> Schema:
    """Look through local `$ref`s, `allOf`, and `anyOf`/`oneOf` with one non-null branch."""
    if not isinstance(node, dict):
        return {}  # `true` or a malformed node: a schema that says nothing
    for _ in range(64):  # a bound, not a loop guard: a cycle of bare $refs is not a schema
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            target = _pointer(root, node["$ref"])
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        elif isinstance(node.get("allOf"), list):
            parts = [_resolve(part, root) for part in node["allOf"]]
            node = _combine([{k: v for k, v in node.items() if k != "allOf"}, *parts])
        elif _branches(node, root) is not None:
            keyword = "anyOf" if "anyOf" in node else "oneOf"
            rest = {k: v for k, v in node.items() if k != keyword}
            node = {**rest, **_branches(node, root)}
        else:
            return node
    return node


def _branches(node: Schema, root: Schema) -> Schema | None:
    """The one non-null branch of an `anyOf`/`oneOf`, or None when there is not exactly one."""
    branches = node.get("anyOf", node.get("oneOf"))
    if not isinstance(branches, list):
        return None
    real = [b for b in branches if _resolve(b, root).get("type") != "null"]
    return real[0] if len(real) == 1 and isinstance(real[0], dict) else None


def _combine(parts: list[Schema]) -> Schema:
    """The parts of an `allOf` seen as one node: properties united, the rest the last one's."""
    combined: Schema = {}
    properties: dict[str, Any] = {}
    for part in parts:
        properties.update(part.get("properties") or {})
        combined.update(part)
    if properties:
        combined["properties"] = properties
    return combined


def _pointer(root: Schema, ref: str) -> Schema:
    """The node a local JSON pointer (`#/$defs/party`) names in the root schema."""
    node: Any = root
    for token in filter(None, ref[1:].split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node.get(token, {})
    return node if isinstance(node, dict) else {}


def _kind(node: Schema, values: list[Any]) -> str:
    """`object`, `array` or `scalar` for a resolved node, from its type or else from the values."""
    types = [t for t in _types(node) if t != "null"]
    if len(types) > 1 or "anyOf" in node or "oneOf" in node:
        return "scalar"  # a union of several shapes is merged as one whole value
    if "enum" in node or "const" in node:
        return "scalar"  # field by field could build a value that is none of the allowed ones
    if types:
        declared = types[0]
    elif "properties" in node:
        declared = "object"
    elif "items" in node:
        declared = "array"
    else:
        declared = _kind_of_values(values)
    # A value of another shape than declared (the window's record was invalid) is merged whole.
    check: Callable[[Any], bool] = {"object": lambda v: isinstance(v, dict),
                                    "array": lambda v: isinstance(v, list)}.get(declared, lambda v: True)
    if declared in ("object", "array") and all(check(v) for v in values):
        return declared
    return "scalar"


def _types(node: Schema) -> list[str]:
    """The node's `type`, as a list (empty when it names none)."""
    types = node.get("type")
    return [t for t in (types if isinstance(types, list) else [types]) if t is not None]


def _declares_array(node: Schema) -> bool:
    return "array" in _types(node) or "items" in node


def _allows_null(node: Any, root: Schema) -> bool:
    """Whether a node (before `_resolve`, which looks through a null branch) admits null: its type
    names null, or a `$ref`'s target, any `anyOf`/`oneOf` branch or every `allOf` part does."""
    if not isinstance(node, dict):
        return node is True
    if "null" in _types(node):
        return True
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and _allows_null(_pointer(root, ref), root):
        return True
    if any(_allows_null(b, root) for b in node.get("anyOf", node.get("oneOf", [])) if isinstance(b, dict)):
        return True
    parts = node.get("allOf")
    return isinstance(parts, list) and bool(parts) and all(_allows_null(p, root) for p in parts)


def _kind_of_values(values: list[Any]) -> str:
    if all(isinstance(v, dict) for v in values):
        return "object"
    if all(isinstance(v, list) for v in values):
        return "array"
    return "scalar"


def _additional(node: Schema) -> Schema:
    """The schema of a key an object's `properties` do not name."""
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else {}
