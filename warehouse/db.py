"""DuckDB access: connections, recorded migrations, views, and the one-transaction load.

SQL lives in ``warehouse/migrations``, ``warehouse/views`` and ``warehouse/sql``; values
are bound as parameters, never formatted into the text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

_PARAM = re.compile(r"\$(\w+)")
LOAD_DELAY_ENV = "NEWSLEDGER_TEST_LOAD_DELAY_S"  # fault injection: hold the load transaction open
_PACKAGE = resources.files("warehouse")


class WarehouseBusy(RuntimeError):
    """The warehouse file is held for writing by another process."""


def read_sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql``."""
    return (_PACKAGE / "sql" / f"{name}.sql").read_text()


def connect(path: Path, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; retry while another process holds its write lock, up to ``wait_s``.

    Raises WarehouseBusy when the lock is still held after ``wait_s`` seconds, and
    FileNotFoundError for a read-only open of a file that does not exist.
    """
    if read_only and not Path(path).exists():
        msg = f"no warehouse at {path}; run `newsledger run` (or `newsledger demo`) first"
        raise FileNotFoundError(msg)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            con.execute("SET TimeZone = 'UTC'")
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    msg = f"{path} is being written by another process (a run's load step); try again in a minute"
                    raise WarehouseBusy(msg) from exc
                raise
            time.sleep(0.2)


@contextmanager
def open_warehouse(path: Path, read_only: bool = False, wait_s: float = 0.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Context manager around ``connect``; migrates first when opened for writing."""
    con = connect(path, read_only=read_only, wait_s=wait_s)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the numbered migrations not yet recorded, then (re)create the views.

    Returns the names of the migrations applied now; applying twice is a no-op.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS main.schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM main.schema_migrations").fetchall()}
    applied = []
    for script in sorted((_PACKAGE / "migrations").iterdir(), key=lambda p: p.name):
        if not script.name.endswith(".sql"):
            continue
        version = int(script.name.split("_", 1)[0])
        if version in done:
            continue
        con.execute("BEGIN")
        con.execute(script.read_text())
        con.execute(
            "INSERT INTO main.schema_migrations VALUES (?, ?, ?)",
            [version, script.name, dt.datetime.now(dt.UTC)],
        )
        con.execute("COMMIT")
        applied.append(script.name)
    for view in sorted((_PACKAGE / "views").iterdir(), key=lambda p: p.name):
        if view.name.endswith(".sql"):
            con.execute(view.read_text())
    return applied


def execute_script(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    """Run each statement of ``sql`` with the named parameters it uses."""
    for statement in _statements(sql):
        used = {name: params[name] for name in set(_PARAM.findall(statement))}
        con.execute(statement, used)


def load_run(con: duckdb.DuckDBPyConnection, staged: dict[str, Path], run: dict) -> None:
    """Load one run's staged Parquet files in a single transaction, then record the run.

    ``staged`` maps articles, fact_mentions, pages, fetch_log, crawl_state and quarantine
    to Parquet files; ``run`` holds run_id, kind, started_at, ended_at, parameters,
    counts (JSON strings) and outcome. Any error rolls the whole load back.
    """
    params = {name: str(path) for name, path in staged.items()}
    params |= {"run_id": run["run_id"], "known_at": run["ended_at"]}
    con.execute("BEGIN")
    try:
        execute_script(con, read_sql("load_run"), params)
        refresh_history(con, run["run_id"], run["ended_at"])
        record_run(con, run)
        _hold_for_fault_tests()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _hold_for_fault_tests() -> None:
    """Sleep before the commit for NEWSLEDGER_TEST_LOAD_DELAY_S seconds, when set, so a test
    can kill a run inside its write transaction; unset, nothing happens."""
    delay = os.environ.get(LOAD_DELAY_ENV)
    if delay:
        time.sleep(float(delay))


def refresh_history(con: duckdb.DuckDBPyConnection, run_id: str, known_at: dt.datetime) -> None:
    """Re-cut ``core.fact_history`` to what the fact mentions imply (bitemporal, no deletes)."""
    script = read_sql("refresh_history").replace("{desired_history}", read_sql("desired_history"))
    execute_script(con, script, {"run_id": run_id, "known_at": known_at})


def record_run(con: duckdb.DuckDBPyConnection, run: dict) -> None:
    """Insert or update the ``core.runs`` row of a run."""
    con.execute(
        "INSERT OR REPLACE INTO core.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run["run_id"], run["kind"], run["started_at"], run.get("ended_at"), run.get("parameters"),
         run.get("counts"), run["outcome"], run.get("error")],
    )


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def list_quarantine(con: duckdb.DuckDBPyConnection, run_id: str | None = None):
    """Unreleased quarantined rows (all runs, or one) as a polars frame: dataset, run_id,
    row_key, failed_expectations, quarantined_at, row (JSON)."""
    return con.execute(read_sql("list_quarantine"), {"run_id": run_id}).pl()


def release_quarantine(con: duckdb.DuckDBPyConnection, run_id: str | None, released_at: dt.datetime) -> None:
    """Release unreleased quarantined rows so the next run re-fetches and re-processes their
    pages (one transaction)."""
    con.execute("BEGIN")
    try:
        execute_script(con, read_sql("release_quarantine"), {"run_id": run_id, "released_at": released_at})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
