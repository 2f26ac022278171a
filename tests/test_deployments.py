"""Every deployment in prefect.yaml imports and its parameters fit the flow's signature."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
import yaml
from prefect.flows import Flow

ROOT = Path(__file__).resolve().parents[1]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_entrypoint_imports_and_parameters_validate(deployment: dict) -> None:
    path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, name)
    assert isinstance(flow, Flow)
    validated = flow.validate_parameters(deployment.get("parameters", {}))
    assert set(validated) <= set(flow.parameters.properties)


def test_nightly_is_scheduled_at_two_utc() -> None:
    nightly = next(d for d in DEPLOYMENTS if d["name"] == "nightly")
    assert nightly["schedules"][0]["cron"] == "0 2 * * *"
    assert nightly["schedules"][0]["timezone"] == "UTC"


def test_newsledger_deploy_serves_every_deployment_with_its_schedule() -> None:
    from flows.server import deployment_specs, runner_deployments

    served = {d.name: d for d in runner_deployments(deployment_specs())}
    assert list(served) == [d["name"] for d in DEPLOYMENTS] == ["nightly", "backfill", "backfill-partition",
                                                                 "reprocess"]
    schedule = served["nightly"].schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "UTC")
    assert not served["backfill"].schedules and served["backfill"].parameters["partition"] == "month"


@pytest.mark.parametrize(("partition", "expected"), [
    ("month", ["2024-01-30..2024-01-31", "2024-02-01..2024-02-29", "2024-03-01..2024-03-02"]),
    ("week", ["2024-01-30..2024-02-04", "2024-02-05..2024-02-11", "2024-02-12..2024-02-18",
              "2024-02-19..2024-02-25", "2024-02-26..2024-03-02"]),
])
def test_backfill_window_is_cut_into_calendar_partitions(partition: str, expected: list[str]) -> None:
    from flows.backfill import partitions

    cut = partitions(dt.date(2024, 1, 30), dt.date(2024, 3, 2), partition)  # type: ignore[arg-type]
    assert [p.label for p in cut] == expected
    assert len(partitions(dt.date(2024, 1, 30), dt.date(2024, 3, 2), "day")) == 33
    with pytest.raises(ValueError, match="empty window"):
        partitions(dt.date(2024, 2, 1), dt.date(2024, 1, 31), partition)  # type: ignore[arg-type]


def test_backfill_fans_out_to_the_partition_deployment_of_the_same_pool() -> None:
    from flows.backfill import PARTITION_DEPLOYMENT, backfill, backfill_partition

    by_name = {d["name"]: d for d in DEPLOYMENTS}
    flow_name, deployment_name = PARTITION_DEPLOYMENT.split("/")
    assert flow_name == backfill_partition.name
    assert by_name[deployment_name]["entrypoint"] == "flows/backfill.py:backfill_partition"
    assert by_name[deployment_name]["work_pool"] == by_name["backfill"]["work_pool"] == {"name": "newsledger"}
    assert "fan_out" in backfill.parameters.properties
    assert {"task_runner", "dask_address"} <= set(backfill_partition.parameters.properties)
