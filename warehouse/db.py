"""DuckDB access: connections, recorded migrations, views, and the one-transaction load.

SQL lives in ``warehouse/migrations``, ``warehouse/views`` and ``warehouse/sql``; values
are bound as parameters, never formatted into the text (but the path in the ATTACH of a
warehouse file, which takes no parameters: quoted as a literal).

The warehouse is a *target*: a DuckDB file (a ``Path``), or a DuckLake (``DuckLake``: a
catalog database and a data path of Parquet files), attached to an in-memory DuckDB
session as ``lake`` and made the default catalog, so that the same migrations, views and
loads apply to both. DuckLake keeps only ``NOT NULL`` constraints and no comments on view
columns or macros; ``_for_lake`` adapts the one schema to it (see ``docs/scaling.md``).
Each write to a DuckLake is one snapshot, labelled with a commit message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from transforms.registry import Registry

_PARAM = re.compile(r"\$(\w+)")
LOAD_DELAY_ENV = "NEWSLEDGER_TEST_LOAD_DELAY_S"  # fault injection: hold the load transaction open
_PACKAGE = resources.files("warehouse")
LAKE_PREFIX = "ducklake:"
LAKE_ALIAS = "lake"  # the catalog name a DuckLake warehouse is attached as (see warehouse/sql/attach_lake.sql)
COMMIT_AUTHOR = "newsledger"
_SERVER_CATALOG = re.compile(r"^(postgres|mysql|sqlite):", re.IGNORECASE)
# DuckLake supports NOT NULL only: key constraints are dropped from the DDL on a lake.
_KEY_CONSTRAINT = re.compile(r",\s*PRIMARY KEY\s*\([^)]*\)|\s+(?:PRIMARY KEY|UNIQUE)\b")
# DuckLake stores comments on tables and views, not on view columns nor on macros.
_LAKE_UNSUPPORTED = re.compile(r"^\s*COMMENT\s+ON\s+(?:COLUMN|MACRO)\b", re.IGNORECASE)
# DuckLake stores a macro parameter's default as a constant (now() frozen when created, a NULL
# as the text 'NULL'), so on a lake the mart macros live in each session, in memory.mart.
_MART_MACRO = re.compile(r"^(CREATE\s+OR\s+REPLACE\s+MACRO\s+)mart\.", re.IGNORECASE)
# Rows per row group of what a load writes to a warehouse file: a checkpoint rewrites the
# row group a load appended to, so its size bounds the load's memory (see _attach_for_writing).
ROW_GROUP_SIZE = 4096  # filled into warehouse/sql/attach_file.sql
WRITE_ALIAS = "warehouse"  # the catalog name of a warehouse file in a write session (attach_file.sql)
_MIGRATIONS_DDL = ("CREATE TABLE IF NOT EXISTS main.schema_migrations "
                   "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")


@dataclass(frozen=True)
class DuckLake:
    """A DuckLake warehouse: ``catalog`` is a DuckDB catalog file, or ``postgres:<libpq DSN>``
    (``sqlite:<file>``, ``mysql:<DSN>``); ``data_path`` is the folder or object-storage URL
    (``s3://bucket/prefix/``) holding its Parquet files."""

    catalog: str
    data_path: str

    @property
    def catalog_file(self) -> Path | None:
        """The local DuckDB catalog file; None for a catalog in a database server or SQLite."""
        return None if _SERVER_CATALOG.match(self.catalog) else Path(self.catalog)

    def __str__(self) -> str:
        return f"{LAKE_PREFIX}{self.catalog}"


Target = Path | DuckLake


def parse_target(text: str | Path, data_path: str | None = None) -> Target:
    """``ducklake:<catalog>`` as a ``DuckLake`` with ``data_path`` (default: ``<catalog
    file>.files`` beside a catalog file, as DuckLake names it); anything else as a DuckDB
    file path.

    Raises ValueError for an empty catalog, or a catalog in a database server without a data path.
    """
    text = str(text)
    if not text.startswith(LAKE_PREFIX):
        return Path(text)
    catalog = text.removeprefix(LAKE_PREFIX)
    if not catalog:
        msg = "ducklake: needs a catalog, e.g. ducklake:data/catalog.ducklake or ducklake:postgres:dbname=lake host=db"
        raise ValueError(msg)
    if data_path is None:
        if _SERVER_CATALOG.match(catalog):
            msg = (f"the DuckLake catalog {catalog!r} needs a data path for its Parquet files: "
                   "set NEWSLEDGER_DUCKLAKE_DATA_PATH (a folder or s3://bucket/prefix/)")
            raise ValueError(msg)
        data_path = f"{catalog}.files"
    return DuckLake(catalog, data_path)


def warehouse_exists(target: Target) -> bool:
    """False when the warehouse file (or a DuckLake's catalog file) is absent; a catalog
    in a database server is taken to exist."""
    if isinstance(target, DuckLake):
        return target.catalog_file is None or target.catalog_file.exists()
    return Path(target).exists()


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the connection's default catalog is a DuckLake."""
    found = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return bool(found) and found[0] == "ducklake"


def ducklake_extension() -> Path:
    """The ducklake extension file shipped by the ``duckdb-extension-ducklake`` package for
    this DuckDB version (loaded by path: nothing is downloaded). Raises FileNotFoundError
    when that package is missing or built for another DuckDB version."""
    try:
        root = resources.files("duckdb_extension_ducklake")
    except ModuleNotFoundError as exc:
        msg = f"a ducklake: warehouse needs duckdb-extension-ducklake=={duckdb.__version__}; pip install it"
        raise FileNotFoundError(msg) from exc
    path = Path(str(root / "extensions" / f"v{duckdb.__version__}" / "ducklake.duckdb_extension"))
    if not path.exists():
        msg = f"{path} is missing: install duckdb-extension-ducklake=={duckdb.__version__} to match duckdb"
        raise FileNotFoundError(msg)
    return path


class WarehouseBusy(RuntimeError):
    """The warehouse file is held for writing by another process."""


def read_sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql``."""
    return (_PACKAGE / "sql" / f"{name}.sql").read_text()


def connect(path: Target | str, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (a file, a ``DuckLake`` or its ``ducklake:`` text); retry while
    another process holds its write lock, up to ``wait_s``.

    Raises WarehouseBusy when the lock is still held after ``wait_s`` seconds,
    FileNotFoundError for a read-only open of a file (or catalog file) that does not exist,
    and ValueError for ``ducklake:`` text that names no usable catalog.
    """
    target = parse_target(path) if isinstance(path, str) else path
    if read_only and not warehouse_exists(target):
        msg = f"no warehouse at {target}; run `newsledger run` (or `newsledger demo`) first"
        raise FileNotFoundError(msg)
    local = target.catalog_file if isinstance(target, DuckLake) else Path(target)
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if isinstance(target, DuckLake):
                return _attach_lake(target, read_only)
            con = duckdb.connect(str(path), read_only=True) if read_only else _attach_for_writing(Path(path))
            con.execute("SET TimeZone = 'UTC'")
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    msg = f"{path} is being written by another process (a run's load step); try again in a minute"
                    raise WarehouseBusy(msg) from exc
                raise
            time.sleep(0.2)


def _attach_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """A session with the warehouse file attached for writing as its default catalog
    (WRITE_ALIAS), new row groups of ROW_GROUP_SIZE rows, spilling to ``<path>.tmp`` as a
    plain ``duckdb.connect(path)`` would.

    A checkpoint rewrites the whole row group that a load appended to: with DuckDB's default
    of 122,880 rows that was every article's text at every load (the load of 247 articles
    into a warehouse of 17,681 took 230 MB, 130 of it in the checkpoint; ``make
    bench-memory``). Views and macros name no catalog, so the file reads the same in a
    plain session. ATTACH takes no bound parameters: the path is quoted as a literal and
    the size and the catalog name (WRITE_ALIAS, a plain identifier) written in."""
    con = duckdb.connect(config={"temp_directory": f"{path}.tmp"})
    try:
        literal = "'" + str(path).replace("'", "''") + "'"
        sql = (read_sql("attach_file").replace("{row_group_size}", str(ROW_GROUP_SIZE))
               .replace("{alias}", WRITE_ALIAS).replace("{path}", literal))
        for statement in _statements(sql):
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


def _attach_lake(lake: DuckLake, read_only: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory session with ``lake`` attached (created when new) as its default catalog."""
    con = duckdb.connect()
    try:
        con.load_extension(str(ducklake_extension()))
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET VARIABLE newsledger_catalog = ?", [lake.catalog])
        con.execute("SET VARIABLE newsledger_data_path = ?", [lake.data_path])
        con.execute(read_sql("attach_lake_read_only" if read_only else "attach_lake"))
        if con.execute(read_sql("lake_has_views")).fetchone()[0]:
            _create_session_macros(con)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def open_warehouse(path: Target | str, read_only: bool = False,
                   wait_s: float = 0.0) -> Iterator[duckdb.DuckDBPyConnection]:
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

    Returns the names of the migrations applied now; applying twice is a no-op. On a
    DuckLake each migration is one snapshot, and the views one more only when their text
    changed since the last time they were created.
    """
    lake = is_lake(con)
    if lake:  # one labelled snapshot when the table is new, none when it exists
        con.execute("BEGIN")
        con.execute(_for_lake(_MIGRATIONS_DDL)[0])
        _commit_message(con, "schema_migrations")
        con.execute("COMMIT")
    else:
        con.execute(_MIGRATIONS_DDL)
    done = {row[0] for row in con.execute("SELECT version FROM main.schema_migrations").fetchall()}
    applied = []
    for script in sorted((_PACKAGE / "migrations").iterdir(), key=lambda p: p.name):
        if not script.name.endswith(".sql"):
            continue
        version = int(script.name.split("_", 1)[0])
        if version in done:
            continue
        con.execute("BEGIN")
        for statement in _for_lake(script.read_text()) if lake else [script.read_text()]:
            con.execute(statement)
        con.execute(
            "INSERT INTO main.schema_migrations VALUES (?, ?, ?)",
            [version, script.name, dt.datetime.now(dt.UTC)],
        )
        if lake:
            _commit_message(con, f"migration {script.name}")
        con.execute("COMMIT")
        applied.append(script.name)
    views = [view for view in sorted((_PACKAGE / "views").iterdir(), key=lambda p: p.name)
             if view.name.endswith(".sql")]
    if lake:
        _create_lake_views(con, [view.read_text() for view in views])
        _create_session_macros(con)
    else:
        for view in views:
            con.execute(view.read_text())
    return applied


def _create_lake_views(con: duckdb.DuckDBPyConnection, scripts: list[str]) -> None:
    """Create the views in one snapshot, unless the last views snapshot has the same text."""
    message = "views " + hashlib.sha256("\n".join(scripts).encode()).hexdigest()[:16]
    last = con.execute(read_sql("last_views_commit"), {"catalog": LAKE_ALIAS}).fetchone()
    if last and last[0] == message:
        return
    con.execute("BEGIN")
    try:
        for script in scripts:
            for statement in _for_lake(script):
                if not _MART_MACRO.match(statement):
                    con.execute(statement)
        _commit_message(con, message)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _create_session_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the mart table macros in this session's ``memory.mart``, found as ``mart.<name>``
    through the search path that lake_session_macros.sql sets."""
    con.execute(read_sql("lake_session_macros"))
    for view in sorted((_PACKAGE / "views").iterdir(), key=lambda p: p.name):
        if view.name.endswith(".sql"):
            for statement in _for_lake(view.read_text()):
                if _MART_MACRO.match(statement):
                    con.execute(_MART_MACRO.sub(r"\1memory.mart.", statement))


def _for_lake(sql: str) -> list[str]:
    """The statements of ``sql`` as DuckLake accepts them: key constraints removed, comments
    on view columns and macros left out (DuckLake cannot store them)."""
    statements = [_strip_comments(statement.query) for statement in duckdb.extract_statements(sql)]
    return [_KEY_CONSTRAINT.sub("", statement) for statement in statements if not _LAKE_UNSUPPORTED.match(statement)]


def _strip_comments(sql: str) -> str:
    """``sql`` without its ``--`` comment lines (a dropped constraint must not leave text behind)."""
    return "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--")).strip()


def _commit_message(con: duckdb.DuckDBPyConnection, message: str) -> None:
    """Label the DuckLake snapshot of the open transaction."""
    con.execute("CALL ducklake_set_commit_message(?, ?, ?)", [LAKE_ALIAS, COMMIT_AUTHOR, message])


def execute_script(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    """Run each statement of ``sql`` with the named parameters it uses."""
    for statement in _statements(sql):
        used = {name: params[name] for name in set(_PARAM.findall(statement))}
        con.execute(statement, used)


def load_run(con: duckdb.DuckDBPyConnection, staged: dict[str, Path], run: dict,
             registry: Registry | None = None) -> None:
    """Load one run's staged Parquet files in a single transaction, then record the run.

    ``staged`` maps articles, fact_mentions, pages, fetch_log, crawl_state and quarantine
    to Parquet files; ``run`` holds run_id, kind, started_at, ended_at, parameters,
    counts (JSON strings) and outcome. With ``registry``, the reference tables are
    replaced in the same transaction (``warehouse.reference.replace_reference``). On a
    DuckLake the load is one snapshot, with the commit message ``run <run_id>``. Any
    error rolls the whole load back.
    """
    from warehouse.reference import replace_reference

    params = {name: str(path) for name, path in staged.items()}
    params |= {"run_id": run["run_id"], "known_at": run["ended_at"]}
    con.execute("BEGIN")
    try:
        execute_script(con, read_sql("load_run"), params)  # also fills history_scope
        refresh_history(con, run["run_id"], run["ended_at"], scoped=True)
        record_run(con, run)
        if registry is not None:
            replace_reference(con, registry)
        if is_lake(con):
            _commit_message(con, f"run {run['run_id']}")
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


def refresh_history(con: duckdb.DuckDBPyConnection, run_id: str, known_at: dt.datetime,
                    scoped: bool = False) -> None:
    """Re-cut ``core.fact_history`` to what the fact mentions imply (bitemporal, no deletes):
    every fact, or with ``scoped`` only the facts in the temp table ``history_scope`` (the
    load fills it with the facts of the mentions it replaces or adds), so a load costs what
    the run touched, not what the warehouse holds."""
    if not scoped:
        con.execute(read_sql("history_scope_all"))
    script = read_sql("refresh_history").replace("{desired_history}", read_sql("desired_history"))
    execute_script(con, script, {"run_id": run_id, "known_at": known_at})


def record_run(con: duckdb.DuckDBPyConnection, run: dict) -> None:
    """Insert or update the ``core.runs`` row of a run (delete and insert: DuckLake has no keys)."""
    con.execute("DELETE FROM core.runs WHERE run_id = ?", [run["run_id"]])
    con.execute(
        "INSERT INTO core.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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


def near_duplicate_candidates(con: duckdb.DuckDBPyConnection, signatures: list[list[int]] | list[tuple[int, ...]],
                              bands: int, rows: int, exclude: list[str]) -> list[tuple]:
    """(url, published_at, text_minhash, title) of the stored articles that share an LSH
    band (``bands`` bands of ``rows`` MinHash values) with one of ``signatures``, leaving
    out the URLs in ``exclude``: the stored stories a run's near-duplicate check needs,
    found by a join in the warehouse instead of an index of every stored article."""
    import polars as pl

    frame = pl.DataFrame({"signature": [list(s) for s in signatures]}, schema={"signature": pl.List(pl.UInt64)})
    con.register("new_signatures", frame)
    try:
        return con.execute(read_sql("near_duplicate_candidates"),
                           {"bands": bands, "band_rows": rows, "exclude": exclude}).fetchall()
    finally:
        con.unregister("new_signatures")
