"""Run as production does: a real Prefect server, the deployments served by `newsledger deploy`,
the nightly and a partitioned backfill triggered through the API, a killed run, its re-run."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterParentFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from flows.cli import app
from flows.server import WAREHOUSE_SLOT, ZOMBIE_AUTOMATION, wait_healthy
from tests.conftest import ROOT, free_port

WINDOW = {"since": "2024-10-01", "until": "2024-11-30"}  # 2 and 3 dev articles by month


class Served:
    """A Prefect server and a `newsledger deploy` process serving prefect.yaml against it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.api_url = f"http://127.0.0.1:{free_port()}/api"
        port = self.api_url.rsplit(":", 1)[1].removesuffix("/api")
        env = os.environ | {"PREFECT_SERVER_LOGGING_LEVEL": "WARNING"}
        self.server = self._start(["server", "--home", str(tmp / "prefect"), "--port", port], "server.log", env)
        # started together: `deploy` imports the flows while the server migrates its database
        self.deploy = self._start(["deploy", "--api-url", self.api_url], "deploy.log",
                                  env | {"PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(tmp / "client")})
        self.server_seconds = wait_healthy(self.api_url, timeout_s=150)

    def _start(self, args: list[str], log: str, env: dict[str, str]) -> subprocess.Popen:
        with open(self.tmp / log, "w") as out:
            return subprocess.Popen([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def wait_deployed(self, timeout_s: float = 150) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            assert self.deploy.poll() is None, (self.tmp / "deploy.log").read_text()
            if "being served" in (self.tmp / "deploy.log").read_text():
                return time.monotonic() - started
            time.sleep(1)
        raise TimeoutError((self.tmp / "deploy.log").read_text())

    def stop(self) -> None:
        for process in (self.deploy, self.server):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(tmp_path_factory.mktemp("prefect-server"))
    try:
        with temporary_settings({PREFECT_API_URL: served.api_url}):
            served.wait_deployed()
            yield served
    finally:
        served.stop()


def test_deploy_registers_schedules_slot_and_crash_detection(served: Served) -> None:
    with get_client(sync_client=True) as client:
        nightly = client.read_deployment_by_name("nightly/nightly")
        for name in ("backfill/backfill", "reprocess/reprocess"):
            assert client.read_deployment_by_name(name).name == name.split("/")[1]
        slot = client.read_global_concurrency_limit_by_name(WAREHOUSE_SLOT)
        automations = client.read_automations_by_name(ZOMBIE_AUTOMATION)
    assert [(s.schedule.cron, s.schedule.timezone) for s in nightly.schedules] == [("0 2 * * *", "UTC")]
    assert slot.limit == 1
    assert len(automations) == 1 and automations[0].actions[0].type == "change-flow-run-state"


def test_nightly_through_the_api_loads_once_per_logical_date(served: Served, dev_site, tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    parameters = {"sources": dev_site.sources, "db": str(db), "allow_private_hosts": True}
    key = f"nightly/{dt.date.today()}"
    flow_run = run_deployment("nightly/nightly", parameters=parameters, idempotency_key=key, timeout=240,
                              poll_interval=1, as_subflow=False)
    assert flow_run.state.is_completed(), flow_run.state
    assert flow_run.parameters["db"] == str(db)
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("nightly/nightly")
        duplicate = client.create_flow_run_from_deployment(deployment.id, parameters=parameters, idempotency_key=key)
        artifacts = {a.key for a in client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(
            any_=[flow_run.id])))}
    assert duplicate.id == flow_run.id  # the same night again: the server hands back the same run
    assert {"run-summary", "validation-summary"} <= artifacts
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM mart.articles").fetchone()[0] == 35
    (parameters_json,) = con.execute("SELECT parameters FROM core.runs").fetchone()
    assert json.loads(parameters_json)["idempotency_key"].startswith("nightly/")


def test_killed_backfill_is_crashed_and_its_rerun_does_only_the_rest(served: Served, dev_site, tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    parameters = WINDOW | {"sources": dev_site.sources, "db": str(db), "allow_private_hosts": True,
                           "partition": "month"}
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("backfill/backfill")
        first = client.create_flow_run_from_deployment(deployment.id, parameters=parameters)
        _wait(lambda: any(r.state.is_completed() for r in _children(client, first.id)), 180, "first partition")
        os.kill(_process_of(first.id), signal.SIGKILL)
        crashed = _wait(lambda: _final(client, first.id), 60, "crashed state")
        assert crashed.is_crashed(), crashed
    done_before = sum(r.state.is_completed() for r in _children_sync(first.id))

    rerun = run_deployment("backfill/backfill", parameters=parameters, timeout=240, poll_interval=1, as_subflow=False)
    assert rerun.state.is_completed(), rerun.state
    assert rerun.parameters["since"] == WINDOW["since"] and rerun.parameters["partition"] == "month"
    with get_client(sync_client=True) as client:
        children = sorted(_children(client, rerun.id), key=lambda r: r.name)
        skipped = [any("already loaded by run" in log.message for log in client.read_logs(
            LogFilter(flow_run_id=LogFilterFlowRunId(any_=[child.id])))) for child in children]
    assert [child.name for child in children] == [
        "backfill-2024-10-01..2024-10-31", "backfill-2024-11-01..2024-11-30"]
    assert all(child.state.is_completed() for child in children)
    assert skipped == [True] * done_before + [False] * (2 - done_before)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM mart.articles").fetchone() == (5, 5)
    keys = [json.loads(p)["idempotency_key"] for (p,) in con.execute(
        "SELECT parameters FROM core.runs WHERE outcome = 'completed'").fetchall()]
    assert len(keys) == len(set(keys)) == 2


def test_dry_run_lists_each_partition_and_its_urls(dev_site, tmp_path) -> None:
    result = CliRunner().invoke(app, [
        "backfill", "--since", WINDOW["since"], "--until", WINDOW["until"], "--dry-run", "--allow-private-hosts",
        "--db", str(tmp_path / "w.duckdb"), *[arg for source in dev_site.sources for arg in ("-s", source)]])
    assert result.exit_code == 0, result.output
    headers = [line for line in result.output.splitlines() if not line.startswith(" ")]
    assert headers == ["2024-10-01..2024-10-31: 2 URLs", "2024-11-01..2024-11-30: 3 URLs"]
    assert not (tmp_path / "w.duckdb").exists()


def _children(client, parent_id) -> list:
    return client.read_flow_runs(flow_run_filter=FlowRunFilter(
        parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_id])))


def _children_sync(parent_id) -> list:
    with get_client(sync_client=True) as client:
        return _children(client, parent_id)


def _final(client, flow_run_id):
    state = client.read_flow_run(flow_run_id).state
    return state if state.is_final() else None


def _process_of(flow_run_id) -> int:
    """The pid of the process executing ``flow_run_id`` (the runner sets PREFECT__FLOW_RUN_ID)."""
    marker = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes().split(b"\0"):
                return int(proc.name)
        except OSError:
            continue
    raise LookupError(f"no process runs flow run {flow_run_id}")


def _wait(check, timeout_s: float, what: str):
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")


@pytest.mark.parametrize("command", ["server", "deploy"])
def test_server_commands_have_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
