"""Run as production does: a real Prefect server, the deployments served by `newsledger deploy`,
the nightly and partitioned backfills triggered through the API: twin runs of one night,
overlapping backfills on one warehouse, a killed worker replaced by another."""

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
    DeploymentFilter,
    DeploymentFilterId,
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
from tests.conftest import EPHEMERAL, ROOT, TABLES, free_port, table_rows

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
        self._deploy_env = env | {"PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(tmp / "client")}
        self.deploy = self._start(["deploy", "--api-url", self.api_url], "deploy.log", self._deploy_env)
        self.server_seconds = wait_healthy(self.api_url, timeout_s=150)

    def _start(self, args: list[str], log: str, env: dict[str, str]) -> subprocess.Popen:
        with open(self.tmp / log, "w") as out:
            return subprocess.Popen([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def restart_worker(self) -> float:
        """A new `newsledger deploy` process in place of a dead one; returns the seconds until it serves."""
        (self.tmp / "deploy.log").rename(self.tmp / f"deploy-{self.deploy.pid}.log")
        self.deploy = self._start(["deploy", "--api-url", self.api_url], "deploy.log",
                                  self._deploy_env)
        return self.wait_deployed()

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


def test_nightly_through_the_api_loads_each_night_once(served: Served, dev_site, tmp_path) -> None:
    """Twin runs of one night (a redeploy's duplicate schedule: no shared server-side key)
    load it once; a run created again with the same idempotency key is the same run."""
    db = tmp_path / "w.duckdb"
    parameters = {"sources": dev_site.sources, "db": str(db), "allow_private_hosts": True}
    key = f"nightly/{dt.date.today()}"
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("nightly/nightly")
        twins = [client.create_flow_run_from_deployment(deployment.id, parameters=parameters, idempotency_key=key),
                 client.create_flow_run_from_deployment(deployment.id, parameters=parameters)]
        duplicate = client.create_flow_run_from_deployment(deployment.id, parameters=parameters, idempotency_key=key)
        finals = [_wait(lambda run=run: _final(client, run.id), 300, "both nights") for run in twins]
        logs = [_messages(client, run.id) for run in twins]
        artifacts = [{a.key for a in client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(
            any_=[run.id])))} for run in twins]
    assert duplicate.id == twins[0].id  # the same key again: the server hands back the same run
    assert all(state.is_completed() for state in finals), finals
    assert twins[0].parameters["db"] == str(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT kind, outcome FROM core.runs").fetchall() == [("nightly", "completed")], logs
    skipped = [any("already loaded by run" in message for message in run_logs) for run_logs in logs]
    assert sorted(skipped) == [False, True], logs
    loaded = skipped.index(False)
    assert {"run-summary", "validation-summary"} <= artifacts[loaded]
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM mart.articles").fetchone() == (35, 35)
    (parameters_json,) = con.execute("SELECT parameters FROM core.runs").fetchone()
    assert json.loads(parameters_json)["idempotency_key"].startswith("nightly/")
    _assert_each_fact_once(db)


def test_overlapping_backfills_write_one_at_a_time_and_load_each_article_once(served: Served, dev_site,
                                                                              tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    common = {"sources": dev_site.sources, "db": str(db), "allow_private_hosts": True, "partition": "month"}
    windows = [{"since": "2024-10-01", "until": "2024-11-30"}, {"since": "2024-11-01", "until": "2024-12-31"}]
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("backfill/backfill")
        runs = [client.create_flow_run_from_deployment(deployment.id, parameters=common | window)
                for window in windows]
        finals = [_wait(lambda run=run: _final(client, run.id), 400, "both backfills") for run in runs]
        children = [child for run in runs for child in _children(client, run.id)]
        logs = [message for child in children for message in _messages(client, child.id)]
    assert all(state.is_completed() for state in finals), finals
    assert len(children) == 4 and all(child.state.is_completed() for child in children)
    assert not [message for message in logs if "being written by another process" in message]
    assert sum("already loaded by run" in message for message in logs) == 1  # November is in both windows
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM mart.articles").fetchone() == (10, 10)
    writes = con.execute("SELECT started_at, ended_at FROM core.runs WHERE outcome = 'completed' "
                         "ORDER BY started_at").fetchall()
    assert len(writes) == 3  # October, November, December
    assert all(ended <= next_started for (_, ended), (next_started, _) in zip(writes, writes[1:], strict=False))
    _assert_each_fact_once(db)


@pytest.fixture(scope="module")
def fanned_out(served: Served, dev_site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The WINDOW backfilled with fan_out: one run of the backfill-partition deployment per month."""
    db = tmp_path_factory.mktemp("fanned-out") / "w.duckdb"
    parameters = WINDOW | {"sources": dev_site.sources, "db": str(db), "allow_private_hosts": True,
                           "partition": "month", "fan_out": True}
    parent = run_deployment("backfill/backfill", parameters=parameters, timeout=400, poll_interval=1,
                            as_subflow=False)
    assert parent.state.is_completed(), parent.state
    return db


def test_fanned_out_backfill_runs_each_partition_as_a_deployment_run(fanned_out: Path) -> None:
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("backfill-partition/backfill-partition")
        runs = [run for run in client.read_flow_runs(deployment_filter=DeploymentFilter(
            id=DeploymentFilterId(any_=[deployment.id]))) if run.parameters["db"] == str(fanned_out)]
    assert sorted((run.parameters["since"], run.parameters["until"]) for run in runs) == [
        ("2024-10-01", "2024-10-31"), ("2024-11-01", "2024-11-30")]
    assert all(run.state.is_completed() for run in runs)
    con = duckdb.connect(str(fanned_out), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM mart.articles").fetchone() == (5, 5)
    assert con.execute("SELECT count(*) FROM core.runs WHERE outcome = 'completed'").fetchone()[0] == 2


def _assert_each_fact_once(db: Path) -> None:
    for table, exclude in (("mart.fact_mentions", {"mention_id", "run_id"}), ("mart.facts", EPHEMERAL)):
        rows = [repr(row) for row in table_rows(db, table, exclude)]  # parties are lists: compare their text
        assert rows and len(rows) == len(set(rows)), table


def _messages(client, flow_run_id) -> list[str]:
    """The log lines of a finished flow run, once they have all reached the server (the
    runner ships them in batches, the last after the final state)."""
    def read() -> list[str]:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        return [log.message for log in sorted(logs, key=lambda log: log.timestamp)]

    return _wait(lambda: (lines := read()) and "Finished in state" in lines[-1] and lines, 60, "the run's last log")


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


def _final(client, flow_run_id):
    state = client.read_flow_run(flow_run_id).state
    return state if state.is_final() else None


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


def test_killed_worker_then_another_worker_ends_as_a_clean_run(served: Served, dev_site, tmp_path) -> None:
    """Last in the module: it kills the module's worker and leaves another in its place.
    The clean run loads the partitions in the same order (history rows closed along the way
    depend on it), so it is a plain backfill, not the fanned-out one."""
    clean, db = tmp_path / "clean.duckdb", tmp_path / "w.duckdb"
    parameters = WINDOW | {"sources": dev_site.sources, "allow_private_hosts": True, "partition": "month"}
    reference = run_deployment("backfill/backfill", parameters=parameters | {"db": str(clean)}, timeout=300,
                               poll_interval=1, as_subflow=False)
    assert reference.state.is_completed(), reference.state
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("backfill/backfill")
        first = client.create_flow_run_from_deployment(deployment.id, parameters=parameters | {"db": str(db)})
        _wait(lambda: any(r.state.is_completed() for r in _children(client, first.id)), 240, "first partition")
    os.killpg(served.deploy.pid, signal.SIGKILL)  # the worker and the flow run it was executing
    served.deploy.wait(timeout=30)
    served.restart_worker()

    rerun = run_deployment("backfill/backfill", parameters=parameters | {"db": str(db)}, timeout=400,
                           poll_interval=1, as_subflow=False)
    assert rerun.state.is_completed(), rerun.state
    with get_client(sync_client=True) as client:
        crashed = _wait(lambda: _final(client, first.id), 180, "the killed run marked Crashed")
        children = sorted(_children(client, rerun.id), key=lambda r: r.name)
        skipped = [any("already loaded by run" in m for m in _messages(client, child.id)) for child in children]
    assert crashed.is_crashed(), crashed
    assert [child.name for child in children] == [
        "backfill-2024-10-01..2024-10-31", "backfill-2024-11-01..2024-11-30"]
    assert skipped[0] is True  # the partition loaded before the kill is not loaded again
    for table in TABLES:
        assert table_rows(db, table, EPHEMERAL) == table_rows(clean, table, EPHEMERAL), table
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM core.runs WHERE outcome = 'completed'").fetchone()[0] == 2
