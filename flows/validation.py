"""The validation step of a run: GE suites over the run's articles and fact mentions,
quarantine of failing rows, batch gates and Data Docs, before anything is loaded."""

from __future__ import annotations

import functools
import threading
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from prefect import task
from prefect.artifacts import create_markdown_artifact

from flows.staging import QUARANTINE
from transforms.facts import EXTRACTOR_VERSION
from transforms.normalise import articles_frame, fact_mentions_frame
from transforms.process import Processed, load_registry
from warehouse import REFERENCE_DIR

if TYPE_CHECKING:
    from flows.pipeline import Run


@dataclass(frozen=True)
class Validated:
    """The frames that passed, the quarantined rows (``flows.staging.QUARANTINE``) and a summary."""

    articles: pl.DataFrame
    facts: pl.DataFrame
    quarantine: pl.DataFrame
    summary: dict


@task(name="validate")
def validate_run(run: Run, processed: Processed) -> Validated:
    """Validate the run's rows; raise ``schemas.validate.GateFailed`` when a batch gate
    fails (the warehouse is then left untouched), else return what may be loaded."""
    articles = articles_frame(processed.articles)
    facts = fact_mentions_frame(processed.facts, run.run_id, EXTRACTOR_VERSION)
    if articles.is_empty() and facts.is_empty():  # a re-run with nothing new: no suite to run
        empty = {"evaluated": 0, "passed": 0, "quarantined": 0}
        return Validated(articles, facts, pl.DataFrame(schema=QUARANTINE),
                         {"articles": empty, "fact_mentions": dict(empty), "data_docs": None})
    from schemas.validate import GateBounds, build_data_docs, enforce_gates, validate_rows

    checked_articles = validate_rows("articles", articles, run.started_at)
    checked_facts = validate_rows("fact_mentions", facts, run.started_at,
                                  {"articles": checked_articles.passed, "known_regions": known_regions()})
    docs = build_data_docs([checked_articles, checked_facts], (run.reports_dir / "data_docs").resolve())
    summary = {v.dataset: {k: v.summary[k] for k in ("evaluated", "passed", "quarantined")}
               for v in (checked_articles, checked_facts)} | {"data_docs": str(docs)}
    run.counts |= {"articles_quarantined": checked_articles.summary["quarantined"],
                   "facts_quarantined": checked_facts.summary["quarantined"]}
    _publish_summary(run, summary)
    settings = run.settings
    bounds = GateBounds(min_article_share=settings.gate_min_article_share,
                        min_pages_for_article_share=settings.gate_min_pages,
                        min_fact_article_share=settings.gate_min_fact_article_share,
                        min_fact_pass_share=settings.gate_min_fact_pass_share)
    enforce_gates(_gate_metrics(run, processed, checked_articles.passed, facts, checked_facts.passed), bounds)
    quarantine = pl.concat([checked_articles.quarantined, checked_facts.quarantined]).with_columns(
        run_id=pl.lit(run.run_id), quarantined_at=pl.lit(run.started_at, dtype=pl.Datetime("us", "UTC")),
        released_at=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
    ).select(QUARANTINE.names()).cast(dict(QUARANTINE))
    return Validated(checked_articles.passed, checked_facts.passed, quarantine, summary)


@functools.cache
def start_warm_up() -> threading.Thread:
    """Import Great Expectations and build its context in a daemon thread, once per process:
    it overlaps the fetching and extraction of a run instead of adding to the validate stage.
    A run calls it when its first new page arrives, so a run with nothing new never pays it."""
    thread = threading.Thread(target=_build_context, name="ge-warm-up", daemon=True)
    thread.start()
    return thread


def _build_context() -> None:
    from schemas.validate import warm_up

    warm_up()


def known_regions() -> list[str]:
    """Countries, blocs and macro-regions of the registry: the regions an expansion may name."""
    return [place.name for place in load_registry(str(REFERENCE_DIR)).places]


def _gate_metrics(run: Run, processed: Processed, articles: pl.DataFrame, facts: pl.DataFrame,
                  passed: pl.DataFrame) -> dict[str, int]:
    with_facts = passed["article_id"].n_unique() if passed.height else 0
    # fetched pages that could not have become articles of this run: unchanged since the
    # last one, found published outside a backfill's window (those known so from an earlier
    # run are not fetched), or in a language the rules do not read
    not_considered = len(processed.published_outside) + sum(run.counts.get(f"outcome_{outcome}", 0)
                                                            for outcome in ("unchanged", "non_english"))
    return {"pages_fetched": run.counts.get("fetched", 0) - not_considered,
            "articles": articles.height, "articles_with_facts": with_facts,
            "facts": facts.height, "facts_passed": passed.height}


def _publish_summary(run: Run, summary: dict) -> None:
    lines = ["| dataset | evaluated | passed | quarantined |", "|---|---|---|---|"]
    lines += [f"| {name} | {s['evaluated']} | {s['passed']} | {s['quarantined']} |"
              for name, s in summary.items() if isinstance(s, dict)]
    lines.append(f"\nData Docs: `{summary['data_docs']}`")
    with suppress(Exception):  # no flow run context (a library call): the summary is in the report
        create_markdown_artifact(markdown="\n".join(lines), key="validation-summary",
                                 description=f"Validation of run {run.run_id}")



