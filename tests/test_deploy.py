"""deploy/prefect.yaml, deployed the way a user does it: `prefect deploy --all` (Prefect's own CLI,
in process) from the project root against Prefect's test harness, read back from the API and
scheduled the way the server's scheduler does it. deploy/serve.py must serve the same schedules
and parameters."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.responses import DeploymentResponse
from prefect.testing.cli import invoke_and_assert
from conftest import PREFECT_STARTUP_TIMEOUT
from prefect.testing.utilities import prefect_test_harness
from prefect.utilities.asyncutils import run_coro_as_sync
from prefect.utilities.schema_tools import validate

from flows.extract import extract_documents
from pipeline.config import Settings
from pipeline.classify import choose_schema

ROOT = Path(__file__).resolve().parent.parent
PREFECT_YAML = ROOT / "deploy" / "prefect.yaml"
BERLIN = ZoneInfo("Europe/Berlin")
SERVE_PY = ROOT / "deploy" / "serve.py"
EXPECTED = {  # name: (cron, schema, (hour, minute) in Berlin, ISO weekdays)
    "invoices-nightly": ("0 2 * * *", "invoice", (2, 0), {1, 2, 3, 4, 5, 6, 7}),
    "contracts-weekdays": ("30 3 * * 1-5", "contract", (3, 30), {1, 2, 3, 4, 5}),
    "mixed-inbox-nightly": ("15 4 * * *", "auto", (4, 15), {1, 2, 3, 4, 5, 6, 7}),
}


@pytest.fixture(scope="module")
def deployed() -> Iterator[dict[str, DeploymentResponse]]:
    """The README's steps: a process work pool, then `prefect deploy --all` from the project root."""
    with prefect_test_harness(server_startup_timeout=PREFECT_STARTUP_TIMEOUT), pytest.MonkeyPatch.context() as env:
        env.setenv("PWD", str(ROOT))  # what the shell sets; prefect.yaml's pull step uses it
        with get_client(sync_client=True) as client:
            client.create_work_pool(WorkPoolCreate(name="docintel-process", type="process"))
        invoke_and_assert(["deploy", "--all", "--prefect-file", "deploy/prefect.yaml"], temp_dir=str(ROOT),
                          expected_output_contains=[f"extract-documents/{name}" for name in EXPECTED])
        with get_client(sync_client=True) as client:
            yield {name: client.read_deployment_by_name(f"extract-documents/{name}") for name in EXPECTED}


def cron(schedules: list[Any]) -> list[tuple[str, str | None, bool]]:
    """(cron, timezone, active) of each schedule, as the API or a served deployment holds it."""
    return [(s.schedule.cron, s.schedule.timezone, s.active) for s in schedules]


def test_the_deployments_run_on_the_process_pool_from_the_project_root(
        deployed: dict[str, DeploymentResponse]) -> None:
    for deployment in deployed.values():
        assert deployment.entrypoint == "flows/extract.py:extract_documents"
        assert deployment.work_pool_name == "docintel-process"
        assert deployment.pull_steps == [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
        assert deployment.job_variables == {"env": {"PREFECT_LOGGING_EXTRA_LOGGERS": "pipeline"}}


def test_schedules_are_cron_in_berlin_time(deployed: dict[str, DeploymentResponse]) -> None:
    for name, (expected_cron, *_) in EXPECTED.items():
        assert cron(deployed[name].schedules) == [(expected_cron, "Europe/Berlin", True)]


def test_the_server_schedules_runs_at_those_times(deployed: dict[str, DeploymentResponse]) -> None:
    """The server's scheduler service (not running under the harness) creates the upcoming runs.
    From a fixed week without a DST change: on the night 02:00 does not exist, Prefect runs at 01:00."""
    for name, (_, _, time_of_day, weekdays) in EXPECTED.items():
        run_ids = run_coro_as_sync(schedule_runs(deployed[name].id, 7))
        with get_client(sync_client=True) as client:
            starts = [client.read_flow_run(i).expected_start_time.astimezone(BERLIN) for i in run_ids]
        assert len(starts) == 7
        assert {(t.hour, t.minute) for t in starts} == {time_of_day}
        assert {t.isoweekday() for t in starts} == weekdays


async def schedule_runs(deployment_id: UUID, count: int) -> Sequence[UUID]:
    """What the scheduler service does for a deployment, against the harness's database, from
    Monday 3 June 2030 on."""
    from prefect.server import models
    from prefect.server.database import provide_database_interface

    start = datetime(2030, 6, 3, tzinfo=BERLIN)
    async with provide_database_interface().session_context(begin_transaction=True) as session:
        return await models.deployments.schedule_runs(session=session, deployment_id=deployment_id, start_time=start,
                                                       end_time=start + timedelta(days=14), min_runs=count,
                                                       max_runs=count)


def test_parameters_fit_the_flow_and_the_settings(deployed: dict[str, DeploymentResponse]) -> None:
    for name, (_, schema, *_) in EXPECTED.items():
        deployment = deployed[name]
        parameters: dict[str, Any] = deployment.parameters
        validate(parameters, deployment.parameter_openapi_schema, raise_on_error=True)  # as the server does
        assert deployment.enforce_parameter_schema  # the server refuses runs whose parameters do not fit
        extract_documents.validate_parameters(parameters)  # what a flow run does with them
        Settings(**parameters["settings"])  # extra="forbid": a misspelt setting fails here
        assert choose_schema(parameters["schema"], parameters.get("schema_dirs") or []).name == schema
        assert all(source.startswith("s3://") for source in parameters["source"])  # examples, see the comment


def load_serve() -> ModuleType:
    """deploy/serve.py as a module (deploy/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("docintel_serve", SERVE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_serve_registers_the_same_schedules_and_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # served entrypoints are relative to the folder serve.py starts in
    serve = load_serve()
    config = serve.load_config()
    served = {d.name: d for d in serve.deployments(config)}
    assert set(served) == set(EXPECTED)
    from_yaml = {entry["name"]: entry for entry in yaml.safe_load(PREFECT_YAML.read_text())["deployments"]}
    for name, deployment in served.items():
        assert deployment.parameters == from_yaml[name]["parameters"]
        assert cron(deployment.schedules) == [(EXPECTED[name][0], "Europe/Berlin", True)]
        assert deployment.entrypoint == "flows/extract.py:extract_documents"
        assert deployment.work_pool_name is None  # served by the process itself, no worker
    assert serve.worker_env(config) == {"PREFECT_LOGGING_EXTRA_LOGGERS": "pipeline"}
