"""Runs that die or overlap lose nothing: `newsledger run` processes on a served dev site.

A run killed with SIGKILL inside its load transaction leaves the warehouse as it was; the
next run then gives the same tables as a clean run. Ctrl-C (SIGINT to the run's process
group) while worker processes extract stops the run in seconds with exit code 130 and a
one-line message, leaves no process and the warehouse as it was, and records why in the
run's summary; the next run again gives a clean run's tables. Two runs started at once on one
warehouse file both complete (the second load waits for the write lock) and leave the same
tables as one clean run. Tables are compared row for row without the columns that name a
run or the moment something happened (EPHEMERAL).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import EPHEMERAL, TABLES, ServedSite, table_rows
from warehouse.db import LOAD_DELAY_ENV

NEWSLEDGER = Path(sys.executable).parent / "newsledger"
HOLD_S = 120  # how long the killed run would hold its write transaction
RUN_TIMEOUT_S = 300


def start_run(site: ServedSite, db: Path, **env: str) -> subprocess.Popen:
    """`newsledger run` over the site's sources, in a process group of its own, taking
    Ctrl-C as a terminal's foreground job does (whatever this process inherited)."""
    sources = [arg for source in site.sources for arg in ("-s", source)]
    return subprocess.Popen([str(NEWSLEDGER), "run", *sources, "--db", str(db), "--allow-private-hosts"],
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def finish(process: subprocess.Popen) -> str:
    """Wait for a run; its output. Fails the test when it did not complete."""
    output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
    assert process.returncode == 0, output
    return output


def write_locked(db: Path) -> bool:
    """True while another process holds the warehouse open for writing."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.Error as exc:
        return "lock" in str(exc).lower()
    return False


def wait_for_write_lock(db: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not write_locked(db):
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "the run never reached its load step"
        time.sleep(0.1)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL what is left of a run's process group (its Prefect server, once orphaned)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def clean_db(dev_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("clean") / "w.duckdb"
    finish(start_run(dev_site, db))
    return db


@pytest.fixture(scope="module")
def killed_then_rerun(dev_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("killed") / "w.duckdb"
    process = start_run(dev_site, db, **{LOAD_DELAY_ENV: str(HOLD_S)})
    try:
        wait_for_write_lock(db, process)
        time.sleep(3)  # the load's statements take well under a second; it now sleeps before COMMIT
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        kill_group(process)
    after_kill = {table: table_rows(db, table, EPHEMERAL)
                  for table in ("core.runs", "core.articles", "core.crawl_state", "raw.fetch_log")}
    finish(start_run(dev_site, db))
    return {"db": db, "returncode": process.returncode, "after_kill": after_kill}


def test_killed_load_commits_nothing(killed_then_rerun: dict) -> None:
    assert killed_then_rerun["returncode"] == -signal.SIGKILL
    assert killed_then_rerun["after_kill"] == {"core.runs": [], "core.articles": [], "core.crawl_state": [],
                                               "raw.fetch_log": []}


@pytest.mark.parametrize("table", [*TABLES, "raw.fetch_log"])
def test_rerun_after_kill_matches_a_clean_run(killed_then_rerun: dict, clean_db: Path, table: str) -> None:
    assert table_rows(killed_then_rerun["db"], table, EPHEMERAL) == table_rows(clean_db, table, EPHEMERAL)
    assert table_rows(clean_db, table, EPHEMERAL) or table == "core.quarantine"


def test_rerun_after_kill_records_one_completed_run(killed_then_rerun: dict) -> None:
    con = duckdb.connect(str(killed_then_rerun["db"]), read_only=True)
    assert con.execute("SELECT kind, outcome FROM core.runs").fetchall() == [("nightly", "completed")]


@pytest.fixture(scope="module")
def concurrent_db(dev_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("concurrent") / "w.duckdb"
    processes = [start_run(dev_site, db), start_run(dev_site, db)]
    try:
        for process in processes:
            finish(process)
    finally:
        for process in processes:
            kill_group(process)
    return db


def test_two_runs_at_once_both_complete(concurrent_db: Path) -> None:
    con = duckdb.connect(str(concurrent_db), read_only=True)
    assert con.execute("SELECT kind, outcome FROM core.runs").fetchall() == [("nightly", "completed")] * 2


@pytest.mark.parametrize("table", TABLES)
def test_two_runs_at_once_leave_one_clean_result(concurrent_db: Path, clean_db: Path, table: str) -> None:
    assert table_rows(concurrent_db, table, EPHEMERAL) == table_rows(clean_db, table, EPHEMERAL)


@pytest.fixture(scope="module")
def interrupted_then_rerun(dev_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("interrupted") / "w.duckdb"
    archive = db.parent / "newsledger-data" / "archive"
    process = start_run(dev_site, db, NEWSLEDGER_PARALLEL_MIN_PAGES="1", NEWSLEDGER_BATCH_SIZE="4")
    try:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not any(archive.glob("*/*.gz")):  # pages fetched: the workers start or extract
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()[0]
            time.sleep(0.05)
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground process group
        interrupted = time.monotonic()
        output, _ = process.communicate(timeout=120)
        seconds = time.monotonic() - interrupted
        time.sleep(1)
        group_left = _group_alive(process.pid)
    finally:
        kill_group(process)
    summaries = [json.loads(path.read_text()) for path in (db.parent / "reports").glob("*/summary.json")]
    after = {table: table_rows(db, table, EPHEMERAL) for table in ("core.runs", "core.articles")} \
        if db.exists() else {}
    finish(start_run(dev_site, db))
    return {"db": db, "returncode": process.returncode, "output": output, "seconds": seconds,
            "group_left": group_left, "summaries": summaries, "after": after}


def _group_alive(pgid: int) -> bool:
    """True while a process of the group runs (zombies, exited but not reaped, do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _, _, group = stat.read_text().rsplit(")", 1)[1].split()[:4]
            if int(group) == pgid and state != "Z":
                return True
    return False


def test_interrupted_run_stops_with_one_line(interrupted_then_rerun: dict) -> None:
    run = interrupted_then_rerun
    assert run["returncode"] == 130, run["output"]
    said = " ".join(run["output"].split())  # the console wraps long lines
    assert "interrupted; nothing was loaded" in said and "run the same command again" in said
    assert "partition" not in said  # a plain run has none: that tail is the backfill's
    assert "Traceback" not in run["output"] and "Connection refused" not in run["output"]
    assert run["seconds"] < 60
    assert not run["group_left"]  # workers and all


def test_interrupted_run_loads_nothing_and_says_why(interrupted_then_rerun: dict) -> None:
    assert all(not rows for rows in interrupted_then_rerun["after"].values())
    assert [(s["outcome"], s["error"]) for s in interrupted_then_rerun["summaries"]] == [("failed", "interrupted")]


@pytest.mark.parametrize("table", TABLES)
def test_rerun_after_interrupt_matches_a_clean_run(interrupted_then_rerun: dict, clean_db: Path, table: str) -> None:
    assert table_rows(interrupted_then_rerun["db"], table, EPHEMERAL) == table_rows(clean_db, table, EPHEMERAL)
