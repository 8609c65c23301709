"""Per-field confidence: how far to trust each leaf value of a record, in 0-1.

A leaf's confidence starts from what the model said (the probability it gave the value's tokens),
is moved by what the pipeline checked (the value found in the document or not, business rules
naming the field, retries), and is then mapped through a calibration fitted on labelled documents
(``calibration.py``), when one is loaded. The rules, in order:

## Which tokens belong to a value

The answer text is scanned as JSON (:func:`leaf_spans`); each leaf value has a character span:
a string with its two quotes, a number, ``true``/``false``/``null``, or an empty ``[]``/``{}``
(kept as a leaf: "no line items" is an answer too). Paths are written ``seller.name``,
``line_items[0].amount`` (0-based). The tokens are placed on the text (:func:`token_offsets`) and
a token belongs to every value whose span it overlaps; a token of no width (the first bytes of a
character, which come out with the token that completes it) belongs to the value around it. A
number's span also takes the token right after it, which decides where the number ends (a
string's closing quote does that inside its span).

## What a token says (vLLM, read in its source: ``engines/inprocess.py``)

vLLM reports each token's log-probability after the grammar mask: renormalised over the tokens
the JSON Schema allowed at that step, before temperature. A token the grammar forces reports
exactly 0 and so adds nothing to a sum; no token needs to be recognised as forced. Key names and
punctuation between values lie outside every value's span: their tokens are fixed by the schema
up to how the key is split into tokens (``n``+``am``+``e``), so their non-zero log-probabilities
describe the split, not the record. The opening quote or ``n`` of ``null`` says string versus
null; the first characters usually carry most of the choice; the closing quote says where the
value ends.

## Aggregation: the model's probability of a value

``p_model = exp(sum of the log-probabilities of the value's tokens)``: the probability that the
model, sampling under the grammar at temperature 1, writes exactly this value at this point of
this answer. Long values get lower numbers than short ones, as they should for exact-match
correctness. It slightly underestimates the value's probability: the same characters split into
other tokens would be the same value, and only the path taken is reported.

## Combination: the raw score

The checks update the odds of the model's probability by stated likelihood ratios (naive Bayes,
the checks taken as independent)::

    logit(raw) = logit(clamp(p_model)) + log LR_evidence + flags * log LR_flag + (attempts - 1) * log LR_retry

- evidence (a non-empty string or a number only; nothing for ``true``/``false``/``null``, an empty
  string or list, which are not printed as such): found ``exact`` x4, ``fuzzy`` x1.5, ``none`` x0.25; no
  evidence for the field, or ``none`` because it was not looked for (``sought`` false): x1;
- each business-rule flag naming the field (:func:`fields_named`): x1/3;
- each attempt beyond the first that the document needed: x0.7;
- no log-probabilities (a server that sends none, a merged record without one answer text, or
  tokens that do not fit the text): ``p_model`` = 0.5, the checks alone move it.

``p_model`` is clamped to [1e-4, 1 - 1e-4] so that one certain or impossible token does not
make the checks irrelevant. The ratios are priors, not fitted; the calibration fitted on labelled
documents is what makes the final number a probability (it is monotone, so it keeps the order).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Kind = Literal["string", "number", "literal", "empty"]

EVIDENCE_RATIO: dict[str, float] = {"exact": 4.0, "fuzzy": 1.5, "none": 0.25}
FLAG_RATIO = 1 / 3
RETRY_RATIO = 0.7
NO_LOGPROBS = 0.5  # p_model when the engine reported no usable log-probabilities
CLAMP = 1e-4

# The fields each business rule of rules.py compares; "[]" stands for any item of the list.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "line_amount_mismatch": ("line_items[].quantity", "line_items[].unit_price", "line_items[].amount"),
    "subtotal_mismatch": ("subtotal", "line_items[].amount"),
    "total_mismatch": ("subtotal", "tax_total", "total"),
    "due_before_issue": ("issue_date", "due_date"),
    "expiry_not_after_effective": ("effective_date", "expiry_date"),
}


class EvidenceLike(Protocol):
    """What confidence needs of ``evidence.Evidence``: how the value was found, and whether it was
    looked for (a null, a value not printed as such, a document without words are not: not finding
    them is no sign against the value)."""

    match: str  # "exact", "fuzzy" or "none"
    sought: bool


@dataclass(frozen=True)
class LeafSpan:
    """Where one leaf value lies in the answer text: ``text[start:end]`` is its JSON."""

    path: str
    start: int
    end: int
    kind: Kind


@dataclass(frozen=True)
class ValueLogprob:
    """The log-probabilities of one value's tokens, summed."""

    logprob: float
    tokens: int  # tokens that belong to the value
    informative: int  # of which reported a log-probability below 0 (the others were certain or forced)

    @property
    def probability(self) -> float:
        return math.exp(self.logprob)


@dataclass(frozen=True)
class FieldScore:
    """One leaf's confidence and what it was made of."""

    p_model: float | None  # exp(sum of its tokens' log-probabilities); None without them
    evidence: str | None  # "exact", "fuzzy", "none"; None: no evidence counted
    flags: tuple[str, ...]  # business-rule flags naming the field
    attempts: int
    raw: float  # the combination rule's score
    confidence: float  # raw, calibrated when a calibration was given


# --- the answer text: leaf spans and token offsets ----------------------------------------------

_WHITESPACE = " \t\n\r"
_LITERAL_CHARS = set("0123456789+-.eEtrufalsn")


def leaf_spans(text: str) -> list[LeafSpan]:
    """The span of every leaf value in the JSON ``text``, in text order. Raises ``ValueError``
    when the text is not one JSON value. Raw control characters inside strings are accepted,
    as ``json.loads(strict=False)`` accepts them."""
    spans: list[LeafSpan] = []
    end = _scan_value(text, _skip(text, 0), "", spans)
    if _skip(text, end) != len(text):
        raise ValueError(f"extra data after the JSON value at character {end}")
    return spans


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def _scan_value(text: str, i: int, path: str, spans: list[LeafSpan]) -> int:
    if i >= len(text):
        raise ValueError("unexpected end of the answer")
    char = text[i]
    if char == "{":
        return _scan_object(text, i, path, spans)
    if char == "[":
        return _scan_array(text, i, path, spans)
    if char == '"':
        end = _scan_string(text, i)
        spans.append(LeafSpan(path, i, end, "string"))
        return end
    end = i
    while end < len(text) and text[end] in _LITERAL_CHARS:
        end += 1
    if end == i:
        raise ValueError(f"unexpected {char!r} at character {i}")
    kind: Kind = "literal" if text[i] in "tfn" else "number"
    spans.append(LeafSpan(path, i, end, kind))
    return end


def _scan_string(text: str, i: int) -> int:
    """The index after the string that starts with the quote at ``i``."""
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text[j] == '"':
            return j + 1
        else:
            j += 1
    raise ValueError(f"unterminated string from character {i}")


def _scan_object(text: str, i: int, path: str, spans: list[LeafSpan]) -> int:
    j = _skip(text, i + 1)
    if j < len(text) and text[j] == "}":
        if path:
            spans.append(LeafSpan(path, i, j + 1, "empty"))
        return j + 1
    while True:
        if j >= len(text) or text[j] != '"':
            raise ValueError(f"expected a key at character {j}")
        key_end = _scan_string(text, j)
        key = _key(text[j:key_end])
        j = _skip(text, key_end)
        if j >= len(text) or text[j] != ":":
            raise ValueError(f"expected ':' at character {j}")
        j = _skip(text, _scan_value(text, _skip(text, j + 1), f"{path}.{key}" if path else key, spans))
        if j < len(text) and text[j] == ",":
            j = _skip(text, j + 1)
        elif j < len(text) and text[j] == "}":
            return j + 1
        else:
            raise ValueError(f"expected ',' or '}}' at character {j}")


def _scan_array(text: str, i: int, path: str, spans: list[LeafSpan]) -> int:
    j = _skip(text, i + 1)
    if j < len(text) and text[j] == "]":
        if path:
            spans.append(LeafSpan(path, i, j + 1, "empty"))
        return j + 1
    index = 0
    while True:
        j = _skip(text, _scan_value(text, j, f"{path}[{index}]", spans))
        index += 1
        if j < len(text) and text[j] == ",":
            j = _skip(text, j + 1)
        elif j < len(text) and text[j] == "]":
            return j + 1
        else:
            raise ValueError(f"expected ',' or ']' at character {j}")


def _key(quoted: str) -> str:
    return json.loads(quoted, strict=False)


def token_offsets(text: str, tokens: Sequence[str]) -> list[tuple[int, int]] | None:
    """Each token's ``(start, end)`` in ``text``, or None when the tokens do not spell the text.

    Tokens are laid end to end. Two differences from the text are tolerated: tokens after the
    end of the text (a stop token a server lists) get ``(len, len)``; and a run of tokens that
    show U+FFFD (a server decodes each token alone, so a token holding part of a UTF-8 character
    prints as U+FFFD) is matched against one or more non-ASCII characters per U+FFFD run, and
    every token of the run gets the run's whole span."""
    offsets: list[tuple[int, int]] = []
    cursor, i = 0, 0
    while i < len(tokens):
        token = tokens[i]
        if text.startswith(token, cursor):
            offsets.append((cursor, cursor + len(token)))
            cursor += len(token)
            i += 1
        elif cursor == len(text):
            offsets.append((cursor, cursor))
            i += 1
        elif "\ufffd" in token:
            j = i
            while j < len(tokens) and "\ufffd" in tokens[j]:
                j += 1
            end = _match_replaced(text, cursor, "".join(tokens[i:j]), tokens[j] if j < len(tokens) else None)
            if end is None:
                return None
            offsets += [(cursor, end)] * (j - i)
            cursor, i = end, j
        else:
            return None
    return offsets if cursor == len(text) else None


def _match_replaced(text: str, start: int, shown: str, following: str | None) -> int | None:
    """Where the tokens ``shown`` (with U+FFFD for bytes of a character) end when they start at
    ``start``; the token ``following`` them, if any, must come next."""
    parts = re.split("(\ufffd+)", shown)
    pattern = "".join(f"[^\\x00-\\x7f]{{1,{len(p)}}}?" if p.startswith("\ufffd") else re.escape(p)
                      for p in parts if p)
    for anchor in ([re.escape(following)] if following else []) + [""]:
        match = re.compile(pattern + (f"(?={anchor})" if anchor else ""), re.DOTALL).match(text, start)
        if match:
            return match.end()
    return None


def value_logprobs(text: str, token_logprobs: Sequence[tuple[str, float]]) -> dict[str, ValueLogprob]:
    """Each leaf value's tokens and their summed log-probability (the rules in the module
    docstring); ``{}`` when the text is not JSON or the tokens do not spell it."""
    try:
        spans = leaf_spans(text)
    except ValueError:
        return {}
    offsets = token_offsets(text, [token for token, _ in token_logprobs])
    if offsets is None:
        return {}
    ends = [b for _, b in offsets]  # non-decreasing, as the tokens are laid end to end
    values: dict[str, ValueLogprob] = {}
    for span in spans:
        # A number ends where the token after it says so; a string's closing quote is its own.
        stop = span.end + 1 if span.kind == "number" else span.end
        mine = []
        for i in range(bisect.bisect_left(ends, span.start), len(offsets)):
            a, b = offsets[i]
            if a >= stop:
                break
            if (b > span.start) if a < b else (span.start <= a < span.end):
                mine.append(token_logprobs[i][1])
        values[span.path] = ValueLogprob(sum(mine), len(mine), sum(lp < 0 for lp in mine))
    return values


# --- the record: leaves and the flags that name them ---------------------------------------------

def leaf_values(record: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a parsed record by path: scalars (null included) and empty lists/objects."""
    if isinstance(record, dict) and record:
        return {p: v for key, child in record.items()
                for p, v in leaf_values(child, f"{path}.{key}" if path else key).items()}
    if isinstance(record, list) and record:
        return {p: v for i, item in enumerate(record) for p, v in leaf_values(item, f"{path}[{i}]").items()}
    return {path: record} if path else {}


_PATH = re.compile(r"[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*")
_ITEM = re.compile(r"\bline (\d+)\b|\b\w+\[(\d+)\]")


def fields_named(flag: str, leaves: Collection[str]) -> set[str]:
    """The leaf paths among ``leaves`` that ``flag`` is about.

    A flag is ``kind: detail``. The kinds of ``rules.py`` name their fields in
    :data:`RULE_FIELDS`; a flag about one list item (``line 3``, 1-based as ``rules.py`` writes
    it, or ``line_items[2]``) names that item's fields only. Any other flag names the fields
    whose path (or the path of a list or object above them) is its subject (``window_conflict:
    seller.name: ...``), or appears in its text with a dot or index (``seller.name``,
    ``line_items[2]``)."""
    kind, _, detail = flag.partition(":")
    kind = kind.strip()
    if kind in RULE_FIELDS:
        item = _ITEM.search(detail)
        index = None if item is None else int(item.group(1)) - 1 if item.group(1) else int(item.group(2))
        patterns = [p.replace("[]", f"[{index}]") if index is not None else p for p in RULE_FIELDS[kind]]
        return {leaf for leaf in leaves if any(_covers(p, leaf) for p in patterns)}
    subject = detail.strip().split(":", 1)[0].strip()
    named = [subject] + [m.group(0) for m in _PATH.finditer(detail) if "." in m.group(0) or "[" in m.group(0)]
    return {leaf for leaf in leaves if any(_covers(n, leaf) for n in named if n)}


def _covers(pattern: str, leaf: str) -> bool:
    """Whether ``pattern`` (a path, "[]" for any index) is ``leaf`` or a list/object above it."""
    general = re.sub(r"\[\d+\]", "[]", leaf) if "[]" in pattern else leaf
    for candidate in (leaf, general):
        if candidate == pattern or candidate.startswith(pattern + ".") or candidate.startswith(pattern + "["):
            return True
    return False


# --- the combination rule -----------------------------------------------------------------------

def combine(p_model: float | None, evidence: str | None, flags: int, attempts: int) -> float:
    """The raw score of one value (the combination rule in the module docstring)."""
    p = min(max(NO_LOGPROBS if p_model is None else p_model, CLAMP), 1 - CLAMP)
    log_odds = math.log(p / (1 - p))
    if evidence is not None:
        log_odds += math.log(EVIDENCE_RATIO[evidence])
    log_odds += flags * math.log(FLAG_RATIO) + max(attempts - 1, 0) * math.log(RETRY_RATIO)
    return 1 / (1 + math.exp(-log_odds))


def field_scores(text: str | None, token_logprobs: Sequence[tuple[str, float]] | None, record: Any,
                 evidence: Mapping[str, EvidenceLike | str] | None = None, flags: Sequence[str] = (),
                 attempts: int = 1, calibration: Callable[[float], float] | None = None,
                 p_models: Mapping[str, float] | None = None) -> dict[str, FieldScore]:
    """Every leaf of ``record`` with its confidence and what it was made of.

    ``text`` and ``token_logprobs`` are the answer ``record`` was parsed from and its tokens
    (``Generation.text`` and ``.token_logprobs``); either may be None (a merged record, a server
    without log-probabilities). ``evidence`` is per leaf path (``Evidence`` or its ``match``),
    ``flags`` the record's flags, ``attempts`` the attempts the document used, ``calibration``
    a map from raw score to probability (``calibration.Calibration``). ``p_models`` gives the
    model's probability per leaf instead, for a record that no single answer spelled (windows
    merged: see ``trust.py``)."""
    leaves = leaf_values(record)
    model = value_logprobs(text, token_logprobs) if text is not None and token_logprobs else {}
    given = p_models or {}
    naming: dict[str, list[str]] = {leaf: [] for leaf in leaves}
    for flag in flags:
        for leaf in fields_named(flag, leaves):
            naming[leaf].append(flag)
    scores: dict[str, FieldScore] = {}
    for path, value in leaves.items():
        p_model = model[path].probability if path in model else given.get(path)
        match = _evidence_match(evidence, path, value)
        raw = combine(p_model, match, len(naming[path]), attempts)
        confidence = min(max(float(calibration(raw)), 0.0), 1.0) if calibration is not None else raw
        scores[path] = FieldScore(p_model, match, tuple(naming[path]), attempts, raw, confidence)
    return scores


def field_confidence(text: str | None, token_logprobs: Sequence[tuple[str, float]] | None, record: Any,
                     evidence: Mapping[str, EvidenceLike | str] | None = None, flags: Sequence[str] = (),
                     attempts: int = 1, calibration: Callable[[float], float] | None = None) -> dict[str, float]:
    """Each leaf path of ``record`` with its confidence in 0-1 (see :func:`field_scores`)."""
    return {path: score.confidence for path, score in
            field_scores(text, token_logprobs, record, evidence, flags, attempts, calibration).items()}


def _evidence_match(evidence: Mapping[str, EvidenceLike | str] | None, path: str, value: Any) -> str | None:
    """The evidence outcome that counts for a value: only printed values (strings, numbers) are
    looked for in a document; an unknown outcome counts as none given."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if evidence is None or path not in evidence or not (number or isinstance(value, str) and value.strip()):
        return None
    found = evidence[path]
    match = found if isinstance(found, str) else getattr(found, "match", None)
    if not (isinstance(found, str) or getattr(found, "sought", True)):
        return None
    return match if match in EVIDENCE_RATIO else None
