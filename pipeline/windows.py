"""Which pages go into which request: a document goes whole into one request while its pages,
text layer and answer fit the engine's context (and ``window_pages``, a cost cap, when set);
a longer one is read in windows of consecutive pages that overlap by ``window_overlap`` pages,
and the windows' records are merged (merge.py).

Prompt sizes are estimated before the request is built (running the model's input processing
twice to count them would double its cost): an image costs its soft-token budget plus its label
and delimiters (measured: 69 tokens a page at a budget of 70), the text layer what the engine's
tokenizer counts (``Engine.count_tokens``), or ``CHARS_PER_TOKEN`` characters a token where the
engine cannot count (a low ratio on purpose: Gemma's tokenizer averages ~4 for English prose,
fewer for German and for numbers). When the estimate is still short and the engine refuses a
window as longer than its context, the runner splits that window in two (:func:`halves`)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Sequence

PAGE_OVERHEAD_TOKENS = 16  # "Page N:" and the image's begin and end tokens
CHARS_PER_TOKEN = 3.0
INSTRUCTION_TOKENS = 1024  # the task, the schema's description and one line per field, generously

# What vLLM says when a prompt does not fit: in process "The decoder prompt (length N) is longer
# than the maximum model length of M", over HTTP "... maximum context length is M tokens ...".
_OVER_CONTEXT = re.compile(r"maximum (model|context) length|max_model_len", re.IGNORECASE)


@dataclass(frozen=True)
class PageCost:
    image_tokens: int
    text_chars: int
    text_tokens: int


def page_costs(texts: Sequence[str], soft_tokens: int, text_tokens: Sequence[int] | None = None) -> list[PageCost]:
    """The estimated cost of each page: its image at ``soft_tokens`` and its text layer, counted
    by the engine's tokenizer (``text_tokens``) or estimated from its length."""
    counts = text_tokens if text_tokens is not None else [int(len(t) / CHARS_PER_TOKEN) for t in texts]
    return [PageCost(soft_tokens + PAGE_OVERHEAD_TOKENS, len(t), n) for t, n in zip(texts, counts)]


def prompt_tokens(costs: Sequence[PageCost], max_text_chars: int) -> int:
    """Estimated prompt tokens of a request with these pages, the text cut at ``max_text_chars``
    as the prompt cuts it."""
    chars, tokens = sum(c.text_chars for c in costs), sum(c.text_tokens for c in costs)
    text = tokens if chars <= max_text_chars else int(tokens * max_text_chars / chars)
    return INSTRUCTION_TOKENS + sum(c.image_tokens for c in costs) + text


def plan_windows(costs: Sequence[PageCost], budget: int | None, overlap: int, max_text_chars: int,
                 max_pages: int | None = None) -> list[range]:
    """Page windows (0-based ranges) covering every page in order: one window when the whole
    document fits ``budget`` prompt tokens and ``max_pages``; else greedy windows, each as long as
    fits, each starting ``overlap`` pages before the previous one ended (always at least one page
    later, so the plan ends). ``budget`` None: no token limit. A single page over the budget is a
    window of its own (the engine then refuses it, and only it)."""
    count = len(costs)
    windows: list[range] = []
    start = 0
    while start < count:
        end = start + 1
        while end < count and (max_pages is None or end - start < max_pages) and (
                budget is None or prompt_tokens(costs[start:end + 1], max_text_chars) <= budget):
            end += 1
        windows.append(range(start, end))
        if end == count:
            break
        start = max(end - overlap, start + 1)
    return windows or [range(0, 0)]


def halves(window: range, overlap: int) -> list[range]:
    """A window the engine refused as too long, as two shorter windows (sharing up to
    ``overlap`` pages, each shorter than the window); a single page cannot be split."""
    if len(window) < 2:
        return [window]
    middle = window.start + len(window) // 2
    return [range(window.start, middle), range(max(window.start + 1, middle - overlap), window.stop)]


def over_context(error: str) -> bool:
    """Whether an engine error says the prompt was longer than the context."""
    return bool(_OVER_CONTEXT.search(error))


def window_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` for one window of a longer document: every property may be null and no list
    needs a minimum of entries, since the fields and entries may be printed on other pages."""
    relaxed = copy.deepcopy(schema)

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        if not isinstance(node, dict):
            return
        node.pop("minItems", None)
        for value in node.values():
            visit(value)
        for name, child in (node.get("properties") or {}).items():
            if isinstance(child, dict) and not _nullable(child):
                node["properties"][name] = {"anyOf": [child, {"type": "null"}]}

    visit(relaxed)
    return relaxed


def _nullable(node: dict[str, Any]) -> bool:
    types = node.get("type")
    if types == "null" or (isinstance(types, list) and "null" in types):
        return True
    return any(isinstance(b, dict) and b.get("type") == "null" for b in node.get("anyOf", []) + node.get("oneOf", []))
