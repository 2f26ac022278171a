"""Running newsledger as production does: a Prefect server, the deployments of prefect.yaml
served from this machine, one warehouse-write slot and one effect per logical date.

- ``server_command``/``server_environment``: a local Prefect server on loopback whose
  database lives under ``data/prefect/`` (``newsledger server``).
- ``serve_deployments``: registers the deployments of ``prefect.yaml`` on the server named
  by PREFECT_API_URL (local, self-hosted or Prefect Cloud), creates the global concurrency
  limit ``newsledger-warehouse-write`` and the automation that marks runs without
  heartbeats as Crashed, then serves them (``newsledger deploy``).
- ``idempotency_key``/``completed_run``/``warehouse_slot``: what a flow checks before it
  writes, so that a logical date is loaded once and two runs never write at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import logging
import os
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

    from warehouse.db import Target

ROOT = Path(__file__).resolve().parents[1]
DEPLOYMENTS_FILE = ROOT / "prefect.yaml"
DEFAULT_HOME = Path("data/prefect")
DEFAULT_API_URL = "http://127.0.0.1:4200/api"
WAREHOUSE_SLOT = "newsledger-warehouse-write"
ZOMBIE_AUTOMATION = "newsledger-crash-runs-without-heartbeat"
HEARTBEAT_S = 30  # Prefect's least heartbeat interval; a run silent for 3 of them is Crashed
SLOT_LEASE_S = 60  # the server's least lease: a killed writer's slot is free again within ~75 s
QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


def server_environment(home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a local Prefect server whose settings and SQLite database live in ``home``."""
    home = home.resolve()
    env = dict(os.environ if base is None else base) | QUIET
    env |= {"PREFECT_HOME": str(home),
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}"}
    env.pop("PREFECT_API_URL", None)  # the server must not talk to another server
    return env


def server_command(host: str, port: int) -> list[str]:
    """The ``prefect server start`` command line for ``host:port``."""
    return ["prefect", "server", "start", "--host", host, "--port", str(port)]


def wait_healthy(api_url: str, timeout_s: float = 120.0) -> float:
    """Wait until ``<api_url>/health`` answers; returns the seconds waited. Raises
    TimeoutError when the server does not answer within ``timeout_s``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.5)
    msg = f"no Prefect server answered at {api_url} within {timeout_s:.0f} s: is `newsledger server` running?"
    raise TimeoutError(msg)


def deployment_specs(path: Path = DEPLOYMENTS_FILE) -> list[dict[str, Any]]:
    """The ``deployments:`` entries of prefect.yaml."""
    return list(yaml.safe_load(path.read_text())["deployments"])


def runner_deployments(specs: list[dict[str, Any]]) -> list[RunnerDeployment]:
    """One served deployment per prefect.yaml entry: its flow, schedule, parameters, description."""
    from prefect.schedules import Cron

    deployments = []
    for spec in specs:
        module, name = spec["entrypoint"].split(":")
        flow = getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), name)
        schedules = [Cron(s["cron"], timezone=s.get("timezone", "UTC")) for s in spec.get("schedules", [])]
        deployments.append(flow.to_deployment(
            name=spec["name"], description=spec.get("description"), parameters=spec.get("parameters", {}),
            schedules=schedules or None, tags=spec.get("tags"),
        ))
    return deployments


def ensure_server_objects() -> None:
    """Create, when missing, the warehouse-write limit (1 slot) and the automation that
    marks a flow run Crashed when its heartbeats stop (its process was killed)."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(WAREHOUSE_SLOT, 1)
        if not client.read_automations_by_name(ZOMBIE_AUTOMATION):
            _zombie_automation().create()


def _zombie_automation():
    """Prefect's documented zombie detection: no heartbeat nor final state for 3 heartbeats."""
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    finals = {f"prefect.flow-run.{state}" for state in ("Completed", "Failed", "Cancelled", "Crashed")}
    return Automation(
        name=ZOMBIE_AUTOMATION,
        description="Mark newsledger flow runs whose process stopped sending heartbeats as Crashed.",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"}, expect={"prefect.flow-run.heartbeat"} | finals,
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1,
            within=dt.timedelta(seconds=3 * HEARTBEAT_S),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, message="No heartbeat: the run's process is gone.")],
    )


def serve_deployments(api_url: str, limit: int | None = None) -> None:
    """Register the deployments of prefect.yaml on ``api_url`` and run them from this
    process until interrupted. Flow runs send a heartbeat every HEARTBEAT_S seconds."""
    # flow runs inherit this environment: their INFO lines (skips, waits) reach the server's logs
    os.environ |= {"PREFECT_API_URL": api_url, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_S),
                   "PREFECT_LOGGING_LEVEL": "INFO"}
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: HEARTBEAT_S}):
        wait_healthy(api_url, timeout_s=150)  # a server started at the same time migrates first
        ensure_server_objects()
        serve(*runner_deployments(deployment_specs()), limit=limit, print_starting_message=True)


def create_backfill_run(parameters: dict[str, Any], deployment: str = "backfill/backfill") -> tuple[str, str]:
    """Create a flow run of the backfill deployment on the configured server; returns its
    (id, name). Raises prefect.exceptions.ObjectNotFound when nothing is deployed there."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        found = client.read_deployment_by_name(deployment)
        flow_run = client.create_flow_run_from_deployment(found.id, parameters=parameters)
    return str(flow_run.id), flow_run.name


def idempotency_key(deployment: str, logical: str, sources: list[str]) -> str:
    """``<deployment>/<logical date or window>/<sources hash>``: a run's identity, so that a
    duplicate run of the same night (or partition) knows it has nothing to do."""
    digest = hashlib.sha256("\n".join(sorted(sources)).encode()).hexdigest()[:8]
    return f"{deployment}/{logical}/{digest}"


def completed_run(db: Target, key: str) -> str | None:
    """The run_id of a completed run in ``core.runs`` of the warehouse ``db`` (a file or a
    ``DuckLake``) that carries idempotency ``key``, if any."""
    from warehouse.db import open_warehouse, read_sql, warehouse_exists

    if not warehouse_exists(db):
        return None
    with open_warehouse(db, read_only=True, wait_s=120) as con:
        if not con.execute(read_sql("runs_table_exists")).fetchone()[0]:
            return None
        found = con.execute(read_sql("completed_run"), {"key": key}).fetchone()
    return found[0] if found else None


@contextmanager
def warehouse_slot(logger: logging.Logger | logging.LoggerAdapter) -> Iterator[None]:
    """Hold the one ``newsledger-warehouse-write`` slot of the configured Prefect server
    while writing; without a server (a temporary one) the warehouse file lock serialises
    writers and the slot is skipped."""
    from prefect.settings import PREFECT_API_URL

    from flows.temporary_api import is_temporary

    if not PREFECT_API_URL.value() or is_temporary(PREFECT_API_URL.value()):
        logger.info("no Prefect server configured: the warehouse file lock serialises writers")
        yield
        return
    from prefect import get_client
    from prefect.concurrency.sync import concurrency
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            held = client.read_global_concurrency_limit_by_name(WAREHOUSE_SLOT)
    except ObjectNotFound:
        logger.warning("no %s limit on the server (run `newsledger deploy`): writing without it", WAREHOUSE_SLOT)
        yield
        return
    if held.active_slots >= held.limit:
        logger.info("waiting for the warehouse-write slot %s: another run is writing", WAREHOUSE_SLOT)
    started = time.monotonic()
    with concurrency(WAREHOUSE_SLOT, occupy=1, lease_duration=SLOT_LEASE_S, strict=False):
        logger.info("took the warehouse-write slot after %.1f s", time.monotonic() - started)
        yield
