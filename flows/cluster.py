"""Extraction batches as Prefect tasks on a Dask cluster (``Settings.task_runner = "dask"``).

Each batch of about ``Settings.batch_size`` pages is one task run of ``extract_batch``,
submitted through prefect-dask's ``DaskTaskRunner``: the pages' bytes travel to a Dask
worker, ``transforms.process.process_pages`` runs there, the rows come back. Everything
else (fetching, archiving, near-duplicates, validation, the load) stays in the flow's
process. Imported only when the Dask runner is chosen, so the local path never loads
``distributed``.

Workers need newsledger installed (the same version as the flow) and must reach the
Prefect API the flow uses: the flow's ``PREFECT_API_URL``, or, without one, the flow's
temporary server on loopback, which only workers on the same machine can reach.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner

from flows.settings import Settings
from transforms.process import Page, Processed, process_and_sign


@task(name="extract-batch", cache_policy=NO_CACHE, persist_result=False)
def extract_batch(pages: list[Page], reference_dir: str, run_id: str, run_date: dt.date) -> Processed:
    """``process_and_sign`` over one batch, on a Dask worker: article rows (with their
    MinHash signatures), fact dicts and each page's outcome (see ``transforms.process``)."""
    return process_and_sign(pages, reference_dir, run_id, run_date)


@contextmanager
def dask_task_runner(settings: Settings) -> Iterator[TaskRunner]:
    """A started ``DaskTaskRunner``: connected to ``settings.dask_address`` when set, else to
    a local cluster of ``settings.workers`` processes (one thread each) started on the first
    batch and closed on exit. Must be entered inside a flow run."""
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        runner = DaskTaskRunner(address=settings.dask_address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={
            "n_workers": max(1, settings.workers), "threads_per_worker": 1, "processes": True,
            "dashboard_address": None,
        })
    with ExitStack() as stack:
        stack.enter_context(_api_for_workers())
        stack.enter_context(_quiet_distributed())
        yield stack.enter_context(runner)


def submit_batches(runner: TaskRunner, batches: list[list[Page]], reference_dir: str, run_id: str,
                   run_date: dt.date) -> list[Callable[[], Processed]]:
    """Submit every batch as an ``extract_batch`` task run now; returns, in batch order, a
    call per batch giving its result (raising the batch's error when it failed)."""
    futures = [runner.submit(extract_batch, {"pages": batch, "reference_dir": reference_dir, "run_id": run_id,
                                             "run_date": run_date}) for batch in batches]
    return [future.result for future in futures]


@contextmanager
def _api_for_workers() -> Iterator[None]:
    """Point the context sent with each task at the flow's API, so that without
    PREFECT_API_URL the workers report to the flow's temporary server, not a server each."""
    context = FlowRunContext.get()
    if PREFECT_API_URL.value() or context is None or context.client is None:
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: str(context.client.api_url)}):
        yield


@contextmanager
def _quiet_distributed() -> Iterator[None]:
    """distributed logs each connection and worker at INFO, through Prefect's console
    handler in the flow's process: keep its warnings only while the runner is open."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)
