"""One typed settings object for every flow and command (environment prefix NEWSLEDGER_)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from warehouse.db import LAKE_PREFIX, DuckLake, Target, parse_target

TaskRunnerName = Literal["local", "dask"]


class Settings(BaseSettings):
    """Runtime settings; each can be set as NEWSLEDGER_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="NEWSLEDGER_", extra="forbid")

    db: Path = Field(Path("data/newsledger.duckdb"), description="DuckDB warehouse file.")
    warehouse: str | None = Field(
        None, description="Warehouse instead of the file `db`: 'ducklake:<catalog>' for a DuckLake (a DuckDB catalog "
                          "file, or 'postgres:dbname=... host=...'), or a DuckDB file path.",
    )
    ducklake_data_path: str | None = Field(
        None, description="Parquet files of a ducklake: warehouse, a folder or 's3://bucket/prefix/'; default: "
                          "'<catalog file>.files' beside a catalog file (required for a catalog in PostgreSQL).",
    )
    data_dir: Path | None = Field(
        None, description="Raw archive and run staging; default: a 'newsledger-data' folder beside the warehouse file."
    )
    reports: Path | None = Field(None, description="Run reports; default: 'reports/' beside the warehouse file.")
    user_agent: str = Field(
        "newsledger/0.1 (+https://github.com/newsledger/newsledger; crawler contact page)",
        description="User-Agent sent with every request, with a contact URL.",
    )
    allow_private_hosts: bool = Field(False, description="Allow fetching loopback and private addresses.")
    connect_timeout_s: float = Field(5.0, description="TCP connect timeout, seconds.")
    read_timeout_s: float = Field(15.0, description="Timeout between two reads, seconds.")
    total_timeout_s: float = Field(30.0, description="Whole-request deadline, seconds.")
    retries: int = Field(3, description="Retries per request for timeouts, 429 and 5xx.")
    backoff_s: float = Field(0.5, description="First retry delay, seconds; doubles each retry, with jitter.")
    max_retry_after_s: float = Field(30.0, description="Longest Retry-After honoured, seconds.")
    max_bytes: int = Field(8_000_000, description="Largest response body accepted, bytes.")
    concurrency: int = Field(8, description="Requests in flight at once, all hosts together.")
    per_host_concurrency: int = Field(4, description="Requests in flight at once per host.")
    per_host_delay_s: float = Field(
        0.0, description="Least delay between two requests to one host, seconds (robots Crawl-delay wins when larger)."
    )
    max_attempts: int = Field(5, description="Runs that may fail to fetch a URL before it is given up.")
    retry_backoff_h: float = Field(
        1.0, description="Hours a failed URL waits before the next run retries it; doubles per failed attempt."
    )
    batch_size: int = Field(100, gt=0, description="Pages per extraction batch (one batch per worker at a time).")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="Extraction worker processes (1: in the flow's process); with task_runner 'dask', the batches "
                    "in flight at once (set it to the cluster's worker threads).",
    )
    task_runner: TaskRunnerName = Field(
        "local",
        description="Where extraction batches run: 'local' (worker processes of this machine) or 'dask' (one "
                    "Prefect task per batch on a Dask cluster, through prefect-dask).",
    )
    dask_address: str | None = Field(
        None,
        description="Dask scheduler for task_runner 'dask' (tcp://host:8786); none: a local cluster of `workers` "
                    "processes, started for the run.",
    )
    parallel_min_pages: int = Field(
        150, description="Fewest pages to fetch before worker processes are started (they take seconds to start)."
    )
    gate_min_article_share: float = Field(
        0.3, description="Batch gate: least share of fetched pages that become articles (checked from gate_min_pages; "
                         "pages unchanged, outside a backfill window or not in English are not counted)."
    )
    gate_min_pages: int = Field(20, description="Fetched pages needed before the article-share gate is checked.")
    gate_min_fact_article_share: float = Field(
        0.1, description="Batch gate: least share of articles with at least one fact (checked from 10 articles)."
    )
    gate_min_fact_pass_share: float = Field(
        0.5, description="Batch gate: least share of fact mentions passing validation (checked from 5 facts)."
    )
    clock: dt.datetime | None = Field(
        None, description="The run's time (UTC) instead of now: pages are judged against it (tests, re-processing)."
    )

    def target(self) -> Target:
        """The warehouse: ``warehouse`` parsed (a ``DuckLake`` or a file path), else the file ``db``.

        Raises ValueError for a ducklake: catalog in a database server without ``ducklake_data_path``.
        """
        return parse_target(self.warehouse, self.ducklake_data_path) if self.warehouse else self.db

    def resolved_data_dir(self) -> Path:
        """The data folder (raw archive, crawl staging)."""
        return self.data_dir or self._home() / "newsledger-data"

    def resolved_reports(self) -> Path:
        """The reports folder: one sub-folder per run."""
        return self.reports or self._home() / "reports"

    def _home(self) -> Path:
        """The folder of the warehouse file or DuckLake catalog file; that of ``db`` for a catalog on a server."""
        target = self.target()
        if isinstance(target, DuckLake):
            return target.catalog_file.parent if target.catalog_file else self.db.parent
        return target.parent


def settings_with(db: str | Path | None = None, **given: object) -> Settings:
    """The environment's settings, overridden by the values ``given`` that are set (None and
    False leave the environment's): what a command's options or a flow's parameters ask for.
    ``db`` may name a DuckLake (``ducklake:<catalog>`` sets ``warehouse``) or a DuckDB file.

    Raises pydantic.ValidationError for an unknown setting or a value of the wrong type.
    """
    overrides = {name: value for name, value in given.items() if value is not None and value is not False}
    if db:
        text = str(db)
        overrides |= {"warehouse": text} if text.startswith(LAKE_PREFIX) else {"db": Path(text)}
    return Settings(**overrides)
