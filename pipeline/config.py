"""The one configuration model. CLI flags, environment variables (``DOCINTEL_*``) and Prefect
parameters all map onto :class:`Settings`; its defaults serve the nightly job."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "google/gemma-4-12B-it"
MTP_ASSISTANT = "google/gemma-4-12B-it-assistant"
SOFT_TOKEN_BUDGETS = (70, 140, 280, 560, 1120)


class Settings(BaseSettings):
    """Everything a run can be told. Environment: ``DOCINTEL_<FIELD>``, e.g. ``DOCINTEL_MODEL``."""

    model_config = SettingsConfigDict(env_prefix="DOCINTEL_", extra="forbid")

    # Model and engine
    engine: Literal["auto", "vllm", "server", "openai"] = Field(
        "auto", description="vllm: in-process engine; server: a vllm serve that docintel starts, stops and restarts "
                            "itself, with api_server_count input processes; openai: OpenAI-compatible servers at "
                            "server_urls; auto: server on a machine with a GPU, vllm elsewhere."
    )
    server_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Base URLs of OpenAI-compatible servers, comma-separated "
                                          "(e.g. http://gpu1:8000/v1); requests are spread by load."
    )
    server_api_key: str | None = Field(None, description="Bearer token for the servers, if they need one.")
    request_timeout: float = Field(600.0, gt=0, description="Seconds per HTTP request to a server.")
    max_concurrency: int = Field(64, ge=1, description="HTTP requests in flight across all servers.")
    model: str = Field(DEFAULT_MODEL, description="Hugging Face id or local path of the checkpoint.")
    max_model_len: int = Field(-1, ge=-1, description="Context per request in tokens; -1: the model's own (Gemma 4 "
                                                      "12B: 262,144), reduced by vLLM to what the KV cache holds. "
                                                      "A document that does not fit goes in page windows.")
    dtype: str = Field("auto", description="Weight/activation dtype passed to vLLM.")
    max_num_seqs: int | None = Field(None, ge=1, description="Requests the engine decodes concurrently; default "
                                                             "from the GPU's memory (see pipeline/hardware.py).")
    max_num_batched_tokens: int | None = Field(None, ge=1, description="Tokens per engine step (prefill chunk); "
                                                                       "default from the GPU's memory.")
    kv_cache_dtype: str = Field("auto", description="KV cache dtype: auto (the model's) or fp8 (half the memory).")
    api_server_count: int | None = Field(None, ge=1, description="Input-processing processes of the managed server "
                                                                 "(engine 'server'); default from the CPU count.")
    server_start_timeout: float = Field(1800.0, gt=0, description="Seconds the managed server may take to load.")
    load_format: str = Field("auto", description="vLLM load format; 'dummy' (random weights) for benchmarks.")
    tokenizer: str | None = Field(None, description="Tokenizer path when it is not the model's own.")
    gpu_memory_utilization: float = Field(0.90, gt=0, le=1)
    max_soft_tokens: int = Field(
        280, description="Image-token budget per page: 70, 140, 280, 560 or 1120 (dense pages: 560+)."
    )
    speculative_model: str | None = Field(
        None, description=f"Draft model for MTP speculative decoding, e.g. {MTP_ASSISTANT}."
    )
    num_speculative_tokens: int = Field(4, ge=1)
    enforce_eager: bool = Field(False, description="Skip torch.compile and CUDA graphs: faster start, slower decode.")
    seed: int = 0

    # Decoding and validation
    max_tokens: int = Field(4096, description="Output-token cap per request.")
    temperature: float = Field(0.0, ge=0, description="First attempt; retries sample at retry_temperature.")
    retry_temperature: float = Field(0.3, ge=0)
    max_attempts: int = Field(2, ge=1, description="Attempts per document before it becomes an error row.")

    classify_pages: int = Field(2, ge=1, description="With --schema auto: pages of a document shown to the "
                                                     "classifier that picks its schema.")

    # Rendering
    renderer: Literal["pymupdf", "pdfium"] = Field(
        "pymupdf", description="PDF renderer: PyMuPDF (AGPL) or PDFium via pypdfium2 (Apache-2.0)."
    )
    dpi: int | None = Field(None, description="Fixed render DPI; default: fit the image-token budget.")
    max_side_px: int = Field(2048, description="Longest side of a rendered page, in pixels.")
    max_pages: int = Field(500, ge=1, description="Safety cap on pages per document (longer ones are error rows "
                                                  "too_many_pages); not the limit of one request: see window_pages.")
    window_pages: int | None = Field(None, ge=1, description="Most pages per request, a cost cap; longer documents "
                                                             "are read in page windows and merged. Default: as "
                                                             "many as the context holds.")
    window_overlap: int = Field(2, ge=0, description="Pages two consecutive windows share, so that a table or "
                                                     "clause cut at a window's edge is read whole in one of them.")
    upright: bool = Field(True, description="Detect and undo the quarter turns and skew of pages without a text "
                                            "layer (scans, photos) before the model sees them.")
    ocr: bool = Field(True, description="Read the words of pages without a text layer (RapidOCR): where "
                                        "evidence on scans and photos is found.")
    ocr_text_layer: bool = Field(False, description="Also give a scan's OCR text to the model as its text layer.")
    max_file_mb: float = Field(200.0, gt=0, description="Bytes per input file, in MiB.")
    max_image_pixels: int = Field(100_000_000, description="Pixels per source image (decompression bombs).")
    include_text_layer: bool = Field(True, description="Send the PDF text layer with the page images.")
    max_text_chars: int = Field(60_000, description="Text-layer characters per document sent to the model.")
    render_workers: int | None = Field(None, ge=1, description="Render processes (PyMuPDF is not thread-safe); "
                                                               "default from the CPU count.")
    render_timeout: float = Field(120.0, gt=0, description="Seconds a document may take to read and render one "
                                                           "page (10 times that in all); past that it is an error "
                                                           "row render_timeout.")
    render_memory_mb: int = Field(4096, ge=1024, description="Address space of a render worker, in MiB; a document "
                                                            "that needs more is an error row render_out_of_memory.")

    # Streaming
    max_in_flight: int | None = Field(None, ge=1, description="Documents rendering, waiting or in the engine at once "
                                                              "(bounds memory); default twice max_num_seqs.")
    max_pages_in_flight: int = Field(4000, ge=1, description="Rendered pages held in memory at once (~2 MB each "
                                                             "at 280 image tokens, ~8 MB at 1120): documents start "
                                                             "rendering only below it, so long documents bound "
                                                             "memory too.")
    window: int = Field(64, ge=1, description="Documents per progress step and Prefect task run; not a batch: "
                                              "requests stream into the engine across windows.")
    progress_seconds: float = Field(60.0, gt=0, description="Seconds between progress lines when the output is not "
                                                            "a terminal (cron, Kubernetes, Prefect workers).")

    # Trust
    review_threshold: float = Field(0.5, ge=0, le=1, description="A field whose confidence is below this puts "
                                                                 "its document up for review (needs_review).")
    calibration: str | None = Field(None, description="Calibration file written by `docintel calibrate`: maps raw "
                                                      "field scores to probabilities.")

    # Output and storage
    reprocess: bool = Field(False, description="Extract documents again that are already committed for this "
                                               "schema version, model and prompt version.")
    file_rows: int = Field(100_000, ge=1, description="Rows per Parquet file before a new file is started.")
    file_seconds: float = Field(600.0, gt=0, description="Age at which an output file is closed: the work a "
                                                         "killed run can lose.")
    s3_endpoint_url: str | None = Field(None, description="S3-compatible endpoint (MinIO, ...); default: AWS.")
    s3_region: str | None = None
    s3_max_attempts: int = Field(5, ge=1, description="Attempts per S3 request, with exponential backoff.")

    @field_validator("server_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [u.strip() for u in value.split(",") if u.strip()] if isinstance(value, str) else value

    @field_validator("max_soft_tokens")
    @classmethod
    def _known_budget(cls, value: int) -> int:
        if value not in SOFT_TOKEN_BUDGETS:
            raise ValueError(f"must be one of {SOFT_TOKEN_BUDGETS} (the budgets Gemma 4 was trained on)")
        return value
