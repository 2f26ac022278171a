"""Extraction batches as Prefect tasks on a Dask cluster (flows/cluster.py).

The nightly flow runs over the served dev split with ``task_runner="dask"`` against a
two-worker ``distributed.LocalCluster`` started here, with batches small enough to make
several. The scheduler's task stream says which worker ran each task; the warehouse must
equal a clean run's with the default (local) runner.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from flows.nightly import nightly
from tests.conftest import ServedSite, table_rows

BATCH_SIZE = 10
EPHEMERAL = frozenset({"run_id", "fetched_at", "known_from", "known_to", "recorded_at", "archive_path"})


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes with one thread each, and a client to ask the scheduler."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local, \
            Client(local) as client:
        yield local, client


@pytest.fixture(scope="module")
def dask_run(cluster, dev_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The nightly flow with the Dask runner into a fresh warehouse, and the scheduler's
    record of every task it ran meanwhile."""
    from distributed import get_task_stream

    local, client = cluster
    db = tmp_path_factory.mktemp("dask") / "w.duckdb"
    with pytest.MonkeyPatch.context() as env, get_task_stream(client) as stream:
        env.setenv("NEWSLEDGER_BATCH_SIZE", str(BATCH_SIZE))
        env.setenv("NEWSLEDGER_WORKERS", "2")
        state = nightly(dev_site.sources, db=str(db), allow_private_hosts=True, task_runner="dask",
                        dask_address=local.scheduler_address, return_state=True)
    return {"db": db, "summary": state.result(), "flow_run_id": state.state_details.flow_run_id,
            "tasks": stream.data, "workers": set(local.scheduler_info["workers"])}


@pytest.fixture(scope="module")
def local_db(dev_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("local") / "w.duckdb"
    nightly(dev_site.sources, db=str(db), allow_private_hosts=True)
    return db


def test_every_batch_ran_as_a_task_on_the_cluster_workers(dask_run: dict) -> None:
    batches = [task for task in dask_run["tasks"] if task["key"].startswith("extract_batch")]
    fetched = dask_run["summary"]["counts"]["fetched"]
    assert fetched > 2 * BATCH_SIZE
    assert len(batches) == math.ceil(fetched / BATCH_SIZE)
    assert {task["worker"] for task in batches} == dask_run["workers"]


def test_prefect_records_each_batch_as_a_completed_task_run_of_the_flow_run(dask_run: dict) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterName

    batches = sum(task["key"].startswith("extract_batch") for task in dask_run["tasks"])
    flow_runs = FlowRunFilter(id=FlowRunFilterId(any_=[dask_run["flow_run_id"]]))
    names = TaskRunFilter(name=TaskRunFilterName(like_="extract-batch"))
    deadline = time.monotonic() + 15  # task runs reach the server as events, recorded asynchronously
    with get_client(sync_client=True) as client:
        while True:
            states = [run.state_name for run in client.read_task_runs(flow_run_filter=flow_runs, task_run_filter=names)]
            if states.count("Completed") == batches or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert states == ["Completed"] * batches


@pytest.mark.parametrize("table", ["mart.articles", "mart.fact_mentions"])
def test_warehouse_equals_the_local_runners(dask_run: dict, local_db: Path, table: str) -> None:
    rows = table_rows(dask_run["db"], table, tuple(EPHEMERAL))
    assert rows
    assert rows == table_rows(local_db, table, tuple(EPHEMERAL))

