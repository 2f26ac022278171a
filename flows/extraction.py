"""Extraction batches and the near-duplicate check of a run.

Pages are cut into batches of Settings.batch_size and extracted where the run says:
in this process, in worker processes (forkserver), or as Prefect tasks on a Dask
cluster (``flows.cluster``); each worker signs its articles for the near-duplicate check.
The check then compares the run's articles with each other and with the stored articles
that share an LSH band with them (a join in the warehouse).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING

from prefect.task_runners import TaskRunner

from flows.settings import Settings
from transforms.dedupe import Story, find_near_duplicates, is_verbatim_copy, lsh_bands
from transforms.process import Page, Processed, even_batches, process_and_sign
from warehouse import REFERENCE_DIR
from warehouse.db import Target, near_duplicate_candidates, open_warehouse, warehouse_exists

if TYPE_CHECKING:
    from flows.pipeline import Run

Pool = Executor | TaskRunner | None


_shared_pool: ContextVar[ProcessPoolExecutor | None] = ContextVar("shared_extraction_pool", default=None)


@contextmanager
def extraction_pool(settings: Settings, pages: int) -> Iterator[Pool]:
    """Where extraction batches run: a Dask task runner (Settings.task_runner "dask", every
    batch); the workers of an enclosing ``shared_extraction_pool`` (every batch); else
    worker processes when there is enough work to repay their start-up."""
    if settings.task_runner == "dask" and pages:
        from flows.cluster import dask_task_runner  # imports distributed: only on this path

        with dask_task_runner(settings) as runner:
            yield runner
        return
    if (shared := _shared_pool.get()) is not None:
        yield shared
        return
    if settings.workers <= 1 or pages < settings.parallel_min_pages:
        yield None
        return
    with _worker_processes(settings.workers) as pool:
        yield pool


@contextmanager
def shared_extraction_pool(settings: Settings) -> Iterator[None]:
    """One set of extraction workers for every run inside the block (a backfill's
    partitions): started once, used by every partition whatever its size, so the flow's
    process never loads the extraction models and memory does not depend on the order of
    small and large partitions. Nothing is shared with one worker or the Dask runner."""
    if settings.workers <= 1 or settings.task_runner == "dask" or _shared_pool.get() is not None:
        yield
        return
    with _worker_processes(settings.workers) as pool:
        token = _shared_pool.set(pool)
        try:
            yield
        finally:
            _shared_pool.reset(token)


@contextmanager
def _worker_processes(workers: int) -> Iterator[ProcessPoolExecutor]:
    """Extraction workers for the block; when it fails (Ctrl-C included) the batches not
    started are cancelled instead of extracted."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_ignore_interrupts)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C (SIGINT to the terminal's whole process group) to the flow's
    process, which stops them once it has recorded why the run stopped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def submit_batches(pages: list[Page], run: Run, pool: Pool = None) -> list[Callable[[], Processed]]:
    """Cut ``pages`` into even batches of at most Settings.batch_size, as many as the pool
    has workers at least (``even_batches``), and hand each to ``pool`` now
    (worker processes, or a Dask task runner with one task run per batch); without a pool
    a batch is extracted in this process when its result is asked for."""
    workers = run.settings.workers if pool else 1
    batches = even_batches(pages, run.settings.batch_size, workers)
    args = (str(REFERENCE_DIR), run.run_id, run.started_at.date())
    if isinstance(pool, TaskRunner):
        from flows.cluster import submit_batches as submit_to_cluster

        return submit_to_cluster(pool, batches, *args)
    if pool:
        return [pool.submit(process_and_sign, batch, *args).result for batch in batches]
    return [partial(process_and_sign, batch, *args) for batch in batches]


def collect_batches(results: list[Callable[[], Processed]], run: Run) -> Processed:
    """The batches' results in order, merged, without the articles (and their facts)
    published outside the run's backfill window."""
    merged = Processed()
    for result in results:
        batch = result()
        _keep_in_window(batch, run)
        merge(merged, batch)
    return merged


def process_in_batches(pages: list[Page], run: Run, pool: Pool = None) -> Processed:
    """Extract and sign ``pages`` in batches (in ``pool`` when given), keeping the backfill window."""
    return collect_batches(submit_batches(pages, run, pool), run)


def merge(into: Processed, part: Processed) -> None:
    into.articles += part.articles
    into.facts += part.facts
    into.outcomes |= part.outcomes
    into.published_outside |= part.published_outside


def _keep_in_window(batch: Processed, run: Run) -> None:
    """Drop articles (and their facts) published outside a backfill window, keeping their dates."""
    outside = {a["url"]: a["published_at"] for a in batch.articles if not run.in_window(a["published_at"])}
    for url, published in outside.items():
        batch.outcomes[url] = ("out_of_window", f"published {published:%Y-%m-%d}, outside the backfill window")
    batch.published_outside |= outside
    batch.articles = [a for a in batch.articles if a["url"] not in outside]
    batch.facts = [f for f in batch.facts if f["article_url"] not in outside]


def drop_near_duplicates(processed: Processed, target: Target, exclude: frozenset[str] = frozenset()) -> None:
    """Keep one article per story: later copies get the outcome duplicate (same text)
    or near_duplicate (edited), and are not loaded. Stored articles (but those in
    ``exclude``, being re-derived) are always kept."""
    new = [Story(a["url"], a["published_at"], tuple(a["text_minhash"]), bool(a["canonical_url"]), a["title"])
           for a in processed.articles]
    if not new:
        return
    known = stored_stories(target, new, exclude)
    stories = {story.url: story for story in new + known}
    duplicates = find_near_duplicates(new, known)
    for url, kept in duplicates.items():
        verbatim = is_verbatim_copy(stories[url], stories[kept])
        processed.outcomes[url] = ("duplicate" if verbatim else "near_duplicate", f"same story as {kept}")
    processed.articles = [a for a in processed.articles if a["url"] not in duplicates]
    processed.facts = [f for f in processed.facts if f["article_url"] not in duplicates]


def stored_stories(target: Target, new: list[Story], exclude: frozenset[str] = frozenset()) -> list[Story]:
    """The stored articles that may repeat one of ``new`` (they share an LSH band), but
    those in ``exclude``: what the near-duplicate check compares new stories with."""
    if not new or not warehouse_exists(target):
        return []
    bands, rows = lsh_bands()
    with open_warehouse(target, read_only=True, wait_s=120) as con:
        found = near_duplicate_candidates(con, [story.signature for story in new], bands, rows, sorted(exclude))
    return [Story(url, published, tuple(signature), title=title) for url, published, signature, title in found]
