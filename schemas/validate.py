"""Row-level validation with Great Expectations: quarantine, batch gates and Data Docs.

``validate_rows`` runs a dataset's suite (``schemas.suites``) over a polars frame and splits
it into rows that pass every expectation and quarantined rows that name what they failed.
``check_gates`` bounds run-level shares (pages -> articles -> facts) and ``build_data_docs``
renders a run's validation results as HTML.

One ephemeral GE context serves the process (created on first use, progress bars and
logging quiet); polars frames become pandas only inside this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
import polars as pl
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from schemas.suites import GATE_SHARES, KEY_COLUMNS, KNOWN_REGIONS, RUN_TIME, SUITES, add_check_columns, run_gates_suite

QUARANTINE = pl.Schema({
    "dataset": pl.String,
    "row_key": pl.String,                     # the dataset's key column, or "#<row>" when null
    "row": pl.String,                         # JSON object of the input row, dates ISO 8601
    "failed_expectations": pl.List(pl.String),  # expectation descriptions, in suite order
})

GATE_COUNTS = ("pages_fetched", "articles", "articles_with_facts", "facts", "facts_passed")
"""The run counts ``check_gates`` reads from its ``metrics``."""

# Every failing row's index, but no copies of the failing values (the quarantine keeps the
# rows): value lists cost a quarter of the validation time and bloat Data Docs.
_RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "return_unexpected_index_query": False,
    "exclude_unexpected_values": True,
}
_DOCS_SITE = "run_data_docs"
_LOCK = threading.Lock()  # one GE context per process: creation and use are serialised


class ValidationError(RuntimeError):
    """An expectation could not be evaluated (missing column, wrong dtype): no row verdict."""


@dataclass(frozen=True)
class Validation:
    """The outcome of ``validate_rows`` for one dataset frame.

    ``passed`` has the input's schema; ``quarantined`` has schema ``QUARANTINE``;
    ``summary`` is ``{"dataset", "evaluated", "passed", "quarantined", "failures", "seconds"}``
    where ``failures`` maps each expectation description to its failing row count.
    ``result`` is GE's suite validation result (input of ``build_data_docs``).
    """

    dataset: str
    run_time: dt.datetime
    passed: pl.DataFrame
    quarantined: pl.DataFrame
    summary: dict[str, Any]
    result: ExpectationSuiteValidationResult = field(repr=False)


@dataclass(frozen=True)
class GateBounds:
    """Lower bounds of run-level shares, each checked only from a minimum count.

    ``min_article_share``: articles / pages fetched (from ``min_pages_for_article_share`` pages);
    ``min_fact_article_share``: articles with >= 1 fact / articles (from
    ``min_articles_for_fact_share`` articles); ``min_fact_pass_share``: fact mentions that
    passed validation / fact mentions (from ``min_facts_for_pass_share`` mentions).
    """

    min_article_share: float = 0.3
    min_fact_article_share: float = 0.1
    min_fact_pass_share: float = 0.5
    min_pages_for_article_share: int = 1
    min_articles_for_fact_share: int = 10
    min_facts_for_pass_share: int = 5


@dataclass(frozen=True)
class GateFailure:
    """One batch gate a run failed: the share (key of ``GATE_SHARES`` and its words), its
    value and the bound it fell below."""

    metric: str
    gate: str
    value: float
    minimum: float

    @property
    def message(self) -> str:
        return f"{self.gate} is {self.value:.2f}, below the minimum {self.minimum:.2f}"


class GateFailed(Exception):
    """A run failed one or more batch gates; ``failures`` lists them."""

    def __init__(self, failures: list[GateFailure]) -> None:
        self.failures = failures
        super().__init__("; ".join(f.message for f in failures))


@dataclass(frozen=True)
class _Gx:
    """The process's GE context with its registered suites and batch definitions."""

    context: EphemeralDataContext
    suites: dict[str, gx.ExpectationSuite]
    columns: dict[str, list[str]]
    batches: dict[str, BatchDefinition]


def _quiet_loggers() -> None:
    """GE sets INFO on some of its own loggers (e.g. temporary-folder notices): raise them all."""
    names = [name for name in logging.root.manager.loggerDict if name.startswith("great_expectations")]
    for name in ["great_expectations", *names]:
        logging.getLogger(name).setLevel(logging.ERROR)


@functools.cache
def _gx() -> _Gx:
    """Create the ephemeral context once per process and register every suite (call under _LOCK)."""
    _quiet_loggers()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("newsledger")
    builders = {**SUITES, "run_gates": run_gates_suite}
    suites = {name: context.suites.add(build()) for name, build in builders.items()}
    batches = {
        name: source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")
        for name in builders
    }
    columns = {name: _suite_columns(suite) for name, suite in suites.items()}
    return _Gx(context, suites, columns, batches)


def _suite_columns(suite: gx.ExpectationSuite) -> list[str]:
    """The columns a suite's expectations and row conditions read, in first-use order."""
    names: dict[str, None] = {}
    for expectation in suite.expectations:
        names[expectation.column] = None
        condition = expectation.row_condition
        if condition is not None:
            names[condition.column.name] = None
    return list(names)


def warm_up() -> None:
    """Build the GE context and its suites now (the first GE import costs seconds), so a run
    can do it in a background thread while it waits on the network."""
    with _LOCK:
        _gx()


def validate_rows(
    dataset: str,
    frame: pl.DataFrame,
    run_time: dt.datetime,
    context_data: Mapping[str, Any] | None = None,
) -> Validation:
    """Validate ``frame`` row by row against the suite of ``dataset``.

    ``dataset`` is ``"articles"`` (``ARTICLES`` columns) or ``"fact_mentions"``
    (``FACT_MENTIONS`` columns). ``run_time`` (tz-aware) is the run's time: articles
    published after it fail. ``context_data`` is needed for ``fact_mentions`` only:
      ``"articles"``: pl.DataFrame with ``article_id``, ``title``, ``text`` (the run's
      articles that passed validation); evidence must be a substring of the title or text;
      ``"known_regions"``: iterable of str, the countries and macro-regions an expansion
      may name (places.csv names of kind country and region).

    Returns a ``Validation``; input rows keep their order in ``passed``.
    Raises ValueError (unknown dataset, naive ``run_time``, missing columns or ``context_data``) and
    ValidationError when GE could not evaluate an expectation.
    """
    if run_time.tzinfo is None:
        msg = f"run_time must be timezone-aware (UTC), got {run_time!r}"
        raise ValueError(msg)
    started = time.perf_counter()
    context_data = context_data or {}
    checked = add_check_columns(dataset, frame, context_data.get("articles"))
    parameters = _suite_parameters(dataset, run_time, context_data)
    result = _run_suite(dataset, _to_pandas(dataset, checked), parameters)
    failures = _failures_by_row(result)
    keep = pl.Series([i not in failures for i in range(frame.height)], dtype=pl.Boolean)
    quarantined = _quarantine_rows(dataset, frame, failures)
    summary = {
        "dataset": dataset,
        "evaluated": frame.height,
        "passed": frame.height - quarantined.height,
        "quarantined": quarantined.height,
        "failures": _failure_counts(result),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Validation(dataset, run_time, frame.filter(keep), quarantined, summary, result)


def _suite_parameters(dataset: str, run_time: dt.datetime, context_data: Mapping[str, Any]) -> dict:
    """The suite parameters of ``dataset`` for this run."""
    if dataset != "fact_mentions":
        return {RUN_TIME: run_time}
    if KNOWN_REGIONS not in context_data:
        msg = "validating fact_mentions needs context_data['known_regions'] (country and region names)"
        raise ValueError(msg)
    return {KNOWN_REGIONS: sorted(context_data[KNOWN_REGIONS])}


def _to_pandas(dataset: str, frame: pl.DataFrame) -> pd.DataFrame:
    """Pandas copy of the columns the suite reads, index 0..n-1 (datetimes stay tz-aware).

    Only those columns cross over: every GE row condition re-evaluates on the whole frame,
    so a narrow frame validates several times faster than the full one.
    """
    with _LOCK:
        columns = _gx().columns[dataset]
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        msg = f"{dataset} frame lacks columns {missing}; pass a frame with the dataset's schema"
        raise ValueError(msg)
    return frame.select(columns).to_pandas()


def _run_suite(name: str, frame: pd.DataFrame, parameters: dict) -> ExpectationSuiteValidationResult:
    """Validate ``frame`` with suite ``name`` in the process's context."""
    with _LOCK:
        state = _gx()
        batch = state.batches[name].get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(state.suites[name], result_format=_RESULT_FORMAT, expectation_parameters=parameters)
    errors = [r for r in result.results if r.exception_info.get("raised_exception")]
    if errors:
        first = errors[0]
        msg = (
            f"{name}: expectation {first.expectation_config.description!r} could not be evaluated: "
            f"{first.exception_info.get('exception_message')}; check the frame's columns and dtypes"
        )
        raise ValidationError(msg)
    return result


def _failures_by_row(result: ExpectationSuiteValidationResult) -> dict[int, list[str]]:
    """Row position -> descriptions of the expectations that row failed, in suite order."""
    failures: dict[int, list[str]] = {}
    for outcome in result.results:
        if outcome.success:
            continue
        for index in outcome.result.get("unexpected_index_list") or []:
            failures.setdefault(int(index), []).append(outcome.expectation_config.description)
    return failures


def _failure_counts(result: ExpectationSuiteValidationResult) -> dict[str, int]:
    """Expectation description -> failing row count, for every expectation of the suite."""
    return {r.expectation_config.description: int(r.result.get("unexpected_count") or 0) for r in result.results}


def _quarantine_rows(dataset: str, frame: pl.DataFrame, failures: dict[int, list[str]]) -> pl.DataFrame:
    """The failing rows of ``frame`` as a ``QUARANTINE`` frame, in input order."""
    positions = sorted(failures)
    rows = frame[positions].rows(named=True) if positions else []
    key = KEY_COLUMNS[dataset]
    return pl.DataFrame(
        {
            "dataset": [dataset] * len(rows),
            "row_key": [row.get(key) or f"#{i}" for i, row in zip(positions, rows, strict=True)],
            "row": [json.dumps(row, default=_json_value, ensure_ascii=False) for row in rows],
            "failed_expectations": [failures[i] for i in positions],
        },
        schema=QUARANTINE,
    )


def _json_value(value: object) -> object:
    """JSON form of values json cannot write: dates and datetimes as ISO 8601."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    msg = f"cannot write {type(value).__name__} as JSON"
    raise TypeError(msg)


def check_gates(
    metrics: Mapping[str, int], bounds: GateBounds | Mapping[str, float] | None = None
) -> list[GateFailure]:
    """Batch gates of a run; returns the gates it failed (empty when all pass).

    ``metrics`` holds counts: ``pages_fetched`` (pages fetched with a body, meant to be
    articles), ``articles`` (articles extracted), ``articles_with_facts`` (articles with at
    least one fact mention), ``facts`` (fact mentions validated), ``facts_passed`` (those
    that passed). A missing count is 0. ``bounds`` is a ``GateBounds`` or a dict of its
    fields (defaults for the rest). Raise ``GateFailed(failures)`` to stop the run.
    """
    if not isinstance(bounds, GateBounds):
        bounds = GateBounds(**(bounds or {}))
    shares = _gate_shares(metrics, bounds)
    frame = pd.DataFrame({name: [value] for name, value in shares.items()}, dtype="float64")
    parameters = {f"min_{name}": getattr(bounds, f"min_{name}") for name in GATE_SHARES}
    result = _run_suite("run_gates", frame, parameters)
    failed = {r.expectation_config.kwargs["column"] for r in result.results if not r.success}
    return [
        GateFailure(name, GATE_SHARES[name], value, parameters[f"min_{name}"])
        for name, value in shares.items()
        if name in failed and value is not None
    ]


def _gate_shares(metrics: Mapping[str, int], bounds: GateBounds) -> dict[str, float | None]:
    """Each gated share, or None when its count is below the count the gate needs."""
    counts = {name: int(metrics.get(name, 0)) for name in GATE_COUNTS}
    spec = {
        "article_share": ("articles", "pages_fetched", bounds.min_pages_for_article_share),
        "fact_article_share": ("articles_with_facts", "articles", bounds.min_articles_for_fact_share),
        "fact_pass_share": ("facts_passed", "facts", bounds.min_facts_for_pass_share),
    }
    return {
        name: counts[part] / counts[whole] if counts[whole] >= max(minimum, 1) else None
        for name, (part, whole, minimum) in spec.items()
    }


def enforce_gates(metrics: Mapping[str, int], bounds: GateBounds | Mapping[str, float] | None = None) -> None:
    """Raise ``GateFailed`` when ``check_gates`` finds a failed gate (same arguments)."""
    failures = check_gates(metrics, bounds)
    if failures:
        raise GateFailed(failures)


def build_data_docs(results: Iterable[Validation], out_dir: Path) -> Path:
    """Write GE Data Docs (HTML) of ``results`` into ``out_dir``; returns its ``index.html``.

    The site holds one validation page per result and the suites' pages; nothing of other
    runs in the process appears. Typical ``out_dir``: ``<reports>/<run_id>/data_docs``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        state = _gx()
        store = state.context.validation_results_store
        keys = [_store_result(store, validation, i) for i, validation in enumerate(results)]
        state.context.add_data_docs_site(_DOCS_SITE, _site_config(out_dir))
        try:
            state.context.build_data_docs(site_names=[_DOCS_SITE])
        finally:
            state.context.delete_data_docs_site(_DOCS_SITE)
            for key in keys:
                store.remove_key(key)
    return out_dir / "index.html"


def _store_result(store: Any, validation: Validation, position: int) -> ValidationResultIdentifier:
    """Put one result in the validation results store; returns its key."""
    run_time = validation.run_time.astimezone(dt.UTC)
    run_id = RunIdentifier(run_name=f"{run_time:%Y%m%dT%H%M%SZ}", run_time=run_time)
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=validation.result.suite_name),
        run_id=run_id,
        batch_identifier=f"{position:02d}-{validation.dataset}",
    )
    store.set(key, validation.result)
    return key


def _site_config(out_dir: Path) -> dict:
    """A filesystem Data Docs site at ``out_dir``."""
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


__all__ = [
    "QUARANTINE",
    "GateBounds",
    "GateFailed",
    "GateFailure",
    "Validation",
    "ValidationError",
    "build_data_docs",
    "check_gates",
    "enforce_gates",
    "validate_rows",
]
