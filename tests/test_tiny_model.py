"""The tiny Gemma 4 unified checkpoint: deterministic, small, and loadable like the real one.

Loading it in vLLM is covered by the end-to-end tests, which start one engine for the suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from transformers import AutoConfig, AutoProcessor, Gemma4UnifiedForConditionalGeneration

from pipeline.tiny_model import MARKER_FILE, build_tiny_model


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "gemma4")


@pytest.fixture(scope="module")
def processor(checkpoint: Path):
    return AutoProcessor.from_pretrained(checkpoint)


def test_same_seed_builds_byte_identical_files(checkpoint: Path, tmp_path: Path) -> None:
    again = build_tiny_model(tmp_path / "again")
    names = sorted(p.name for p in checkpoint.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (checkpoint / name).read_bytes() == (again / name).read_bytes(), name


def test_current_checkpoint_is_not_rebuilt(checkpoint: Path) -> None:
    weights = checkpoint / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert build_tiny_model(checkpoint) == checkpoint
    assert weights.stat().st_mtime_ns == before


def test_stale_checkpoint_is_rebuilt(checkpoint: Path, tmp_path: Path) -> None:
    stale = build_tiny_model(tmp_path / "stale")
    (stale / MARKER_FILE).write_text("an older build\n", encoding="utf-8")
    (stale / "model.safetensors").write_bytes(b"truncated")
    build_tiny_model(stale)
    assert (stale / "model.safetensors").read_bytes() == (checkpoint / "model.safetensors").read_bytes()


def test_checkpoint_is_a_few_megabytes(checkpoint: Path) -> None:
    size = sum(p.stat().st_size for p in checkpoint.iterdir())
    assert size < 5 * 2**20


def test_config_is_gemma4_unified_with_cpu_friendly_head_dims(checkpoint: Path) -> None:
    raw = json.loads((checkpoint / "config.json").read_text(encoding="utf-8"))
    assert raw["model_type"] == "gemma4_unified"
    assert raw["architectures"] == ["Gemma4UnifiedForConditionalGeneration"]
    text = raw["text_config"]
    # vLLM's CPU attention supports head sizes 32..256 only.
    assert 32 <= text["head_dim"] <= 256
    assert 32 <= text["global_head_dim"] <= 256
    assert {"sliding_attention", "full_attention"} <= set(text["layer_types"])
    # vLLM reads these two, which transformers' config classes do not declare.
    assert raw["vision_config"]["num_soft_tokens"] == 280
    assert raw["eoa_token_id"] == raw["eoa_token_index"]

    config = AutoConfig.from_pretrained(checkpoint)
    assert type(config).__name__ == "Gemma4UnifiedConfig"


def test_config_token_ids_match_the_tokenizer(checkpoint: Path, processor) -> None:
    raw = json.loads((checkpoint / "config.json").read_text(encoding="utf-8"))
    ids = processor.tokenizer.convert_tokens_to_ids
    assert raw["image_token_id"] == ids("<|image|>") == processor.image_token_id
    assert raw["boi_token_id"] == ids("<|image>")
    assert raw["eoi_token_id"] == ids("<image|>")
    assert raw["audio_token_id"] == ids("<|audio|>") == processor.audio_token_id
    assert raw["boa_token_id"] == ids("<|audio>")
    assert raw["eoa_token_id"] == ids("<audio|>")
    assert raw["video_token_id"] == ids("<|video|>")
    assert raw["text_config"]["vocab_size"] == len(processor.tokenizer)


def test_weights_load_into_transformers_without_missing_keys(checkpoint: Path) -> None:
    _, info = Gemma4UnifiedForConditionalGeneration.from_pretrained(checkpoint, output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"]


def test_tokenizer_round_trips_json(processor) -> None:
    tokenizer = processor.tokenizer
    text = json.dumps(
        {"invoice_number": "INV-2024/0017", "total": -1234.5, "lines": [{"qty": 3}], "paid": True, "note": None},
        indent=2,
    )
    text += '\n\t{"name": "Müller & Söhne — €"}'
    ids = tokenizer.encode(text, add_special_tokens=False)
    assert tokenizer.decode(ids) == text


def test_tokenizer_splits_digits_individually(processor) -> None:
    tokenizer = processor.tokenizer
    ids = tokenizer.encode("20240117", add_special_tokens=False)
    assert tokenizer.convert_ids_to_tokens(ids) == list("20240117")


def test_chat_template_renders_gemma4_turns_and_placeholders(processor) -> None:
    messages = [
        {"role": "system", "content": "Extract the fields."},
        {"role": "user", "content": [{"type": "image"}, {"type": "image"}, {"type": "text", "text": " Invoice? "}]},
    ]
    prompt = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert prompt == (
        "<bos><|turn>system\nExtract the fields.<turn|>\n"
        "<|turn>user\n<|image|><|image|>Invoice?<turn|>\n"
        "<|turn>model\n"
    )
    audio = [{"role": "user", "content": [{"type": "audio"}, {"type": "text", "text": "Transcribe."}]}]
    assert "<|turn>user\n<|audio|>Transcribe.<turn|>" in processor.apply_chat_template(audio, tokenize=False)


def test_processor_expands_an_image_into_soft_tokens(processor) -> None:
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Extract."}]}]
    prompt = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    page = Image.new("RGB", (1700, 2200), "white")

    ids = processor(text=prompt, images=[page])["input_ids"][0]

    tokenizer = processor.tokenizer
    image_id = processor.image_token_id
    start = ids.index(tokenizer.convert_tokens_to_ids("<|image>"))
    end = ids.index(tokenizer.convert_tokens_to_ids("<image|>"))
    # A letter-size page at the default budget of 280 soft tokens, as with the real model.
    assert ids[start + 1 : end] == [image_id] * 266
    assert ids.count(image_id) == 266
