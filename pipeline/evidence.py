"""Evidence: where each leaf value of a record is printed (page, quote, box), or why it was not found.

`find_evidence(record, schema, pages)` walks the record alongside its JSON Schema to know each
leaf's type, renders the forms the value may be printed in, finds them among the pages' words
(PyMuPDF text-layer words from `page_words` on born-digital pages, OCR words on scans) and picks
one occurrence per leaf. Pure code: no I/O, no model.

Comparison
    Words and values are compared as tokens: NFKC, case folded, accents removed, characters that
    are neither letters nor digits stripped from both ends ("(24)" -> "24", "Abzug." -> "abzug").
    Words that are only punctuation ("|", "-", "€") are skipped, so a value may run across them
    and, following the words' reading order, from one line onto the next. Where no run of
    consecutive words matches, a value's words may also follow one another in layout order with
    up to 16 other words between them: the next word to the right on the same line, or on the
    next line starting left of the word before (OCR reads lines across columns, so a value
    wrapped in one column has the other column's words between its lines). Quote and box leave out
    the edge punctuation the value does not have ("Stuttgart," -> "Stuttgart", the box narrowed
    in proportion to the characters dropped).

What is looked for, by leaf type; each step runs only when the ones before found fewer
occurrences than there are leaves with the same value (mostly: found nothing)
    null                 nothing: match "none", reason "null value".
    boolean, enum        nothing: "not a printed value" (an enum of upper-case codes is a code).
    date (format: date)  2024-12-08 as 2024-12-08, 2024/12/08, 08.12.2024, 8.12.2024, 08/12/2024,
                         12/08/2024, 08-12-2024, 08.12.24, 8 December 2024, December 8, 2024,
                         8th December 2024, 8 Dec 2024, 8. Dezember 2024, 8 décembre 2024,
                         1er décembre 2024, 8 déc. 2024, 8 de diciembre de 2024, 8 dic. 2024 (month
                         names and abbreviations in en, de, fr, es). OCR: the same after the digit
                         repair (o/O -> 0, l/I/| -> 1, S -> 5, B -> 8 in tokens that are mostly
                         digits); then spelt-out forms with equal numbers and month names of
                         similarity >= 0.7. A digit is never guessed (28 April is not 29 April).
    number               (type number/integer, `x-arrow-type` decimal, or a `pattern` with a point)
                         4870.05 as 4870.05, 4,870.05, 4.870,05, 4 870,05, 4'870.05, 4870,05, with
                         the decimals it has; then with one or none padded to two (7.5 -> 7,50,
                         7 -> 7.00); then without the trailing zeros it has (120000.00 -> 120,000).
                         The number alone is quoted ("EUR 4,870.05" -> "4,870.05").
                         OCR: one to three number-shaped tokens, after the digit repair, with the
                         same digits and as many after the last separator, whatever the
                         separators ("4.87O,05", "4 87" "0,05", "2*000.00" for 2'000.00).
    currency code        (pattern ^[A-Z]{3}$, or named currency) the code as a word, case kept;
                         else its symbol (EUR -> €).
    country code         (pattern ^[A-Z]{2}$, or named country) the country's name in en, de, fr
                         or es (DE -> Germany, Deutschland, Allemagne, Alemania); else the code as
                         a word, case kept; else the names fuzzily.
    identifier           (any other `pattern`, or named like *_number, *_no, *_id, tax_id, iban,
                         bic, postal_code, purchase_order, reference) letters and digits only:
                         consecutive words whose letters and digits join to the value's
                         ("DE33 6005 0101 ..." is DE336005...); then its words in layout order.
                         OCR: consecutive words whose joined letters and digits, after the digit
                         repair, equal the value's (4+ characters) or have a similarity >= 0.9 to
                         them (6+ characters); then fuzzy text.
    text                 the value's token sequence over consecutive words. A governing law first
                         where a law word is among it or the six tokens before it (a country named
                         in an address is not the governing law): the value itself ("New York" in
                         "the laws of the State of New York"), else as de, fr, es name it ("Germany" ->
                         "Bundesrepublik Deutschland", "droit allemand", "legislación alemana");
                         then any of those anywhere. Then fuzzy text.

Fuzzy text (OCR: 0/O and 1/l confusions, dropped accents, split or merged words)
    Anchors are the value's two longest tokens; a page token is a hit for an anchor when their
    similarity is >= 0.7. Around each hit, windows of n-1, n and n+1 consecutive tokens (n: the
    value's token count) are compared with the value, both joined without spaces. A window is
    accepted when the similarity is >= 0.85, or when it differs by a single character edit and
    the value has 4+ characters ("Parls" for Paris); its score is the similarity. Values under
    4 characters are not matched fuzzily. Similarity: difflib.SequenceMatcher.ratio.
    Last, words OCR merged: a text value or country name (4+ characters) inside a longer word where
    that word may have been two (lower to upper case, letters to digits, punctuation: "MadridSpain"),
    an identifier (6+ characters) anywhere inside one ("NIFESB98765432"); score 0.9, the quote and
    box the part of the word (the box in proportion to its characters).

One occurrence per leaf (a value printed several times)
    Leaves are settled in record order, each taking the first of its candidates by:
    1. not already quoted for another leaf (a zero-tax invoice's total is not its subtotal's row);
    2. not inside a longer candidate of another leaf ("30" inside the payment terms "within 30
       days of the invoice date" is not the renewal notice);
    3. the smaller cost: 1 - score plus its distance to its siblings (so an exact match beats a
       fuzzy one unless the fuzzy one is that much nearer its siblings); the distance alone for a
       value several leaves share, since which copy OCR misread says nothing about whose it is
       (the seller's and the buyer's country, two identical lines);
    4. reading order: the page, then the words' order on it (the text layer's or the OCR's).
    Siblings: for the leaves of an object (a line item, an address, a party, a signatory) once
    another leaf of that object is settled, the sum of the distances to the others, to the chosen
    place of those settled and to the nearest candidate of those not (a quantity "1" is the one in
    its line item's row, not a position number). The record's own fields (invoice number, dates,
    totals, title) and an object's first leaf have none and so take their first occurrence: the
    one a reader cites (the details block before the payment request, the letterhead before the
    footer). Small numbers among the record's fields (integers under 1000), which any page holds,
    go by the words between them and the fields settled before them (each as a share of 50 words,
    at most 1; 1 on another page): the "30" days' notice next to the term's end date, not the one
    in an audit clause; and a number of months or days is preferably one followed by a month or
    day word.
    Where the best place of an object's leaf lies farther than 0.3 from each of its settled
    siblings, the later steps of its type run too and it chooses again among all (an OCR
    misreading beside the seller's street beats a clean copy of the value in the footer).
    Distance between two places: dx + 5 dy, capped at 1 (1 on another page), dx the horizontal gap
    between the boxes, dy 0 on a shared line, else the distance between their centres (vertical
    steps weigh five-fold: an object's fields share a line or a block); 4 dy where they share a
    column (dx 0), so that in stacked blocks the party line above a signatory's name is nearer
    than the next block's beside it.
    Finally, fields of one object with the same value take their places in reading order in
    record order (a unit price equal to the amount: the left one is the unit price). Identical
    lines need nothing more: each line's first leaf takes the first occurrence not yet taken.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cmp_to_key, lru_cache
from typing import Any

import pymupdf

from .words import Box, Word


@dataclass(frozen=True)
class Evidence:
    """Where one leaf value is printed, or why it was not found."""

    page: int | None  # 1-based; None when not found
    quote: str | None  # the words as printed, joined with spaces
    box: Box | None  # union of the matched words' boxes
    match: str  # "exact", "fuzzy" or "none"
    score: float = 0.0  # match quality 0-1 (1 exact)
    reason: str | None = None  # for "none": why
    sought: bool = True  # False: not looked for (a null, a value not printed as such, a page without words)


FUZZY_TEXT_ACCEPT = 0.85
FUZZY_TOKEN_HIT = 0.7
FUZZY_IDENTIFIER_ACCEPT = 0.9
REPAIRED_SCORE = 0.9  # a number, date or code found only after reading O as 0 and l as 1
DY_WEIGHT = 5.0  # a step down between places side by side: an object's fields share a line or a block
COLUMN_DY_WEIGHT = 4.0  # a step down within a column weighs a little less: stacked blocks (a signature)


def page_words(page: pymupdf.Page, textpage: pymupdf.TextPage | None = None) -> list[Word]:
    """The text layer's words of a PyMuPDF page in reading order, boxes as 0-1 fractions of the page as
    displayed (rotation applied, origin top left), as the rendered page image shows them. ``textpage``:
    the page's text, when the caller has extracted it already."""
    rect = page.rect
    width, height = rect.width or 1.0, rect.height or 1.0
    raw = page.get_text("words", textpage=textpage)
    if page.rotation == 0:  # the common case, without a Rect per word (a 300-page contract has 150,000)
        x, y = rect.x0, rect.y0
        return [Word(text, (_clip((x0 - x) / width), _clip((y0 - y) / height),
                            _clip((x1 - x) / width), _clip((y1 - y) / height)))
                for x0, y0, x1, y1, text, *_ in raw]
    matrix = page.rotation_matrix
    words = []
    for x0, y0, x1, y1, text, *_ in raw:
        r = pymupdf.Rect(x0, y0, x1, y1) * matrix
        box = (_clip((r.x0 - rect.x0) / width), _clip((r.y0 - rect.y0) / height),
               _clip((r.x1 - rect.x0) / width), _clip((r.y1 - rect.y0) / height))
        words.append(Word(text, box))
    return words


def _clip(v: float) -> float:
    return min(1.0, max(0.0, v))


# --- normalisation ------------------------------------------------------------------------------

@lru_cache(maxsize=200_000)
def norm(text: str) -> str:
    """A word or value token as compared: NFKC, case folded, accents removed, non-alphanumeric edges
    stripped, inner whitespace removed ("4 870,05" in one word is "4870,05")."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and not ch.isspace())
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def tokens(text: str) -> tuple[str, ...]:
    """The non-empty normalised tokens of a value."""
    return tuple(t for t in (norm(part) for part in str(text).split()) if t)


def compact(text: str) -> str:
    """Letters and digits only, normalised: how identifiers are compared."""
    return "".join(ch for ch in norm(text) if ch.isalnum())


_OCR_DIGITS = str.maketrans({"o": "0", "l": "1", "i": "1", "|": "1", "s": "5", "b": "8"})


@lru_cache(maxsize=200_000)
def repaired(token: str) -> str:
    """A token that is mostly digits, with the letters OCR confuses with digits read as digits."""
    digits = sum(ch.isdigit() for ch in token)
    return token.translate(_OCR_DIGITS) if digits and digits * 2 >= len(token) else token


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- the document's words, indexed --------------------------------------------------------------

@dataclass
class _Page:
    words: Sequence[Word]
    keep: list[int]  # indices of the words with a non-empty token: sequence position -> word index
    tokens: list[str]  # normalised token of each kept word, by sequence position


class _Document:
    """The pages' words with an index from normalised token to its (page, position) occurrences."""

    def __init__(self, pages: Sequence[Sequence[Word]]) -> None:
        self.pages: list[_Page] = []
        self.index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for p, words in enumerate(pages):
            keep, toks = [], []
            for i, word in enumerate(words):
                token = norm(word.text)
                if token:
                    self.index[token].append((p, len(keep)))
                    keep.append(i)
                    toks.append(token)
            self.pages.append(_Page(words, keep, toks))
        self._repaired: dict[str, list[tuple[int, int]]] | None = None
        self._repaired_tokens: list[list[str]] | None = None
        self._number_shaped: list[set[int]] | None = None
        self._compact: dict[str, list[tuple[int, int]]] | None = None
        self._bigrams: dict[str, set[str]] | None = None

    @property
    def empty(self) -> bool:
        return not self.index

    def repaired_index(self) -> dict[str, list[tuple[int, int]]]:
        if self._repaired is None:
            self._repaired = defaultdict(list)
            for token, places in self.index.items():
                self._repaired[repaired(token)].extend(places)
        return self._repaired

    def number_shaped(self) -> list[set[int]]:
        """Each page's positions whose repaired token is digits and separators."""
        if self._number_shaped is None:
            self._number_shaped = [{i for i, t in enumerate(toks) if _NUMBER_SHAPE.fullmatch(t)}
                                   for toks in self.repaired_tokens()]
        return self._number_shaped

    def repaired_tokens(self) -> list[list[str]]:
        """Each page's tokens after the OCR digit repair."""
        if self._repaired_tokens is None:
            self._repaired_tokens = [[repaired(t) for t in page.tokens] for page in self.pages]
        return self._repaired_tokens

    def compact_index(self) -> dict[str, list[tuple[int, int]]]:
        if self._compact is None:
            self._compact = defaultdict(list)
            for token, places in self.index.items():
                key = "".join(ch for ch in token if ch.isalnum())
                if key:
                    self._compact[key].extend(places)
        return self._compact

    def words_as_printed(self, text: str) -> list[tuple[int, int]]:
        """(page, position) of the words that read `text` exactly, case kept (edge punctuation aside)."""
        found = []
        for p, pos in self.index.get(norm(text), ()):
            page = self.pages[p]
            if _raw(page.words[page.keep[pos]].text) == text:
                found.append((p, pos))
        return found

    def symbol_words(self, symbol: str) -> list[tuple[int, int]]:
        """(page, -1 - word index) of the words that are only `symbol` (no letters or digits: no position)."""
        return [(p, -1 - i) for p, page in enumerate(self.pages) for i, word in enumerate(page.words)
                if _raw(word.text) == symbol]

    def similar(self, token: str, cutoff: float = FUZZY_TOKEN_HIT) -> list[str]:
        """Indexed tokens whose similarity to `token` is at least `cutoff` (a bigram filter first)."""
        if self._bigrams is None:
            self._bigrams = defaultdict(set)
            for t in self.index:
                for gram in _grams(t):
                    self._bigrams[gram].add(t)
        grams = _grams(token)
        counts: Counter[str] = Counter()
        for gram in grams:
            counts.update(self._bigrams.get(gram, ()))
        need = max(1, int(len(grams) * 0.4))
        found = []
        for t, shared in counts.items():
            if shared >= need and len(token) // 2 <= len(t) <= 2 * len(token) + 2:  # a merged word is longer
                if similarity(t, token) >= cutoff:
                    found.append(t)
        return found


def _raw(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return text.strip(".,;:()[]\"'")


def _grams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i:i + 2] for i in range(len(padded) - 1)}


# --- candidates ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Hit:
    page: int  # 0-based
    start: int  # sequence positions [start, end) on the page; a symbol word: -1 - word index, end 0
    end: int
    match: str
    score: float
    positions: tuple[int, ...] = ()  # the sequence positions of its words, where others lie between them
    chars: tuple[int, int] | None = None  # a part of one word: its characters [from, to) (OCR merged words)


def _find_sequence(doc: _Document, seq: tuple[str, ...], index: dict[str, list[tuple[int, int]]],
                   page_tokens: Iterable[list[str]] | None = None) -> list[tuple[int, int, int]]:
    """(page, start, end) of every run of consecutive tokens equal to `seq`, anchored on its rarest token."""
    if not seq:
        return []
    k = min(range(len(seq)), key=lambda i: len(index.get(seq[i], ())))
    places = index.get(seq[k], ())
    toks = list(page_tokens) if page_tokens is not None else [page.tokens for page in doc.pages]
    found = []
    for p, pos in places:
        start = pos - k
        if start < 0 or start + len(seq) > len(toks[p]):
            continue
        if all(toks[p][start + i] == seq[i] for i in range(len(seq))):
            found.append((p, start, start + len(seq)))
    return found


def _exact(doc: _Document, renderings: Iterable[tuple[str, ...]]) -> list[_Hit]:
    """Every run of consecutive tokens equal to a rendering; failing that, in layout order (below)."""
    hits: dict[tuple[int, int, int], _Hit] = {}
    renderings = list(renderings)
    for seq in renderings:
        for p, start, end in _find_sequence(doc, seq, doc.index):
            hits[(p, start, end)] = _Hit(p, start, end, "exact", 1.0)
    if not hits:
        for seq in renderings:
            for hit in _layout_sequence(doc, seq):
                hits[(hit.page, hit.start, hit.end)] = hit
    return list(hits.values())


LAYOUT_REACH = 16  # tokens of other columns that may come between two words of a value in reading order


def _layout_sequence(doc: _Document, seq: tuple[str, ...]) -> list[_Hit]:
    """A rendering's tokens in order but not consecutive, each the next word in the layout: to the right on
    the same line, or on the next line starting left of the word before. OCR reads lines across columns,
    so a value wrapped in one column has the other column's words between its lines."""
    if len(seq) < 2:
        return []
    hits = []
    for p, pos in doc.index.get(seq[0], ()):
        page = doc.pages[p]
        chosen = [pos]
        for token in seq[1:]:
            last = page.words[page.keep[chosen[-1]]].box
            for q in range(chosen[-1] + 1, min(chosen[-1] + 1 + LAYOUT_REACH, len(page.tokens))):
                if page.tokens[q] == token and _next_in_layout(last, page.words[page.keep[q]].box):
                    chosen.append(q)
                    break
            else:
                break
        if len(chosen) == len(seq):
            hits.append(_Hit(p, chosen[0], chosen[-1] + 1, "exact", 1.0, tuple(chosen)))
    return hits


def _next_in_layout(before: Box, after: Box) -> bool:
    height = before[3] - before[1]
    overlap = min(before[3], after[3]) - max(before[1], after[1])
    if overlap >= 0.5 * min(height, after[3] - after[1]):  # the same line: the next word to the right
        return -0.5 * height <= after[0] - before[2] <= 3 * height
    return before[1] + 0.5 * height < after[1] <= before[3] + 1.5 * height and after[0] < before[2]


def _repaired(doc: _Document, renderings: Iterable[tuple[str, ...]]) -> list[_Hit]:
    index, page_tokens = doc.repaired_index(), doc.repaired_tokens()
    hits = {}
    for seq in renderings:
        for p, start, end in _find_sequence(doc, tuple(repaired(t) for t in seq), index, page_tokens):
            hits[(p, start, end)] = _Hit(p, start, end, "fuzzy", REPAIRED_SCORE)
    return list(hits.values())


def _compact_runs(doc: _Document, target: str) -> list[_Hit]:
    """Consecutive tokens whose letters and digits join to exactly `target`."""
    index = doc.compact_index()
    hits = []
    for cut in range(1, len(target) + 1):
        for p, pos in index.get(target[:cut], ()):
            toks, joined, end = doc.pages[p].tokens, target[:cut], pos + 1
            while len(joined) < len(target) and end < len(toks):
                piece = "".join(ch for ch in toks[end] if ch.isalnum())
                if not target.startswith(joined + piece):
                    break
                joined, end = joined + piece, end + 1
            if joined == target:
                hits.append(_Hit(p, pos, end, "exact", 1.0))
    return hits


def _fuzzy_identifier(doc: _Document, target: str) -> list[_Hit]:
    """Consecutive tokens whose joined letters and digits, after the OCR digit repair, equal `target` (4+
    characters) or are similar to it (>= 0.9, 6+ characters); score 0.9 times that similarity."""
    if len(target) < 4:
        return []
    index = doc.compact_index()
    fixed = repaired(target)
    anchors = {t for t in index if len(t) >= 3 and (t in target or repaired(t) in fixed)}
    if len(target) >= 6:
        anchors |= {compact(t) for t in doc.similar(target, FUZZY_IDENTIFIER_ACCEPT - 0.1)}
    best: dict[tuple[int, int], _Hit] = {}
    for anchor in anchors:
        for p, pos in index.get(anchor, ()):
            toks = doc.pages[p].tokens
            for start in range(max(0, pos - 6), pos + 1):
                joined = ""
                for end in range(start, len(toks)):
                    joined += "".join(ch for ch in toks[end] if ch.isalnum())
                    if len(joined) > len(target) + 3:
                        break
                    if end < pos:
                        continue
                    ratio = similarity(repaired(joined), fixed)
                    if ratio < 1 and (len(target) < 6 or ratio < FUZZY_IDENTIFIER_ACCEPT):
                        continue
                    score = REPAIRED_SCORE * ratio
                    key = (p, pos)
                    if key not in best or score > best[key].score:
                        best[key] = _Hit(p, start, end + 1, "fuzzy", round(score, 3))
    return _distinct(best.values())


def _fuzzy_text(doc: _Document, renderings: Sequence[tuple[str, ...]]) -> tuple[list[_Hit], float]:
    """Windows of tokens similar to a rendering (see the module docstring); also the best ratio seen."""
    best: dict[tuple[int, int], _Hit] = {}
    best_seen = 0.0
    for seq in renderings:
        target = "".join(seq)
        if len(target) < 4:
            continue
        n = len(seq)
        anchors = sorted(range(n), key=lambda k: -len(seq[k]))[:2]  # the longest tokens: the most distinctive
        for k in anchors:
            for hit_token in doc.similar(seq[k]):
                for p, pos in doc.index[hit_token]:
                    toks = doc.pages[p].tokens
                    for start in range(pos - k - 1, pos - k + 2):
                        for length in (n - 1, n, n + 1):
                            end = start + length
                            if length < 1 or start < 0 or end > len(toks) or not start <= pos < end:
                                continue
                            accepted, score = _text_match(target, "".join(toks[start:end]))
                            best_seen = max(best_seen, score)
                            key = (p, pos)
                            if accepted and (key not in best or score > best[key].score):
                                best[key] = _Hit(p, start, end, "fuzzy", round(score, 3))
    return _distinct(best.values()), best_seen


def _text_match(target: str, window: str) -> tuple[bool, float]:
    """Whether a window (joined without spaces) is accepted as a value (joined likewise), and their ratio:
    accepted at a ratio of 0.85 or more, or with a single character edit in a value of 4+ characters
    ("Parls" for Paris)."""
    matcher = difflib.SequenceMatcher(None, target, window, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_TEXT_ACCEPT - 0.15 or matcher.quick_ratio() < FUZZY_TEXT_ACCEPT - 0.15:
        return False, 0.0
    score = matcher.ratio()
    return score >= FUZZY_TEXT_ACCEPT or (len(target) >= 4 and _one_edit(target, window)), score


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a with at most one character replaced, inserted or deleted."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def _inside_words(doc: _Document, target: str, anywhere: bool) -> list[_Hit]:
    """A value's letters and digits (`target`) inside a longer word, where OCR merged two words ("MadridSpain",
    "NIFESB98765432"): `anywhere` in it (identifiers of 6+ characters), else only where the word breaks
    there (lower to upper case, letters to digits, punctuation) and for 4+ characters. Score 0.9."""
    if len(target) < (6 if anywhere else 4):
        return []
    hits = []
    for token, places in doc.index.items():
        if target not in compact(token) or compact(token) == target:
            continue
        for p, pos in places:
            raw = doc.pages[p].words[doc.pages[p].keep[pos]].text
            for a, b in _spans_of(raw, target):
                if anywhere or (_breaks(raw, a) and _breaks(raw, b)):
                    hits.append(_Hit(p, pos, pos + 1, "fuzzy", REPAIRED_SCORE, chars=(a, b)))
                    break
    return hits


def _spans_of(raw: str, target: str) -> Iterator[tuple[int, int]]:
    """[from, to) of the characters of `raw` whose letters and digits, compared as tokens are, read `target`."""
    kept = [(i, norm(ch)) for i, ch in enumerate(raw) if norm(ch)]
    text = "".join(part for _, part in kept)
    at = [i for i, part in kept for _ in part]  # raw index of each compared character
    start = text.find(target)
    while start >= 0:
        yield at[start], at[start + len(target) - 1] + 1
        start = text.find(target, start + 1)


def _breaks(raw: str, i: int) -> bool:
    """Whether a word may have been two at character i: its edge, punctuation, lower to upper case, a letter
    meeting a digit."""
    if i <= 0 or i >= len(raw):
        return True
    before, after = raw[i - 1], raw[i]
    return (not before.isalnum() or not after.isalnum() or (before.islower() and after.isupper())
            or before.isdigit() != after.isdigit())


def _distinct(hits: Iterable[_Hit]) -> list[_Hit]:
    """Overlapping hits on a page reduced to the best of each overlapping group."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.score, h.page, h.start)):
        if not any(_overlaps(k, hit) for k in kept):
            kept.append(hit)
    return kept


def _overlaps(a: _Hit, b: _Hit) -> bool:
    if a.page != b.page:
        return False
    if a.start < 0 or b.start < 0:  # symbol words
        return a.start == b.start
    return a.start < b.end and b.start < a.end


def _digit_numbers(doc: _Document, value: Decimal) -> list[_Hit]:
    """One to three consecutive number-shaped tokens (after the OCR digit repair) with the digits of one of
    the value's forms and as many digits after the last separator: '4.87O,05' or '4 87' '0,05' for 4870.05."""
    wanted = {_number_key(form) for decimals in NUMBER_DECIMALS for form in _number_forms(value, decimals)}
    hits = []
    for p, (fixed, shaped) in enumerate(zip(doc.repaired_tokens(), doc.number_shaped())):
        for start in sorted(shaped):
            for end in range(start + 1, start + 4):
                if end - 1 not in shaped:
                    break
                if _number_key(" ".join(fixed[start:end])) in wanted:
                    hits.append(_Hit(p, start, end, "fuzzy", REPAIRED_SCORE))
    return _distinct(hits)


_NUMBER_SHAPE = re.compile(r"\d[\d\W]*")  # digits, separators of any kind: OCR reads "2'000.00" as "2*000.00"


def _number_key(text: str) -> tuple[str, int]:
    """A number's digits and how many digits follow its last separator (0 without one)."""
    groups = re.split(r"[^\d]+", text.strip())
    return "".join(groups), len(groups[-1]) if len(groups) > 1 else 0


def _fuzzy_dates(doc: _Document, renderings: Sequence[tuple[str, ...]]) -> list[_Hit]:
    """Spelt-out dates read with OCR errors: number tokens equal after the digit repair, words (month names)
    similar (>= 0.7). A digit is never guessed: 28 April is not 29 April."""
    index = doc.repaired_index()
    hits = []
    for seq in renderings:
        if all(t.isdigit() for t in seq):
            continue
        k = max((i for i, t in enumerate(seq) if t.isdigit()), key=lambda i: len(seq[i]), default=None)
        if k is None:
            continue
        for p, pos in index.get(seq[k], ()):
            toks, start = doc.pages[p].tokens, pos - k
            if start < 0 or start + len(seq) > len(toks):
                continue
            window = toks[start:start + len(seq)]
            scores = [1.0 if repaired(a) == b else similarity(a, b) if not b.isdigit() else 0.0
                      for a, b in zip(window, seq)]
            if min(scores) >= FUZZY_TOKEN_HIT:
                hits.append(_Hit(p, start, start + len(seq), "fuzzy", round(sum(scores) / len(scores), 3)))
    return _distinct(hits)


# --- renderings of typed values -----------------------------------------------------------------

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
}
MONTH_ABBREVIATIONS = {  # the dot is optional when matching (edge punctuation): "déc." and "déc" alike
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep Sept", "Oct", "Nov", "Dec"),
    "de": ("Jan.", "Feb.", "März Mrz.", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep. Sept.", "Okt.", "Nov.", "Dez."),
    "fr": ("janv.", "févr. fév.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "es": ("ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sep. sept.", "oct.", "nov.", "dic."),
}


def date_forms(day: date) -> list[str]:
    """The ways a document may print `day`, numeric and spelt out in en, de, fr and es."""
    d, m, y = day.day, day.month, day.year
    forms = {day.isoformat(), f"{y}/{m:02d}/{d:02d}", f"{y}.{m:02d}.{d:02d}"}
    for sep in "./-":
        for dd, mm in ((f"{d:02d}", f"{m:02d}"), (str(d), str(m)), (str(d), f"{m:02d}")):
            forms.add(f"{dd}{sep}{mm}{sep}{y}")
            forms.add(f"{mm}{sep}{dd}{sep}{y}")  # US order
            forms.add(f"{dd}{sep}{mm}{sep}{y % 100:02d}")
    ordinal = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(d, "th")
    for language in MONTHS:
        for name in (MONTHS[language][m - 1], *MONTH_ABBREVIATIONS[language][m - 1].split()):
            forms |= {f"{d} {name} {y}", f"{d:02d} {name} {y}", f"{d}-{name}-{y}"}
            if language == "en":
                forms |= {f"{name} {d}, {y}", f"{d}{ordinal} {name} {y}", f"{name} {d}{ordinal}, {y}",
                          f"the {d}{ordinal} of {name} {y}"}
            if language == "de":
                forms |= {f"{d}. {name} {y}", f"{d:02d}. {name} {y}"}
            if language == "fr" and d == 1:
                forms.add(f"1er {name} {y}")
            if language == "es":
                forms |= {f"{d} de {name} de {y}", f"{d} de {name} {y}"}
    return sorted(forms)


NUMBER_DECIMALS = ("own", "padded", "trimmed")


def _number_forms(value: Decimal, decimals: str = "own") -> list[str]:
    """`value` printed with any common thousands separator and decimal mark. `decimals`: "own", the decimals
    it has (7 -> 7, 4870.05 -> 4.870,05); "padded", one or none padded to two (7 -> 7.00, 7.5 -> 7,50);
    "trimmed", without the trailing zeros it has (120000.00 -> 120,000)."""
    value = abs(value)
    whole, _, own = format(value, "f").partition(".")
    short = format(value.normalize(), "f").partition(".")[2]
    fractions = {"own": {own}, "padded": {own.ljust(2, "0")} - {own},
                 "trimmed": {short} - {own, own.ljust(2, "0")}}[decimals]
    groups = [whole[max(0, i - 3):i] for i in range(len(whole), 0, -3)][::-1]
    forms = set()
    for thousands in ("", ",", ".", " ", "'", "’"):
        if thousands and len(groups) == 1:
            continue
        head = thousands.join(groups)
        for fraction in fractions:
            if not fraction:
                forms.add(head)
                continue
            for mark in ".,":
                if mark != thousands:
                    forms.add(f"{head}{mark}{fraction}")
    return sorted(forms)


CURRENCY_SYMBOLS = {"EUR": ("€",), "USD": ("$", "US$"), "GBP": ("£",), "JPY": ("¥",), "CHF": ("Fr.", "SFr."),
                    "SEK": ("kr",), "NOK": ("kr",), "DKK": ("kr",), "MXN": ("$", "MX$"), "PLN": ("zł",),
                    "INR": ("₹",), "CNY": ("¥",), "CAD": ("$", "C$"), "AUD": ("$", "A$")}

COUNTRY_NAMES = {  # ISO 3166-1 alpha-2 -> names in en, de, fr, es (and common short forms)
    "DE": ("Germany", "Deutschland", "Allemagne", "Alemania"),
    "AT": ("Austria", "Österreich", "Autriche"),
    "CH": ("Switzerland", "Schweiz", "Suisse", "Suiza", "Svizzera"),
    "FR": ("France", "Frankreich", "Francia"),
    "BE": ("Belgium", "Belgien", "Belgique", "Bélgica", "België"),
    "NL": ("Netherlands", "The Netherlands", "Niederlande", "Pays-Bas", "Países Bajos", "Nederland"),
    "LU": ("Luxembourg", "Luxemburg", "Luxemburgo"),
    "ES": ("Spain", "Spanien", "Espagne", "España"),
    "PT": ("Portugal",),
    "IT": ("Italy", "Italien", "Italie", "Italia"),
    "IE": ("Ireland", "Irland", "Irlande", "Irlanda"),
    "GB": ("United Kingdom", "UK", "Great Britain", "Vereinigtes Königreich", "Großbritannien", "Royaume-Uni",
           "Reino Unido"),
    "SE": ("Sweden", "Schweden", "Suède", "Suecia", "Sverige"),
    "DK": ("Denmark", "Dänemark", "Danemark", "Dinamarca", "Danmark"),
    "NO": ("Norway", "Norwegen", "Norvège", "Noruega", "Norge"),
    "FI": ("Finland", "Finnland", "Finlande", "Finlandia", "Suomi"),
    "PL": ("Poland", "Polen", "Pologne", "Polonia", "Polska"),
    "CZ": ("Czech Republic", "Czechia", "Tschechien", "République tchèque", "Chequia"),
    "US": ("United States", "United States of America", "USA", "U.S.A.", "Vereinigte Staaten", "États-Unis",
           "Estados Unidos", "EE. UU."),
    "CA": ("Canada", "Kanada", "Canadá"),
    "MX": ("Mexico", "Mexiko", "Mexique", "México"),
    "JP": ("Japan", "Japon", "Japón"),
    "CN": ("China", "Chine"),
    "IN": ("India", "Indien", "Inde"),
    "AU": ("Australia", "Australien", "Australie"),
}

# Governing law by English name -> how other languages name that law: the country or state, and the
# adjective "German law" takes ("deutsches Recht", "droit allemand", "legislación alemana").
JURISDICTION_NAMES = {
    "Germany": ("Bundesrepublik Deutschland", "deutsches Recht", "deutschem Recht", "droit allemand",
                "legislación alemana", "derecho alemán", "ley alemana"),
    "England and Wales": ("England und Wales", "englisches Recht", "Angleterre et pays de Galles", "droit anglais",
                          "legislación de Inglaterra y Gales", "Inglaterra y Gales", "legislación inglesa",
                          "derecho inglés"),
    "Scotland": ("Schottland", "Écosse", "droit écossais", "Escocia"),
    "France": ("Französischen Republik", "französisches Recht", "droit français", "legislación francesa",
               "derecho francés"),
    "Netherlands": ("Niederlande", "niederländisches Recht", "droit néerlandais", "Pays-Bas",
                    "legislación neerlandesa", "Países Bajos", "derecho neerlandés"),
    "Switzerland": ("Schweiz", "schweizerisches Recht", "Schweizerischen Eidgenossenschaft", "droit suisse",
                    "Suisse", "legislación suiza", "Suiza", "derecho suizo"),
    "Ireland": ("Republik Irland", "Irland", "irisches Recht", "droit irlandais", "Irlande", "legislación irlandesa",
                "Irlanda", "derecho irlandés"),
    "Austria": ("Republik Österreich", "Österreich", "österreichisches Recht", "droit autrichien", "Autriche",
                "legislación austriaca", "derecho austriaco"),
    "Spain": ("Königreichs Spanien", "Spanien", "spanisches Recht", "droit espagnol", "Espagne",
              "legislación española", "España", "derecho español"),
    "Italy": ("Italienischen Republik", "Italien", "italienisches Recht", "droit italien", "Italie",
              "legislación italiana", "Italia", "derecho italiano"),
    "Sweden": ("Königreichs Schweden", "Schweden", "schwedisches Recht", "droit suédois", "Suède",
               "legislación sueca", "Suecia", "derecho sueco"),
    "Belgium": ("Königreichs Belgien", "Belgien", "belgisches Recht", "droit belge", "Belgique", "legislación belga",
                "Bélgica", "derecho belga"),
    "Luxembourg": ("Luxemburg", "droit luxembourgeois", "Luxemburgo"),
    "Mexico": ("United Mexican States", "Vereinigten Mexikanischen Staaten", "Mexiko", "droit mexicain", "Mexique",
               "legislación de los Estados Unidos Mexicanos", "Estados Unidos Mexicanos", "México",
               "legislación mexicana"),
    "New York": ("State of New York", "Bundesstaates New York", "l'État de New York",
                 "legislación del Estado de Nueva York", "Estado de Nueva York", "Nueva York"),
    "Washington": ("State of Washington", "Bundesstaates Washington", "l'État de Washington",
                   "legislación del Estado de Washington", "Estado de Washington"),
    "California": ("State of California", "Bundesstaates Kalifornien", "l'État de Californie",
                   "legislación del Estado de California", "Estado de California"),
    "Delaware": ("State of Delaware", "Bundesstaates Delaware", "l'État du Delaware",
                 "legislación del Estado de Delaware", "Estado de Delaware"),
}

_IDENTIFIER_NAME = re.compile(r"(^|_)(number|no|nr|id|iban|bic|swift|postal_code|zip|postcode|purchase_order|"
                              r"reference|ref|code|vat|sku)$|_number$|_id$")


# --- the record's leaves ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Leaf:
    path: str
    value: Any
    kind: str  # null, unprinted, date, number, currency, country, identifier, text
    name: str  # the property name ("" in a list of scalars)
    parents: tuple[str, ...] = ()  # enclosing objects' paths, nearest first, "" (the record) last


def _resolve(node: Any, root: dict) -> dict:
    """A schema node with local $refs followed (the referring node's own keywords kept)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 32:
        ref = node["$ref"]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        target: Any = root
        if ref.startswith("#"):
            for part in filter(None, ref[1:].split("/")):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, dict) else {}
        else:
            target = {}
        node = {**target, **rest}
        seen += 1
    return node if isinstance(node, dict) else {}


def _branch(node: dict, value: Any, root: dict) -> dict:
    """The anyOf/oneOf branch that describes `value` (the non-null one when there is one), resolved."""
    node = _resolve(node, root)
    for key in ("anyOf", "oneOf"):
        if key in node:
            branches = [_resolve(b, root) for b in node[key]]
            options = [b for b in branches if _types(b) != {"null"}] or branches
            fitting = [b for b in options if _fits(b, value)] or options
            rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
            return _branch({**fitting[0], **rest}, value, root) if fitting else rest
    if "allOf" in node:
        merged = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"]:
            merged = {**_resolve(part, root), **merged}
        return merged
    return node


def _types(node: dict) -> set[str]:
    t = node.get("type")
    return set(t) if isinstance(t, list) else {t} if t else set()


def _fits(node: dict, value: Any) -> bool:
    types = _types(node)
    if not types:
        return True
    kind = ("null" if value is None else "boolean" if isinstance(value, bool) else "object" if isinstance(value, dict)
            else "array" if isinstance(value, list) else "string" if isinstance(value, str) else "number")
    return kind in types or (kind == "number" and "integer" in types)


def _leaves(value: Any, node: dict, root: dict, path: str = "", name: str = "",
            parents: tuple[str, ...] = ("",)) -> Iterator[_Leaf]:
    node = _branch(node, value, root)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        extra = node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else {}
        inner = (path, *parents) if path else parents
        for key, item in value.items():
            yield from _leaves(item, properties.get(key, extra), root, f"{path}.{key}" if path else key, key, inner)
    elif isinstance(value, list):
        items = node.get("items", {}) if isinstance(node.get("items", {}), dict) else {}
        for i, item in enumerate(value):
            yield from _leaves(item, items, root, f"{path}[{i}]", name if not isinstance(item, dict) else "",
                               parents)
    else:
        yield _Leaf(path, value, _kind(value, node, name), name, parents)


def _kind(value: Any, node: dict, name: str) -> str:
    types, pattern, key = _types(node), str(node.get("pattern", "")), name.lower()
    if value is None:
        return "null"
    if isinstance(value, bool) or types == {"boolean"}:
        return "unprinted"
    if "enum" in node or "const" in node:
        members = node.get("enum", [node.get("const")])
        return "currency" if all(isinstance(m, str) and re.fullmatch(r"[A-Z]{3}", m) for m in members) else (
            "country" if all(isinstance(m, str) and re.fullmatch(r"[A-Z]{2}", m) for m in members) else "unprinted")
    if node.get("format") == "date" or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
                                        and key.endswith("date")):
        return "date"
    decimal_pattern = "\\." in pattern and not re.search(r"[A-Za-z]-[A-Za-z]", pattern)  # digits and a point
    if (isinstance(value, (int, float)) or types & {"number", "integer"} or decimal_pattern
            or str(node.get("x-arrow-type", "")).startswith("decimal")):
        return "number" if _decimal(value) is not None else "text"
    if pattern.strip("^$") in ("[A-Z]{3}",) or key in ("currency", "currency_code"):
        return "currency"
    if pattern.strip("^$") in ("[A-Z]{2}",) or key in ("country", "country_code"):
        return "country"
    if pattern or _IDENTIFIER_NAME.search(key) or key in ("tax_id", "iban", "bic", "purchase_order"):
        return "identifier"
    return "text"


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


# --- finding one leaf ---------------------------------------------------------------------------

def _candidates(doc: _Document, leaf: _Leaf, need: int = 1) -> tuple[list[_Hit], str]:
    """Every occurrence of the leaf's value, and a reason if none. The steps of its type run in order
    until they have found `need` occurrences (the number of leaves with this value: a zero-tax invoice's
    subtotal and total), so an OCR misreading of one is still found when the other is read right."""
    value = leaf.value
    if leaf.kind == "date":
        try:
            forms = date_forms(date.fromisoformat(str(value)[:10]))
        except ValueError:
            forms = [str(value)]
        renderings = list(dict.fromkeys(tokens(form) for form in forms))
        hits = _until(need, lambda: _exact(doc, renderings), lambda: _repaired(doc, renderings),
                      lambda: _fuzzy_dates(doc, renderings))
        return hits, "not printed on any page in a known date format"
    if leaf.kind == "number":
        number = _decimal(value)
        own, padded, trimmed = ([tokens(form) for form in _number_forms(number, d)] for d in NUMBER_DECIMALS)
        hits = _until(need, lambda: _exact(doc, own), lambda: _exact(doc, padded), lambda: _exact(doc, trimmed),
                      lambda: _repaired(doc, own + padded + trimmed), lambda: _digit_numbers(doc, number))
        unit = next((words for suffix, words in UNIT_WORDS.items() if leaf.name.endswith(suffix)), None)
        if unit:
            hits = [hit for hit in hits if _followed_by(doc, hit, unit)] or hits
        return hits, "not printed on any page in a known number format"
    if leaf.kind in ("currency", "country"):
        return _code(doc, str(value), leaf.kind, need)
    if leaf.kind == "identifier":
        target, words = compact(str(value)), tokens(str(value))
        if not target:
            return [], "no letters or digits to look for"
        hits = _until(need, lambda: _compact_runs(doc, target), lambda: _exact(doc, [words]),
                      lambda: _fuzzy_identifier(doc, target),
                      lambda: _fuzzy_text(doc, [words])[0] if len(words) > 1 else [],
                      lambda: _inside_words(doc, target, anywhere=True))
        return hits, "not printed on any page"
    return _text(doc, leaf, need)


def _until(need: int, *steps: Callable[[], list[_Hit]]) -> list[_Hit]:
    """The hits of the steps in order, until there are `need` of them (a step's hits that overlap an earlier
    step's are the same occurrence)."""
    hits: list[_Hit] = []
    for step in steps:
        for hit in step():
            if not any(_overlaps(h, hit) for h in hits):
                hits.append(hit)
        if len(hits) >= need:
            break
    return hits


def _text(doc: _Document, leaf: _Leaf, need: int = 1) -> tuple[list[_Hit], str]:
    value = str(leaf.value)
    renderings = [tokens(value)]
    if leaf.name in LAW_FIELDS:  # the value where a law is named, else its names in other languages there
        key = next((k for k in JURISDICTION_NAMES if norm(k) == norm(value)), None)
        alternatives = [tokens(name) for name in (*JURISDICTION_NAMES.get(key, ()), *_country_names(value))]
        for group in ([tokens(value)], alternatives):
            hits = [hit for hit in _exact(doc, [r for r in group if r]) if _after_law_word(doc, hit)]
            if hits:
                return hits, ""
        renderings += alternatives
    renderings = [r for r in renderings if r]
    if not renderings:
        return [], "empty value"
    best = [0.0]

    def fuzzy() -> list[_Hit]:
        hits, best[0] = _fuzzy_text(doc, renderings)
        return hits

    hits = _until(need, lambda: _exact(doc, renderings), fuzzy,
                  lambda: [hit for r in renderings for hit in _inside_words(doc, compact("".join(r)), anywhere=False)])
    if hits:
        return hits, ""
    if best[0]:
        return [], f"not printed on any page (best fuzzy match {best[0]:.2f} < {FUZZY_TEXT_ACCEPT})"
    return [], "not printed on any page"


LAW_FIELDS = ("governing_law", "jurisdiction", "law")
LAW_WORDS = frozenset(norm(w) for w in "law laws governed recht rechts droit loi lois legislación derecho ley leyes "
                      "legge diritto".split())


def _after_law_word(doc: _Document, hit: _Hit, reach: int = 6) -> bool:
    """Whether a law word is among a hit's tokens or the `reach` tokens before it ("the laws of the State of
    New York", "dem Recht der Bundesrepublik Deutschland", "droit allemand"): a country named elsewhere (an
    address, a register) is not its governing law."""
    toks = doc.pages[hit.page].tokens
    return any(t in LAW_WORDS for t in toks[max(0, hit.start - reach):hit.end])


UNIT_WORDS = {  # a leaf named *_months is preferably quoted where a month word follows it ("(12) months")
    suffix: frozenset(norm(w) for w in words.split()) for suffix, words in (
        ("months", "month months monat monate monaten mois mes meses"),
        ("days", "day days tag tage tagen jour jours día días"),
        ("weeks", "week weeks woche wochen semaine semaines semana semanas"),
        ("years", "year years jahr jahre jahren an ans année années año años"))}


def _followed_by(doc: _Document, hit: _Hit, words: frozenset[str], reach: int = 2) -> bool:
    """Whether one of `words` is among the `reach` tokens after a hit."""
    return hit.start >= 0 and any(t in words for t in doc.pages[hit.page].tokens[hit.end:hit.end + reach])


def _country_names(name: str) -> tuple[str, ...]:
    for names in COUNTRY_NAMES.values():
        if any(norm(n) == norm(name) for n in names):
            return names
    return ()


def _code(doc: _Document, code: str, kind: str, need: int = 1) -> tuple[list[_Hit], str]:
    """A currency: the code as a word, else its symbol. A country: its name, else the code as a word (a
    two-letter word is often something else: Spanish "DE"), else its name fuzzily."""
    def as_word() -> list[_Hit]:
        return [_Hit(p, pos, pos + 1, "exact", 1.0) for p, pos in doc.words_as_printed(code)]

    if kind == "country":
        names = [tokens(name) for name in COUNTRY_NAMES.get(code.upper(), ())]
        hits = _until(need, lambda: _exact(doc, names), as_word,
                      lambda: _fuzzy_text(doc, names)[0] if names else [],
                      lambda: [hit for n in names for hit in _inside_words(doc, compact("".join(n)), anywhere=False)])
        return hits, "code not printed as such, nor the country's name"

    def symbols() -> list[_Hit]:
        found = []
        for symbol in CURRENCY_SYMBOLS.get(code.upper(), ()):
            if any(ch.isalnum() for ch in symbol):
                found += [_Hit(p, pos, pos + 1, "exact", 1.0) for p, pos in doc.words_as_printed(symbol)]
            else:
                found += [_Hit(p, pos, 0, "exact", 1.0) for p, pos in doc.symbol_words(symbol)]
        return found

    return _until(need, as_word, symbols), "code not printed as such, nor its symbol"


# --- choosing one occurrence per leaf -----------------------------------------------------------

@dataclass(frozen=True)
class _Place:
    hit: _Hit
    box: Box
    quote: str
    ids: frozenset[tuple[int, int]]  # (page, word index) of its words

    @property
    def order(self) -> tuple[int, int]:
        """Reading order: the page, then the words' order on it (the text layer's or the OCR's)."""
        return min(self.ids)


def _place(doc: _Document, hit: _Hit, value: str = "") -> _Place:
    """The words of a hit as a quote and a box. Punctuation at the outer edges that the value does not
    have ("(24)", "Stuttgart,", '"Client");') is left out of both; the box loses it in proportion to its
    characters, since word boxes are all a text layer or OCR gives."""
    page = doc.pages[hit.page]
    if hit.start < 0:  # a symbol-only word, addressed by its word index
        i = -1 - hit.start
        words, ids = [page.words[i]], [i]
    elif hit.positions:  # words in layout order, others between them
        ids = [page.keep[q] for q in hit.positions]
        words = [page.words[i] for i in ids]
    else:
        first, last = page.keep[hit.start], page.keep[hit.end - 1]
        words, ids = list(page.words[first:last + 1]), list(range(first, last + 1))
    texts, boxes = [w.text for w in words], [w.box for w in words]
    if hit.chars:  # a part of a merged word
        a, b = hit.chars
        boxes[0] = _trim(boxes[0], len(texts[0]), a, len(texts[0]) - b)
        texts[0] = texts[0][a:b]
    lead = _edge(texts[0], value, leading=True)
    if lead:
        boxes[0] = _trim(boxes[0], len(texts[0]), lead, 0)
        texts[0] = texts[0][lead:]
    tail = _edge(texts[-1], value, leading=False)
    if tail:
        boxes[-1] = _trim(boxes[-1], len(texts[-1]), 0, tail)
        texts[-1] = texts[-1][:-tail]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return _Place(hit, box, " ".join(texts), frozenset((hit.page, i) for i in ids))


def _edge(text: str, value: str, leading: bool) -> int:
    """How many non-alphanumeric characters to drop from the start (or end) of a word; none that the value
    itself starts (or ends) with."""
    chars = text if leading else text[::-1]
    own = (value[:1] if leading else value[-1:]) if value else ""
    n = 0
    while n < len(chars) - 1 and not chars[n].isalnum() and chars[n] != own:
        n += 1
    return n if any(ch.isalnum() for ch in text) else 0


def _trim(box: Box, length: int, lead: int, tail: int) -> Box:
    width = (box[2] - box[0]) / max(1, length)
    return (box[0] + lead * width, box[1], box[2] - tail * width, box[3])


def distance(a: _Place, b: _Place) -> float:
    """dx + 5 dy between two places (4 dy where they share a column), capped at 1 (1 on different pages): dx
    the horizontal gap (0 where they overlap), dy 0 on a shared line (a vertical overlap of half the lower
    box or more), else between their centres."""
    if a.hit.page != b.hit.page:
        return 1.0
    dx = max(0.0, a.box[0] - b.box[2], b.box[0] - a.box[2])
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    if overlap >= 0.5 * min(a.box[3] - a.box[1], b.box[3] - b.box[1]):
        dy = 0.0
    else:
        dy = abs(a.box[1] + a.box[3] - b.box[1] - b.box[3]) / 2
    return min(1.0, dx + (COLUMN_DY_WEIGHT if dx == 0 else DY_WEIGHT) * dy)


WORDS_APART = 50  # words between two places that count as far apart as another page


def words_apart(a: _Place, b: _Place) -> float:
    """How many words lie between two places in reading order, as a share of WORDS_APART (1 at most, and on
    another page): in running text a value's neighbours are the words around it, wherever the line breaks."""
    (page_a, word_a), (page_b, word_b) = a.order, b.order
    return 1.0 if page_a != page_b else min(1.0, abs(word_a - word_b) / WORDS_APART)


FAR = 0.3  # a place farther than this from each settled sibling is not beside them


def _choose(leaves: list[_Leaf], places: dict[str, list[_Place]],
            more: Callable[[_Leaf], list[_Place]] = lambda leaf: []) -> dict[str, _Place]:
    """One occurrence per leaf, settled in record order (see the module docstring). `more(leaf)` gives every
    candidate of every step, asked for when the best of a leaf's lies far from all its settled siblings."""
    chosen: dict[str, _Place] = {}
    taken: set[tuple[int, int]] = set()
    members: dict[str, list[str]] = defaultdict(list)  # object -> its own leaves' paths (not nested ones)
    for leaf in leaves:
        members[leaf.parents[0]].append(leaf.path)
    shared = Counter((leaf.kind, str(leaf.value)) for leaf in leaves)
    covers = _covers(places)
    for leaf in leaves:
        options = places[leaf.path]
        if not options:
            continue
        siblings = [p for p in members[leaf.parents[0]] if p != leaf.path]
        settled = [chosen[p] for p in siblings if p in chosen]
        unsettled = [places[p] for p in siblings if p not in chosen and places[p]]
        # A value several leaves share is handed out by place alone: which copy OCR misread says nothing.
        weight = 1.0 if shared[(leaf.kind, str(leaf.value))] == 1 else 0.0

        def rank(o: _Place) -> tuple:
            cost = _spread(leaf, o, settled, unsettled) + weight * (1 - o.hit.score)
            return bool(o.ids & taken), _enclosed(o, leaf.path, covers), round(cost, 6), o.order

        best = min(options, key=rank)
        if leaf.parents[0] and settled and all(distance(best, s) > FAR for s in settled):
            extra = [o for o in more(leaf) if not any(o.ids & known.ids for known in options)]  # new places only
            best = min([*options, *extra], key=rank)
        chosen[leaf.path] = best
        taken |= best.ids
    _same_values_in_reading_order(leaves, chosen)
    return chosen


Covers = dict[tuple[int, int], list[tuple[str, int]]]


def _covers(places: dict[str, list[_Place]]) -> Covers:
    """For each word, the leaves with a candidate over it and that candidate's length in words."""
    covers: Covers = defaultdict(list)
    for path, options in places.items():
        for o in options:
            for word in o.ids:
                covers[word].append((path, len(o.ids)))
    return covers


def _enclosed(o: _Place, path: str, covers: Covers) -> bool:
    """Inside a longer candidate of another leaf: "30" in the payment terms "within 30 days of ..."."""
    return any(other != path and size > len(o.ids) for word in o.ids for other, size in covers.get(word, ()))


def _spread(leaf: _Leaf, o: _Place, settled: list[_Place], unsettled: list[list[_Place]]) -> float:
    """A candidate's distance to its siblings (see the module docstring): 0 for the record's own fields and
    an object's first leaf, which take their first occurrence; words apart for small top-level numbers."""
    if not leaf.parents[0]:
        return sum(words_apart(o, s) for s in settled) if _small_number(leaf) else 0.0
    if not settled:
        return 0.0
    return sum(distance(o, s) for s in settled) + sum(
        min((distance(o, s) for s in others if not s.ids & o.ids), default=1.0)  # one place is one leaf's
        for others in unsettled)


def _small_number(leaf: _Leaf) -> bool:
    """An integer under 1000: a word any page may hold (a day, a count), placed by its siblings, not first."""
    number = _decimal(leaf.value) if leaf.kind == "number" else None
    return number is not None and number == number.to_integral_value() and abs(number) < 1000


def _same_values_in_reading_order(leaves: list[_Leaf], chosen: dict[str, _Place]) -> None:
    """Fields of one object with the same value take their chosen places in reading order in record order
    (a unit price equal to the amount: the left one is the unit price)."""
    groups: dict[tuple, list[_Leaf]] = defaultdict(list)
    for leaf in leaves:
        if leaf.path in chosen:
            groups[(leaf.parents[0], leaf.kind, str(leaf.value))].append(leaf)
    for group in groups.values():
        if len(group) < 2:
            continue
        spots = sorted((chosen[leaf.path] for leaf in group), key=cmp_to_key(_reading_order))
        for leaf, spot in zip(group, spots):
            chosen[leaf.path] = spot


def _reading_order(a: _Place, b: _Place) -> int:
    """Page, then line (boxes overlapping vertically by half the smaller height share one), then left to right."""
    if a.hit.page != b.hit.page:
        return a.hit.page - b.hit.page
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    same_line = overlap >= 0.5 * min(a.box[3] - a.box[1], b.box[3] - b.box[1])
    first, second = (a.box[0], b.box[0]) if same_line else (a.box[1], b.box[1])
    return (first > second) - (first < second)


def _printed(leaf: _Leaf) -> str:
    """The value as a document could print it verbatim (text and identifiers), else ""."""
    return str(leaf.value) if leaf.kind in ("text", "identifier") else ""


# --- the public entry ---------------------------------------------------------------------------

NOT_PRINTED = "not a printed value"


def find_evidence(record: dict, schema: dict, pages: Sequence[Sequence[Word]]) -> dict[str, Evidence]:
    """Evidence for every leaf of `record` (valid under `schema`) among the words of `pages`, keyed by
    leaf path ("seller.address.city", "line_items[0].amount"). Rules: see the module docstring."""
    leaves = list(_leaves(record, schema, schema))
    doc = _Document(pages)
    shared = Counter((leaf.kind, str(leaf.value)) for leaf in leaves)  # leaves with the same value
    places: dict[str, list[_Place]] = {}
    reasons: dict[str, str] = {}
    unsought = set()
    for leaf in leaves:
        places[leaf.path] = []
        if leaf.kind == "null":
            reasons[leaf.path] = "null value"
        elif leaf.kind == "unprinted":
            reasons[leaf.path] = NOT_PRINTED
        elif doc.empty:
            reasons[leaf.path] = "no words on any page (no text layer and no OCR)"
        if leaf.path in reasons:
            unsought.add(leaf.path)
        else:
            hits, reasons[leaf.path] = _candidates(doc, leaf, shared[(leaf.kind, str(leaf.value))])
            places[leaf.path] = [_place(doc, hit, _printed(leaf)) for hit in hits]
    def more(leaf: _Leaf) -> list[_Place]:
        hits, _ = _candidates(doc, leaf, need=len(leaves) + 1)  # every step of its type
        return [_place(doc, hit, _printed(leaf)) for hit in hits]

    chosen = _choose(leaves, places, more)
    evidence = {}
    for leaf in leaves:
        spot = chosen.get(leaf.path)
        if spot is None:
            reason = reasons[leaf.path] or "not printed on any page"
            evidence[leaf.path] = Evidence(None, None, None, "none", 0.0, reason, leaf.path not in unsought)
        else:
            evidence[leaf.path] = Evidence(spot.hit.page + 1, spot.quote, spot.box, spot.hit.match, spot.hit.score)
    return evidence
