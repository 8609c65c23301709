"""A tiny random-weight Gemma 4 unified checkpoint, built locally.

Tests and the CPU demo use it in place of ``google/gemma-4-12B-it``: the same architecture
(``Gemma4UnifiedForConditionalGeneration``), the same special tokens, chat template and processor,
but a few MB of random weights, so the real vLLM loading and multimodal code paths run on a laptop
without network access.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from transformers import Gemma4UnifiedForConditionalGeneration

# Written last and holding the build digest: its presence means a complete, current checkpoint.
MARKER_FILE = ".tiny_model_build"

# Regular special tokens first, at the real Gemma ids (pad 0, eos 1, bos 2, unk 3, mask 4),
# then the Gemma 4 markers; ids follow from this order.
_BASE_SPECIAL_TOKENS = ("<pad>", "<eos>", "<bos>", "<unk>", "<mask>")
_GEMMA4_TOKENS = {
    "sot_token": "<|turn>",
    "eot_token": "<turn|>",
    "think_token": "<|think|>",
    "soc_token": "<|channel>",
    "eoc_token": "<channel|>",
    "std_token": "<|tool>",
    "etd_token": "<tool|>",
    "stc_token": "<|tool_call>",
    "etc_token": "<tool_call|>",
    "str_token": "<|tool_response>",
    "etr_token": "<tool_response|>",
    "escape_token": '<|"|>',
    "boi_token": "<|image>",
    "eoi_token": "<image|>",
    "image_token": "<|image|>",
    "boa_token": "<|audio>",
    "eoa_token": "<audio|>",
    "audio_token": "<|audio|>",
    "video_token": "<|video|>",
}
SPECIAL_TOKENS: tuple[str, ...] = _BASE_SPECIAL_TOKENS + tuple(_GEMMA4_TOKENS.values())
_VOCAB_SIZE = 1024  # BPE target; the small corpus runs out of merges a little below it
# Tokens the random model is biased towards, so constrained JSON closes quickly (see _add_closing_bias).
_CLOSING_TOKENS = ('"', "}", "]", ",", "<turn|>")

# The Gemma 4 instruction-tuned template, reduced to what extraction needs (no tool calling):
# turns are `<|turn>{role}\n ... <turn|>\n`, the assistant role is `model`, and each image,
# audio or video content part becomes one placeholder that the processor expands.
CHAT_TEMPLATE = """{{- bos_token -}}
{%- set enable_thinking = enable_thinking | default(false) -%}
{%- set loop_messages = messages -%}
{%- if enable_thinking or (messages and messages[0]['role'] in ['system', 'developer']) -%}
    {{- '<|turn>system\\n' -}}
    {%- if enable_thinking -%}{{- '<|think|>\\n' -}}{%- endif -%}
    {%- if messages and messages[0]['role'] in ['system', 'developer'] -%}
        {%- if messages[0]['content'] is string -%}
            {{- messages[0]['content'] | trim -}}
        {%- else -%}
            {%- for item in messages[0]['content'] -%}{{- item['text'] | trim + ' ' -}}{%- endfor -%}
        {%- endif -%}
        {%- set loop_messages = messages[1:] -%}
    {%- endif -%}
    {{- '<turn|>\\n' -}}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
    {{- '<|turn>' + role + '\\n' -}}
    {%- if message['content'] is string -%}
        {{- message['content'] | trim -}}
    {%- else -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'text' -%}
                {{- item['text'] | trim -}}
            {%- elif item['type'] in ['image', 'image_url'] -%}
                {{- '<|image|>' -}}
            {%- elif item['type'] in ['audio', 'input_audio'] -%}
                {{- '<|audio|>' -}}
            {%- elif item['type'] == 'video' -%}
                {{- '<|video|>' -}}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- '<turn|>\\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{- '<|turn>model\\n' -}}
{%- endif -%}
"""

# Words the training corpus is made of: documents the pipeline extracts from, JSON keys it emits.
_WORDS = (
    "invoice number date due total subtotal tax vat amount currency EUR USD GBP CHF net gross "
    "price quantity unit description item line items seller buyer vendor customer supplier bill "
    "ship to from address street city postal code country phone email iban bic bank account "
    "payment terms days purchase order reference discount balance paid contract agreement party "
    "parties effective term termination renewal governing law jurisdiction signature signed "
    "clause section schedule annex liability confidentiality notice period fee fees service "
    "services start end value name title page document type receipt credit note statement "
    "the of and to in for on by with is are be this that shall may will not or as at a an "
    "null true false id version schema field value"
).split()
_SYMBOLS = '{}[]":,.-/#%&()+@*'


def build_tiny_model(path: str | Path, seed: int = 0) -> Path:
    """Build a tiny random-weight Gemma 4 unified checkpoint at ``path`` and return its path.

    The checkpoint has the real ``Gemma4UnifiedForConditionalGeneration`` layout (config.json,
    model.safetensors, tokenizer, chat template, processor and generation configs), so
    ``vllm.LLM(model=path)`` and ``transformers.AutoProcessor.from_pretrained(path)`` load it
    like the published model. Weights are random (bfloat16, a few MB); the same ``seed`` gives
    byte-identical files. If ``path`` already holds a complete checkpoint built by the same code,
    libraries and seed, it is returned as is.
    """
    return _build_staged(Path(path), _build_digest(seed), lambda staging: _write_checkpoint(staging, seed))


def _build_digest(seed: int) -> str:
    """Identify a build: this module's source, the seed and the libraries that shape the bytes."""
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes())
    libraries = {name: version(name) for name in ("tokenizers", "torch", "transformers")}
    digest.update(json.dumps({"seed": seed, "libraries": libraries}, sort_keys=True).encode())
    return digest.hexdigest()


def _is_complete(path: Path, digest: str) -> bool:
    marker = path / MARKER_FILE
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == digest


def _make_readable(directory: Path) -> None:
    # mkdtemp and safetensors create owner-only entries; the checkpoint is shared read-only data.
    directory.chmod(0o755)
    for item in directory.iterdir():
        item.chmod(0o644)


def _publish(staging: Path, target: Path) -> None:
    """Move the staged files into ``target``, marker last, so readers never see half a build."""
    try:
        staging.rename(target)  # atomic when target does not exist yet
        return
    except OSError:
        pass  # target exists: an older build, or a concurrent builder that got there first
    if _is_complete(target, (staging / MARKER_FILE).read_text(encoding="utf-8").strip()):
        return
    (target / MARKER_FILE).unlink(missing_ok=True)
    for item in sorted(staging.iterdir()):
        if item.name != MARKER_FILE:
            os.replace(item, target / item.name)
    os.replace(staging / MARKER_FILE, target / MARKER_FILE)


def _write_checkpoint(directory: Path, seed: int) -> None:
    tokenizer = _train_tokenizer()
    config = _config_dict(tokenizer.get_vocab_size())
    closing_ids = [tokenizer.token_to_id(token) for token in _CLOSING_TOKENS]
    _write_weights(directory, config, closing_ids, seed)
    _write_json(directory / "config.json", config)
    _write_json(directory / "generation_config.json", _generation_config())
    _write_processor(directory, tokenizer)


def _corpus() -> list[str]:
    """A small deterministic text sample: document words, numbers, dates and JSON records."""
    rng = random.Random(0)
    lines = [" ".join(_WORDS), _SYMBOLS, "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    for _ in range(400):
        record = {
            rng.choice(_WORDS): rng.choice(_WORDS).capitalize(),
            rng.choice(_WORDS): rng.randint(0, 99999),
            rng.choice(_WORDS): f"{rng.randint(1990, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(_WORDS): [round(rng.uniform(0, 5000), 2), None, rng.random() < 0.5],
        }
        lines.append(json.dumps(record))
        lines.append(json.dumps(record, indent=2))
        lines.append(" ".join(rng.choices(_WORDS, k=12)).capitalize() + ".")
    return lines


def _train_tokenizer() -> Tokenizer:
    """Train a byte-level BPE tokenizer on the built-in corpus.

    Byte-level makes every string representable; single-digit tokens keep numbers from a
    random model short under schema-constrained decoding (each digit is one choice among
    "another digit" and "end of number").
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=_VOCAB_SIZE,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_corpus(), trainer=trainer)
    return tokenizer


def _token_id(name: str) -> int:
    return SPECIAL_TOKENS.index(name)


def _config_dict(vocab_size: int) -> dict[str, Any]:
    """The published gemma-4-12B-it config.json, shrunk: same fields, tiny sizes.

    Head sizes stay within 32..256 because vLLM's CPU attention supports only those.
    """
    text_config = {
        "model_type": "gemma4_unified_text",
        "attention_bias": False,
        "attention_dropout": 0.0,
        "attention_k_eq_v": True,
        "bos_token_id": _token_id("<bos>"),
        "eos_token_id": _token_id("<eos>"),
        "pad_token_id": _token_id("<pad>"),
        "enable_moe_block": False,
        "final_logit_softcapping": 30.0,
        "global_head_dim": 64,
        "head_dim": 32,
        "hidden_activation": "gelu_pytorch_tanh",
        "hidden_size": 64,
        "hidden_size_per_layer_input": 0,
        "intermediate_size": 128,
        "layer_types": ["sliding_attention", "full_attention"],
        # As the real model, so the long-context paths (max_model_len up to 262,144) run in tests.
        "max_position_embeddings": 262144,
        "num_attention_heads": 4,
        "num_global_key_value_heads": 1,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "num_kv_shared_layers": 0,
        "rms_norm_eps": 1e-06,
        "rope_parameters": {
            "full_attention": {"partial_rotary_factor": 0.25, "rope_theta": 1000000.0, "rope_type": "proportional"},
            "sliding_attention": {"rope_theta": 10000.0, "rope_type": "default"},
        },
        # Real: 1024. Shorter than an image prompt, so the sliding-window path is exercised.
        "sliding_window": 512,
        "tie_word_embeddings": True,
        "use_bidirectional_attention": "vision",
        "use_cache": True,
        "use_double_wide_mlp": False,
        "vocab_size": vocab_size,
        "vocab_size_per_layer_input": vocab_size,
    }
    return {
        "architectures": ["Gemma4UnifiedForConditionalGeneration"],
        "model_type": "gemma4_unified",
        "dtype": "bfloat16",
        # audio_embed_dim is also the samples per audio token (640 = 40 ms at 16 kHz); vLLM's
        # placeholder arithmetic assumes 40 ms per token, so it keeps the real value.
        "audio_config": {"model_type": "gemma4_unified_audio", "audio_embed_dim": 640, "rms_norm_eps": 1e-06},
        "audio_token_id": _token_id("<|audio|>"),
        "boa_token_id": _token_id("<|audio>"),
        "boi_token_id": _token_id("<|image>"),
        # vLLM reads eoa_token_id, transformers eoa_token_index: write both.
        "eoa_token_id": _token_id("<audio|>"),
        "eoa_token_index": _token_id("<audio|>"),
        "eoi_token_id": _token_id("<image|>"),
        "image_token_id": _token_id("<|image|>"),
        "video_token_id": _token_id("<|video|>"),
        "initializer_range": 0.02,
        "text_config": text_config,
        "tie_word_embeddings": True,
        # Patch geometry and soft-token budget stay real: they set how many tokens an image costs.
        "vision_config": {
            "model_type": "gemma4_unified_vision",
            "mm_embed_dim": 64,
            "mm_posemb_size": 1120,
            "model_patch_size": 48,
            "num_soft_tokens": 280,
            "output_proj_dims": 64,
            "patch_size": 16,
            "pooling_kernel_size": 3,
            "rms_norm_eps": 1e-06,
        },
    }


def _write_weights(directory: Path, config: dict[str, Any], closing_ids: list[int], seed: int) -> None:
    """Initialise the transformers model with a fixed seed; save it in the published layout."""
    import torch
    from safetensors.torch import save_file
    from transformers import Gemma4UnifiedConfig, Gemma4UnifiedForConditionalGeneration

    torch.manual_seed(seed)
    model = Gemma4UnifiedForConditionalGeneration(Gemma4UnifiedConfig(**config))
    _add_closing_bias(model, closing_ids)
    tensors = {
        _published_name(name): tensor.to(torch.bfloat16).contiguous()
        for name, tensor in model.state_dict().items()
        if name != "lm_head.weight"  # tied to the token embeddings
    }
    save_file(tensors, str(directory / "model.safetensors"), metadata={"format": "pt"})


def _add_closing_bias(model: Gemma4UnifiedForConditionalGeneration, closing_ids: list[int]) -> None:
    """Make the random model prefer tokens that close JSON values: '"', '}', ']', ',' and <turn|>.

    A purely random model picks the closing quote of a string about once per vocabulary size,
    so schema-constrained outputs would hit max_tokens instead of finishing. Hidden dimension 0
    becomes a constant channel: every token embedding has 1.0 there, closing tokens 4.0, and the
    layers neither read nor write it (their norm weights are 0 there). With tied embeddings the
    final hidden state then scores closing tokens ~10 logits higher, whatever the context.
    Everything else stays random.
    """
    import torch

    text_model = model.model.language_model
    with torch.no_grad():
        text_model.embed_tokens.weight[:, 0] = 1.0
        text_model.embed_tokens.weight[closing_ids, 0] = 4.0
        for layer in text_model.layers:
            for norm in (
                layer.input_layernorm,
                layer.post_attention_layernorm,
                layer.pre_feedforward_layernorm,
                layer.post_feedforward_layernorm,
            ):
                norm.weight[0] = 0.0


def _published_name(name: str) -> str:
    """Map transformers' module names to the checkpoint names (see transformers conversion_mapping)."""
    name = name.replace("embed_vision.multimodal_embedder.", "embed_vision.")
    for part in ("patch_ln1", "patch_dense", "patch_ln2", "pos_embedding", "pos_norm"):
        name = name.replace(f"embed_vision.{part}", f"vision_embedder.{part}")
    return name


def _generation_config() -> dict[str, Any]:
    # Like the real model: generation stops at <eos>, <turn|> and <|tool_response>.
    return {
        "bos_token_id": _token_id("<bos>"),
        "eos_token_id": [_token_id("<eos>"), _token_id("<turn|>"), _token_id("<|tool_response>")],
        "pad_token_id": _token_id("<pad>"),
        "do_sample": True,
        "temperature": 1.0,
        "top_k": 64,
        "top_p": 0.95,
    }


def _write_processor(directory: Path, tokenizer: Tokenizer) -> None:
    """Save tokenizer, chat template and image/audio/video processors via the real processor class."""
    from transformers import (
        Gemma4UnifiedAudioFeatureExtractor,
        Gemma4UnifiedImageProcessor,
        Gemma4UnifiedProcessor,
        Gemma4UnifiedVideoProcessor,
        PreTrainedTokenizerFast,
    )

    hf_tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<bos>",
        eos_token="<eos>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        padding_side="left",
        extra_special_tokens=_GEMMA4_TOKENS,
    )
    processor = Gemma4UnifiedProcessor(
        feature_extractor=Gemma4UnifiedAudioFeatureExtractor(),
        image_processor=Gemma4UnifiedImageProcessor(),
        tokenizer=hf_tokenizer,
        video_processor=Gemma4UnifiedVideoProcessor(),
        chat_template=CHAT_TEMPLATE,
    )
    processor.save_pretrained(str(directory))


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# The full-size checkpoint: Gemma 4 12B's architecture with no weights, for vLLM's
# load_format="dummy" (random weights), so a GPU measures the real model's speed offline.

FULL_SIZE_VOCAB = 262_144
# Special-token ids of the published Gemma 4 tokenizer. The image, audio and video markers are
# in the reference config.json (checked against it at build time); pad/eos/bos/unk/mask and
# the turn, channel, thinking and tool markers are the published tokenizer's.
FULL_SIZE_TOKEN_IDS = {
    "<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4,
    "<|tool>": 46, "<tool|>": 47, "<|tool_call>": 48, "<tool_call|>": 49, "<|tool_response>": 50,
    "<tool_response|>": 51, '<|"|>': 52, "<|think|>": 98, "<|channel>": 100, "<channel|>": 101,
    "<|turn>": 105, "<turn|>": 106,
    "<|image>": 255999, "<|audio>": 256000, "<|image|>": 258880, "<|audio|>": 258881,
    "<image|>": 258882, "<audio|>": 258883, "<|video|>": 258884,
}
# config.json keys that name a special token, and the token they must name.
_CONFIG_TOKEN_KEYS = {
    "image_token_id": "<|image|>", "audio_token_id": "<|audio|>", "video_token_id": "<|video|>",
    "boi_token_id": "<|image>", "eoi_token_id": "<image|>", "boa_token_id": "<|audio>",
    "eoa_token_index": "<audio|>",
}


def build_full_size_model(path: str | Path, reference_config: str | Path) -> Path:
    """Build a weightless Gemma 4 12B checkpoint folder at ``path`` and return its path.

    ``config.json`` is ``reference_config`` (the published architecture) as is, plus
    ``eoa_token_id``, which vLLM reads where transformers reads ``eoa_token_index``. The
    tokenizer is the tiny model's BPE spread over the real vocabulary of 262,144 ids: every
    special token at its published id, the learned tokens in the free ids from 5 on, unused
    fillers elsewhere; so the embedding and logits have the real shape and the processor
    expands images with the real ids. There is no weight file: load it with
    ``load_format="dummy"``. Token counts of text differ from the real tokenizer's (a 1K-token
    BPE splits text finer); image tokens, which dominate a page, are the same.
    """
    config = json.loads(Path(reference_config).read_text(encoding="utf-8"))
    _check_full_size_ids(config)
    digest = hashlib.sha256((_build_digest(0) + json.dumps(config, sort_keys=True)).encode()).hexdigest()

    def write(staging: Path) -> None:
        _write_json(staging / "config.json", {**config, "eoa_token_id": config["eoa_token_index"]})
        _write_json(staging / "generation_config.json", _full_size_generation_config())
        _write_processor(staging, _full_size_tokenizer(int(config["text_config"]["vocab_size"])))

    return _build_staged(Path(path), digest, write)


def _build_staged(target: Path, digest: str, write: Callable[[Path], None]) -> Path:
    """``target`` as is when it holds the build ``digest``; else ``write`` the files into a
    staging folder beside it and publish them there, marker last."""
    if _is_complete(target, digest):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        write(staging)
        (staging / MARKER_FILE).write_text(digest + "\n", encoding="utf-8")
        _make_readable(staging)
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _check_full_size_ids(config: dict[str, Any]) -> None:
    """The reference config must agree with the ids the tokenizer is built with."""
    text = config["text_config"]
    expected = {key: FULL_SIZE_TOKEN_IDS[token] for key, token in _CONFIG_TOKEN_KEYS.items()}
    expected |= {"bos_token_id": 2, "eos_token_id": 1, "pad_token_id": 0}
    found = {key: config.get(key, text.get(key)) for key in expected}
    if found != expected or int(text["vocab_size"]) != FULL_SIZE_VOCAB:
        raise ValueError(f"reference config disagrees with the Gemma 4 tokenizer ids: {found} "
                         f"(vocab {text['vocab_size']}), expected {expected} (vocab {FULL_SIZE_VOCAB})")


def _full_size_tokenizer(vocab_size: int) -> Tokenizer:
    """The tiny BPE tokenizer renumbered into ``vocab_size`` ids (see build_full_size_model)."""
    from tokenizers import Tokenizer

    data = json.loads(_train_tokenizer().to_str())
    learned = sorted(data["model"]["vocab"].items(), key=lambda item: item[1])
    reserved = set(FULL_SIZE_TOKEN_IDS.values())
    free = (i for i in range(vocab_size) if i not in reserved)
    vocab = dict(FULL_SIZE_TOKEN_IDS)
    for token, _ in learned:
        if token not in vocab:
            vocab[token] = next(free)
    vocab |= {f"<unused{i}>": i for i in free}  # never produced by the merges; they fill the id space
    data["model"]["vocab"] = vocab
    for added in data["added_tokens"]:
        added["id"] = FULL_SIZE_TOKEN_IDS[added["content"]]
    return Tokenizer.from_str(json.dumps(data))


def _full_size_generation_config() -> dict[str, Any]:
    # As the published model: stop at <eos>, <turn|> and <|tool_response>.
    ids = FULL_SIZE_TOKEN_IDS
    return {"bos_token_id": ids["<bos>"], "eos_token_id": [ids["<eos>"], ids["<turn|>"], ids["<|tool_response>"]],
            "pad_token_id": ids["<pad>"], "do_sample": True, "temperature": 1.0, "top_k": 64, "top_p": 0.95}
