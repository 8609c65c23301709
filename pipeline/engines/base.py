"""What every engine is: the request and answer types and the streaming interface.

The runner talks to :class:`Engine` only. It ``submit``\\ s a request under a key of its own as
soon as the request is ready and ``poll``\\ s for finished answers, which come back in any order;
so requests are in the engine continuously and no batch waits for its slowest member. Every
submitted request comes back from ``poll`` exactly once: a request the engine cannot run (a
prompt longer than the context, an image the processor refuses, a server that gave up) comes
back with ``error`` set and costs only itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

Message = dict[str, Any]


@dataclass
class GenerationRequest:
    messages: list[Message]
    schema: dict[str, Any]
    max_tokens: int
    temperature: float = 0.0
    seed: int | None = None


@dataclass
class Generation:
    text: str = ""
    finish_reason: str | None = None  # "stop", "length"; None when the request failed
    prompt_tokens: int = 0
    output_tokens: int = 0
    error: str | None = None
    # Each generated token's text and natural-log probability, in order; None when the engine
    # reported none. The texts concatenate to ``text`` in process; a server may show a token that
    # holds part of a UTF-8 character as U+FFFD, and may list the stop token (``confidence.py``
    # aligns them). vLLM reports them after the grammar mask (``inprocess.py``).
    token_logprobs: list[tuple[str, float]] | None = None


class Engine(Protocol):
    model: str
    context: int | None  # tokens one request may hold (prompt and answer) in this engine; None: unknown

    def submit(self, key: int, request: GenerationRequest) -> None:
        """Start ``request``; its answer comes back from :meth:`poll` under ``key``. Never raises
        for a bad request."""

    def poll(self, timeout: float) -> list[tuple[int, Generation]]:
        """Answers finished since the last call, waiting up to about ``timeout`` seconds for
        the first one when none has finished (``[]`` when nothing is in flight)."""

    def count_tokens(self, texts: Sequence[str]) -> list[int] | None:
        """Tokens of each text in the model's tokenizer, to plan page windows; None when the
        engine cannot count (the planner then estimates)."""

    def close(self) -> None:
        """Stop the engine and every process it started."""


def generate(engine: Engine, requests: Sequence[GenerationRequest], timeout: float = 1.0) -> list[Generation]:
    """All of ``requests`` at once, answers in request order: the batch use of an engine (tests,
    benchmarks, health probes)."""
    for key, request in enumerate(requests):
        engine.submit(key, request)
    answers: dict[int, Generation] = {}
    while len(answers) < len(requests):
        answers.update(engine.poll(timeout))
    return [answers[key] for key in range(len(requests))]

