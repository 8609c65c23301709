"""Run docintel's schedules on a single machine, without a work pool or a worker.

    .venv/bin/python deploy/serve.py      # from the project root; Ctrl-C stops it

One long-running process registers the deployments of ``deploy/prefect.yaml`` (same names,
schedules and parameters; this file reads it, so the two cannot drift apart) and starts each
scheduled or on-demand run as a subprocess of itself. Relative paths in parameters are resolved
against the folder it was started from."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.extract import extract_documents

PREFECT_YAML = Path(__file__).with_name("prefect.yaml")


def load_config(path: Path = PREFECT_YAML) -> dict[str, Any]:
    """The parsed prefect.yaml."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def deployments(config: dict[str, Any]) -> list[RunnerDeployment]:
    """A served deployment of ``extract_documents`` for each deployment of ``config``."""
    return [
        extract_documents.to_deployment(
            name=entry["name"],
            description=entry.get("description"),
            tags=entry.get("tags"),
            parameters=entry.get("parameters"),
            schedules=[Cron(s["cron"], timezone=s.get("timezone")) for s in entry.get("schedules", [])],
        )
        for entry in config["deployments"]
    ]


def worker_env(config: dict[str, Any]) -> dict[str, str]:
    """The environment the work pool gives flow runs (the first deployment's; they share one pool)."""
    job_variables = config["deployments"][0]["work_pool"].get("job_variables", {})
    return {name: str(value) for name, value in job_variables.get("env", {}).items()}


def main() -> None:
    config = load_config()
    for name, value in worker_env(config).items():
        os.environ.setdefault(name, value)  # inherited by the flow-run subprocesses
    serve(*deployments(config))


if __name__ == "__main__":
    main()
