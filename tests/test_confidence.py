"""Per-field confidence: on real vLLM answers of the tiny checkpoint (token texts, the grammar
mask and the reported log-probabilities, a confidence for every leaf), then the JSON scanner,
the token alignment, the aggregation and combination rules on hand-made answers, the flags of
rules.py, and the OpenAI-compatible response parsing."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from pipeline.calibration import fit_isotonic
from pipeline.confidence import (
    EVIDENCE_RATIO,
    FLAG_RATIO,
    RETRY_RATIO,
    combine,
    field_confidence,
    field_scores,
    fields_named,
    leaf_spans,
    leaf_values,
    token_offsets,
    value_logprobs,
)
from pipeline.engines import GenerationRequest, generate
from pipeline.engines.http import _generation, encode_body, token_logprobs
from pipeline.rules import business_flags

# Small, so that the random model closes it quickly; a string, a nullable string, a pattern,
# a boolean, an integer, a list of objects.
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "reference", "total", "paid", "count", "items"],
    "properties": {
        "name": {"type": "string", "maxLength": 12},
        "reference": {"type": ["string", "null"], "maxLength": 8},
        "total": {"type": "string", "pattern": "^[0-9]{1,4}$"},
        "paid": {"type": "boolean"},
        "count": {"type": "integer", "minimum": 0, "maximum": 99},
        "items": {"type": "array", "maxItems": 2, "items": {
            "type": "object", "additionalProperties": False, "required": ["d"],
            "properties": {"d": {"type": ["string", "null"], "maxLength": 6}}}},
    },
}
MESSAGES = [{"role": "user", "content": "Extract the invoice: Müller GmbH, ref. A-17, total 1234 €, paid, 3 items."}]


@pytest.fixture(scope="module")
def answers(engine):
    """A greedy answer and sampled ones (seeds 0-4) of the tiny checkpoint."""
    requests = [GenerationRequest(MESSAGES, SCHEMA, max_tokens=256)] + [
        GenerationRequest(MESSAGES, SCHEMA, max_tokens=256, temperature=1.0, seed=seed) for seed in range(5)]
    generations = generate(engine, requests)
    assert all(g.error is None and g.finish_reason == "stop" for g in generations), generations
    return generations


def test_token_texts_spell_the_answer(answers) -> None:
    for answer in answers:
        assert answer.token_logprobs is not None
        assert "".join(text for text, _ in answer.token_logprobs) == answer.text
        assert len(answer.token_logprobs) == answer.output_tokens  # the stop token too, with text ""
        assert all(lp <= 0.0 and math.isfinite(lp) for _, lp in answer.token_logprobs)


def test_every_leaf_gets_a_confidence(answers) -> None:
    calibration = fit_isotonic([(0.1, False), (0.4, False), (0.6, True), (0.9, True)])
    for answer in answers:
        record = json.loads(answer.text)
        scores = field_scores(answer.text, answer.token_logprobs, record, attempts=1)
        assert list(scores) == list(leaf_values(record))
        assert {"name", "reference", "total", "paid", "count"} <= set(scores)
        for path, score in scores.items():
            assert score.p_model is not None and 0.0 < score.p_model <= 1.0, path
            assert 0.0 <= score.confidence <= 1.0
        calibrated = field_confidence(answer.text, answer.token_logprobs, record, calibration=calibration)
        assert set(calibrated) == set(scores) and all(0.0 <= c <= 1.0 for c in calibrated.values())


def test_reported_logprobs_come_after_the_grammar_mask(engine, tiny_model) -> None:
    """The finding in engines/inprocess.py, replayed with xgrammar on the token ids of the same
    kind of request: tokens the grammar forbids report -inf, the allowed ones share all the
    probability, so where the grammar allowed exactly one token that token reports log 1 = 0."""
    import xgrammar as xgr
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    top = 20  # vLLM's default max_logprobs: the 20 likeliest tokens per step, and the sampled one
    params = [SamplingParams(max_tokens=256, temperature=1.0, seed=seed, logprobs=top,
                             structured_outputs=StructuredOutputsParams(json=SCHEMA)) for seed in range(3)]
    outputs = engine.llm.chat([MESSAGES] * 3, params, use_tqdm=False)
    vocab_size = engine.llm.llm_engine.model_config.get_vocab_size()
    info = xgr.TokenizerInfo.from_huggingface(engine.llm.get_tokenizer(), vocab_size=vocab_size)
    # As vLLM compiles it with disable_any_whitespace (engines/inprocess.py).
    grammar = xgr.GrammarCompiler(info).compile_json_schema(json.dumps(SCHEMA), any_whitespace=False,
                                                           separators=(",", ":"))
    # vLLM's matcher ends on the request's stop tokens: the tokenizer's and the generation config's.
    eos = json.loads((tiny_model / "generation_config.json").read_text())["eos_token_id"]
    stop = sorted({engine.llm.get_tokenizer().eos_token_id, *(eos if isinstance(eos, list) else [eos])})
    forced = free = 0
    for output in outputs:
        completion = output.outputs[0]
        assert completion.finish_reason == "stop" and completion.token_ids[-1] in stop
        matcher = xgr.GrammarMatcher(grammar, override_stop_tokens=stop)
        bitmask = xgr.allocate_token_bitmask(1, vocab_size)
        for position, token in enumerate(completion.token_ids):
            matcher.fill_next_token_bitmask(bitmask)
            allowed = xgr.testing.bitmask_to_bool_mask(bitmask, vocab_size)[0]
            reported = {t: lp.logprob for t, lp in completion.logprobs[position].items()}
            assert all(bool(allowed[t]) == (lp > -math.inf) for t, lp in reported.items()), position
            if int(allowed.sum()) <= top:  # all allowed tokens are among those reported
                assert sum(math.exp(lp) for lp in reported.values()) == pytest.approx(1.0, abs=1e-4)
            if int(allowed.sum()) == 1:
                forced += 1
                assert reported[token] == pytest.approx(0.0, abs=1e-6), (position, completion.text)
            else:
                free += 1
            assert matcher.accept_token(token)
    assert forced > 0 and free > 0  # ':' after every key is forced; values are not


def test_key_tokens_lie_outside_the_values(answers) -> None:
    for answer in answers:
        spans = leaf_spans(answer.text)
        for key in ('"name"', '"reference"', '"total"', '"paid"', '"count"', '"items"'):
            at = answer.text.index(key)
            assert not any(s.start < at + len(key) and s.end > at for s in spans), key
        model = value_logprobs(answer.text, answer.token_logprobs)
        assert set(model) == {s.path for s in spans}
        assert all(v.informative <= v.tokens for v in model.values())


# --- hand-made answers ----------------------------------------------------------------------------

HAND = '{"name":"Acme","total":"12.50","count":3,"paid":true,"po":null}'
# Token texts and log-probabilities, as an engine might report them: key tokens and forced
# punctuation carry whatever the split cost (here -0.3 or 0), values their choice.
HAND_TOKENS = [
    ('{"', -0.3), ("name", -0.3), ('":"', 0.0), ("Ac", -0.2), ("me", -0.1), ('","', -0.05),
    ("total", -0.3), ('":"', 0.0), ("12", -0.4), (".", -0.1), ("50", -0.2), ('"', -0.01), (",", 0.0),
    ('"', 0.0), ("count", -0.3), ('":', 0.0), ("3", -0.7), (',"', -0.02), ("paid", -0.3), ('":', 0.0),
    ("true", -0.6), (',"', 0.0), ("po", -0.3), ('":', 0.0), ("null", -0.9), ("}", 0.0), ("", -0.001),
]


def test_aggregation_rule_on_a_hand_made_answer() -> None:
    assert "".join(t for t, _ in HAND_TOKENS) == HAND
    model = value_logprobs(HAND, HAND_TOKENS)
    # name: '":"' (opening quote) + Ac + me + '","' (closing quote)
    assert model["name"].logprob == pytest.approx(0.0 - 0.2 - 0.1 - 0.05)
    assert (model["name"].tokens, model["name"].informative) == (4, 3)
    assert model["total"].logprob == pytest.approx(-0.4 - 0.1 - 0.2 - 0.01)
    # a number also takes the token after it, which decides where it ends
    assert model["count"].logprob == pytest.approx(-0.7 - 0.02)
    assert model["paid"].logprob == pytest.approx(-0.6)
    assert model["po"].logprob == pytest.approx(-0.9)
    assert model["name"].probability == pytest.approx(math.exp(-0.35))
    # key tokens (-0.3 each) and the stop token count for no value
    assert sum(v.logprob for v in model.values()) == pytest.approx(-0.35 - 0.71 - 0.72 - 0.6 - 0.9)


def test_combination_rule() -> None:
    assert combine(0.5, None, 0, 1) == pytest.approx(0.5)
    assert combine(0.5, "exact", 0, 1) == pytest.approx(0.8)  # odds 1 x 4
    assert combine(0.5, "none", 0, 1) == pytest.approx(0.2)  # odds 1 x 1/4
    odds = 4 * EVIDENCE_RATIO["fuzzy"] * FLAG_RATIO ** 2 * RETRY_RATIO
    assert combine(0.8, "fuzzy", 2, 2) == pytest.approx(odds / (1 + odds))
    assert combine(None, "exact", 0, 1) == pytest.approx(0.8)  # no log-probabilities: 0.5 before the checks
    assert 0.0 < combine(0.0, "none", 3, 5) < combine(1.0, "exact", 0, 1) < 1.0  # clamped, never 0 or 1

    class Found:
        def __init__(self, match: str) -> None:
            self.match, self.sought = match, True

    record = json.loads(HAND)
    evidence = {"name": Found("exact"), "total": "fuzzy", "count": Found("none"), "paid": "none", "po": "none"}
    flags = ["total_mismatch: 12.50 + 1 != 14"]
    scores = field_scores(HAND, HAND_TOKENS, record, evidence, flags, attempts=2)
    p_name = math.exp(-0.35)
    name_odds = p_name / (1 - p_name) * 4 * RETRY_RATIO
    assert scores["name"].raw == pytest.approx(name_odds / (1 + name_odds))
    p_total = math.exp(-0.71)
    total_odds = p_total / (1 - p_total) * 1.5 * FLAG_RATIO * RETRY_RATIO
    assert scores["total"].raw == pytest.approx(total_odds / (1 + total_odds))
    assert scores["total"].flags == tuple(flags) and scores["name"].flags == ()
    assert scores["count"].evidence == "none"
    # true/false and null are not printed as such: their evidence does not count
    assert scores["paid"].evidence is None and scores["po"].evidence is None
    assert scores["paid"].raw == pytest.approx(combine(math.exp(-0.6), None, 0, 2))

    empty = field_scores(None, None, {"note": " ", "n": 0}, {"note": "none", "n": "exact"})
    assert empty["note"].evidence is None and empty["n"].evidence == "exact"  # a blank string is not printed

    calibration = fit_isotonic([(0.2, False), (0.3, False), (0.7, True), (0.8, True)])
    calibrated = field_confidence(HAND, HAND_TOKENS, record, evidence, flags, attempts=2, calibration=calibration)
    assert calibrated == {path: pytest.approx(calibration(s.raw)) for path, s in scores.items()}


def test_evidence_from_the_evidence_stage() -> None:
    from pipeline.evidence import find_evidence
    from pipeline.words import Word

    schema = {"type": "object", "properties": {"name": {"type": "string"}, "city": {"type": "string"},
                                               "paid": {"type": "boolean"}, "po": {"type": ["string", "null"]}}}
    record = {"name": "Acme", "city": "Ulm", "paid": True, "po": None}
    words = [Word("Acme", (0.1, 0.1, 0.2, 0.12)), Word("GmbH", (0.21, 0.1, 0.3, 0.12))]
    found = find_evidence(record, schema, [words])
    assert (found["name"].match, found["city"].match) == ("exact", "none")
    scores = field_scores(None, None, record, found)
    assert scores["name"].evidence == "exact" and scores["city"].evidence == "none"
    assert scores["paid"].evidence is None and scores["po"].evidence is None  # not looked for
    # A document without words: nothing was looked for, so nothing counts against the values.
    blank = field_scores(None, None, record, find_evidence(record, schema, [[]]))
    assert all(s.evidence is None for s in blank.values())


def test_without_logprobs_every_leaf_still_gets_a_confidence() -> None:
    record = json.loads(HAND)
    for text, tokens in ((HAND, None), (None, None), ("not json", [("x", -1.0)]), (HAND, [("{", -1.0)])):
        scores = field_scores(text, tokens, record, {"name": "exact"})
        assert set(scores) == set(leaf_values(record))
        assert all(s.p_model is None for s in scores.values())
        assert scores["name"].raw == pytest.approx(0.8) and scores["total"].raw == pytest.approx(0.5)


def test_leaf_spans() -> None:
    text = ' { "a" : { "b" : "x\\"y" , "c" : [ 1 , -2.5e3 , [ ] , { } ] } , "d" : null , "e" : "t\tab" ,' \
           ' "f" : [ ] , "g" : false } '
    spans = leaf_spans(text)
    assert [s.path for s in spans] == ["a.b", "a.c[0]", "a.c[1]", "a.c[2]", "a.c[3]", "d", "e", "f", "g"]
    leaves = leaf_values(json.loads(text, strict=False))
    assert list(leaves) == [s.path for s in spans]
    for span in spans:
        assert json.loads(text[span.start:span.end], strict=False) == leaves[span.path]
    assert [s.kind for s in spans] == ["string", "number", "number", "empty", "empty", "literal", "string",
                                       "empty", "literal"]
    for broken in ('{"a":', '{"a" 1}', '{"a":"x}', '[1,2', '{"a":1} x', ""):
        with pytest.raises(ValueError):
            leaf_spans(broken)


def test_token_offsets_as_servers_show_them() -> None:
    text = '{"name":"Müller €"}'
    # vllm serve decodes each token alone: bytes of a character show as U+FFFD; it lists the stop token.
    tokens = ['{"', "name", '":"', "M", "\ufffd", "\ufffd", "ller", " ", "\ufffd", "\ufffd", "\ufffd", '"}', "<turn|>"]
    offsets = token_offsets(text, tokens)
    assert offsets is not None
    assert offsets[4] == offsets[5] == (10, 11)  # ü
    assert offsets[8] == offsets[9] == offsets[10] == (16, 17)  # €
    assert offsets[-1] == (len(text), len(text))
    model = value_logprobs(text, [(t, -0.1) for t in tokens])
    assert model["name"].tokens == 10  # from '":"' to '"}', the byte tokens included
    # In process the texts spell the answer exactly: "" for a token holding a character's first bytes.
    exact = ['{"', "name", '":"', "M", "", "ü", "ller", " ", "", "", "€", '"}', ""]
    assert token_offsets(text, exact) == [(0, 2), (2, 6), (6, 9), (9, 10), (10, 10), (10, 11), (11, 15),
                                          (15, 16), (16, 16), (16, 16), (16, 17), (17, 19), (19, 19)]
    assert value_logprobs(text, [(t, -0.1) for t in exact])["name"].tokens == 10
    assert token_offsets(text, ['{"', "nom"]) is None
    assert token_offsets(text, ['{"', "name"]) is None  # stops before the end


def test_flags_name_their_fields() -> None:
    record = {
        "issue_date": "2024-05-10", "due_date": "2024-05-01", "subtotal": "30.00", "tax_total": "5.00",
        "total": "40.00", "line_items": [
            {"description": "a", "quantity": "1", "unit_price": "10.00", "amount": "10.00"},
            {"description": "b", "quantity": "2", "unit_price": "5.00", "amount": "12.00"},
        ],
    }
    leaves = list(leaf_values(record))
    flags = {flag.split(":")[0]: flag for flag in business_flags("invoice", record)}
    assert set(flags) == {"line_amount_mismatch", "subtotal_mismatch", "total_mismatch", "due_before_issue"}
    assert fields_named(flags["line_amount_mismatch"], leaves) == {
        "line_items[1].quantity", "line_items[1].unit_price", "line_items[1].amount"}  # "line 2", 1-based
    assert fields_named(flags["subtotal_mismatch"], leaves) == {
        "subtotal", "line_items[0].amount", "line_items[1].amount"}
    assert fields_named(flags["total_mismatch"], leaves) == {"subtotal", "tax_total", "total"}
    assert fields_named(flags["due_before_issue"], leaves) == {"issue_date", "due_date"}
    assert fields_named("line_amount_mismatch: line_items[0]: 1 x 10 != 11", leaves) == {
        "line_items[0].quantity", "line_items[0].unit_price", "line_items[0].amount"}
    # flags of other stages: the subject, or paths written with a dot or an index
    assert fields_named("window_conflict: total: '40.00' (pages 1-3) vs '41.00' (pages 4-6)", leaves) == {"total"}
    assert fields_named("max_items: line_items: merged 250 items, kept the first 200", leaves) == set(
        leaf for leaf in leaves if leaf.startswith("line_items"))
    assert fields_named("note: see line_items[1].amount", leaves) == {"line_items[1].amount"}
    assert fields_named("window_failed: pages 1-40: invalid_json: the total", leaves) == set()


# --- over HTTP ---------------------------------------------------------------------------------------

def test_openai_response_logprobs() -> None:
    body = json.loads(encode_body(GenerationRequest(MESSAGES, SCHEMA, 64), "m", 280))
    assert body["logprobs"] is True and "top_logprobs" not in body

    text = '{"name":"Müller","total":"7"}'
    content = [{"token": t, "logprob": lp, "bytes": list(t.encode()), "top_logprobs": []} for t, lp in [
        ('{"', -0.5), ("name", -0.2), ('":"', 0.0), ("M", -0.3), ("\ufffd", -0.1), ("\ufffd", 0.0), ("ller", -0.2),
        ('","', -0.4), ("total", -0.1), ('":"', 0.0), ("7", -2.0), ('"}', -0.01), ("<turn|>", -0.0)]]
    answer = {"choices": [{"message": {"content": text}, "finish_reason": "stop", "logprobs": {"content": content}}],
              "usage": {"prompt_tokens": 20, "completion_tokens": 13}}
    generation = _generation("http://x/v1", httpx.Response(200, json=answer))
    assert generation.error is None and generation.text == text
    assert generation.token_logprobs == [(c["token"], c["logprob"]) for c in content]
    model = value_logprobs(text, generation.token_logprobs)
    assert model["name"].logprob == pytest.approx(0.0 - 0.3 - 0.1 - 0.2 - 0.4)
    assert model["total"].logprob == pytest.approx(-2.01)

    assert token_logprobs({"message": {"content": text}}) is None  # a server that sends none
    assert token_logprobs({"logprobs": None}) is None
    assert token_logprobs({"logprobs": {"content": [{"token": "x"}]}}) is None
    without = _generation("http://x/v1", httpx.Response(200, json={"choices": [{"message": {"content": "{}"}}]}))
    assert without.error is None and without.token_logprobs is None
