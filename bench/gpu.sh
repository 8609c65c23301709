#!/usr/bin/env bash
# docintel's GPU benchmarks in one go, in under 8 minutes, on one GPU machine (written for an
# H200 with 16 cores and no network). Run it from anywhere:
#
#     bash bench/gpu.sh                      # REFERENCE=/path/to/gemma-4-12B-it.config.json if not found
#
# What it runs, each step with its own time limit inside a total of BUDGET_S seconds (default
# 470), a step that would start with under a minute left is skipped and says so:
#   1. the GPU's name and memory (nvidia-smi), the Python, vLLM and torch versions;
#   2. bench/throughput.py --full-size --engine both: bare vLLM.LLM.chat and docintel in process
#      on one engine, then docintel on the managed server with API_SERVERS input processes
#      (DOCS generated invoices at budget 280, default 1000);
#   3. bench/feed.py --full-size on the managed server with K = 1, 2, 4 (FEED_DOCS invoices,
#      one output token each), beside the Gemma 4 processor alone. The in-process row is left
#      out: step 2 measured that engine, and each start of a 12B engine costs a minute.
#
# The model is the full Gemma 4 12B architecture with random weights (load_format=dummy): the
# checkpoint folder (config, tokenizer of 262,144 ids, processor) is built once on this machine
# from the reference config.json. Engines run eager (EAGER=1, the default): torch.compile and
# CUDA-graph capture cost one to two minutes per engine start, and this script starts five;
# decode is slower eager, so the output-token rates are a lower bound. EAGER=0 to compile.
#
# Needs no project virtual environment: $PYTHON (default python3) must import vllm (CUDA build)
# and the project's dependencies (pydantic, pydantic-settings, pymupdf, pypdfium2, pyarrow,
# jsonschema, pillow, httpx, psutil); step 1 checks and names what is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
PYTHON=${PYTHON:-python3}
BUDGET_S=${BUDGET_S:-470}
DOCS=${DOCS:-1000}
FEED_DOCS=${FEED_DOCS:-300}
API_SERVERS=${API_SERVERS:-4}
MAX_TOKENS=${MAX_TOKENS:-256}
EAGER=${EAGER:-1}
START=$SECONDS

find_reference() {
    local candidate
    for candidate in "${REFERENCE:-}" shared/reference/gemma-4-12B-it.config.json \
            ../shared/reference/gemma-4-12B-it.config.json .bench-reference/gemma-4-12B-it.config.json; do
        if [[ -n $candidate && -f $candidate ]]; then
            realpath "$candidate"
            return 0
        fi
    done
    return 1
}

left() { echo $((BUDGET_S - (SECONDS - START))); }

# step NAME LIMIT_S COMMAND...: run COMMAND in a process group of its own under a time limit
# cut to what the budget has left; whatever it leaves behind (an engine core, a server) is
# killed with its group, and the GPU is given a moment to free its memory before the next step.
step() {
    local name=$1 limit=$2 rc=0 began=$SECONDS
    shift 2
    if (($(left) < 60)); then
        echo "== $name: SKIPPED, $(left) s of the budget left"
        return 0
    fi
    ((limit > $(left))) && limit=$(left)
    echo "== $name (limit ${limit} s): $*"
    setsid timeout --signal=TERM --kill-after=30 "$limit" "$@" &
    local pid=$!
    wait "$pid" || rc=$?
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait_for_free_gpu
    case $rc in
        0) echo "== $name: done in $((SECONDS - began)) s" ;;
        124 | 137) echo "== $name: TIMED OUT after $((SECONDS - began)) s (rows printed above are complete)" ;;
        *) echo "== $name: FAILED with status $rc after $((SECONDS - began)) s" ;;
    esac
}

wait_for_free_gpu() {
    local i
    for i in $(seq 30); do
        [[ -z $(nvidia-smi --query-compute-apps=pid --format=csv,noheader 2>/dev/null) ]] && return 0
        sleep 1
    done
    echo "   (GPU memory still held by: $(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader | tr '\n' ' '))"
}

check_python() {
    "$PYTHON" - <<'EOF'
import importlib, sys
missing = []
for name in ("vllm", "torch", "transformers", "pydantic", "pydantic_settings", "pymupdf", "pypdfium2", "pyarrow",
             "jsonschema", "PIL", "httpx", "psutil"):
    try:
        module = importlib.import_module(name)
        print(f"   {name} {getattr(module, '__version__', '')}")
    except Exception as exc:
        missing.append(f"{name} ({type(exc).__name__}: {exc})")
if missing:
    sys.exit("missing for the benchmarks: " + "; ".join(missing))
EOF
}

echo "== 1. machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "   cores: $(nproc)  python: $("$PYTHON" --version 2>&1) at $(command -v "$PYTHON")"
check_python
if ! REF=$(find_reference); then
    echo "no gemma-4-12B-it.config.json: set REFERENCE (see shared/reference/ on the development machine)" >&2
    exit 2
fi
echo "   reference config: $REF"

COMMON=(--full-size --reference "$REF" --max-soft-tokens 280)
((EAGER)) && COMMON+=(--enforce-eager)

step "2. throughput, full-size, in process and server K=$API_SERVERS" 300 \
    "$PYTHON" bench/throughput.py "${COMMON[@]}" --docs "$DOCS" --engine both \
    --api-server-count "$API_SERVERS" --max-tokens "$MAX_TOKENS"

step "3. feed, full-size, server K=1,2,4" 240 \
    "$PYTHON" bench/feed.py "${COMMON[@]}" --docs "$FEED_DOCS" --ks 1,2,4 --skip in-process

echo "== total $((SECONDS - START)) s of a ${BUDGET_S} s budget"
