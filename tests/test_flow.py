"""The Prefect flow under Prefect's test harness (a real, temporary API and database)."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.extract import extract_documents

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"


@pytest.fixture(scope="module", autouse=True)
def prefect_api():
    with prefect_test_harness():
        yield


def test_flow_extracts_contracts_into_parquet(tiny_model: Path, tmp_path: Path) -> None:
    settings = {"model": str(tiny_model), "max_model_len": 16384, "max_soft_tokens": 70, "enforce_eager": True}
    report = extract_documents([str(SAMPLES / "contract")], "contract", str(tmp_path), settings)
    documents = len(list((SAMPLES / "contract").iterdir()))
    assert report["documents"] == documents
    assert report["results"] + sum(report["errors"].values()) == documents
    assert pq.read_table(tmp_path / "results").num_rows == report["results"]
    assert report["manifest"] == str(tmp_path / "_manifests" / f"{report['run_id']}.json")


def test_flow_fails_fast_on_a_missing_input(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="input not found"):
        extract_documents([str(tmp_path / "nowhere")], "invoice", str(tmp_path))
