"""`make bench-memory` (long, not in CI): peak memory of a backfill as the site grows.

    python benchmarks/bench_memory.py [--sizes 1000,5000,20000] [--workers W]

For each size N, builds a site of N distinct articles plus the real pages the way
``bench.py`` does (``benchmarks/sitegen.py``), serves it on loopback and times
``newsledger backfill --since FIRST --until LAST`` over it into a fresh warehouse, with
Prefect's temporary server (the backfill runs one pipeline per date partition; counts and
stage seconds are summed over them). Prints the peak RSS of the flow process and its extraction
workers (sampled from /proc every 0.1 s, the Prefect server's uvicorn process apart) and
writes ``benchmarks/results/<commit>-memory.json`` (sizes measured earlier on the same
commit are kept). 20,000 articles take the better part of an hour on two cores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

from bench import RESULTS, ROOT, _commit, newsledger, prepare_site, run_env, served


def measure_backfill(corpus: Path, workdir: Path, n: int, workers: int) -> dict:
    """Backfill a fresh warehouse from a site of ``n`` articles; returns time, counts and peaks."""
    site = prepare_site(corpus, workdir, n)
    window = ("--since", site.first_published.isoformat(), "--until", site.last_published.isoformat())
    with served(corpus, site.directory):
        measured = newsledger("backfill", site.sources, workdir / "backfill.duckdb", run_env(workers), *window,
                              check=False)  # a partition failing its gates still measures memory
    articles, facts, stages, failed = _run_totals(workdir / "backfill-reports")
    growth = _high_water(workdir / "backfill-reports")
    return {
        "n": n, "pages": site.pages, "seconds": measured.seconds,
        "articles_per_s": round(site.pages / measured.seconds, 2),
        "peak_rss_mb": measured.peak_rss_no_server_mb, "peak_rss_with_server_mb": measured.peak_rss_mb,
        "peak_rss_flow_mb": measured.peak_rss_flow_mb, "peak_rss_workers_mb": measured.peak_rss_workers_mb,
        "articles": articles, "facts": facts, "stage_seconds": stages,
        "exit_code": measured.exit_code, "partitions_failed": failed, "output_tail": measured.output_tail,
        "flow_high_water": growth,
    }


def _high_water(reports: Path) -> list[dict]:
    """Per partition run, in the order they ran: its articles and the flow process's peak RSS
    (MB) after each stage (``summary.json``'s ``high_water_mb``): where the flow's memory grows."""
    summaries = sorted((json.loads(path.read_text()) for path in reports.glob("*/summary.json")),
                       key=lambda summary: summary["started_at"])
    return [{"run_id": s["run_id"], "articles": s["counts"].get("articles", 0),
             "high_water_mb": s.get("high_water_mb", {})} for s in summaries]


def _run_totals(reports: Path) -> tuple[int, int, dict[str, float], int]:
    """Articles, facts and stage seconds summed over the backfill's loaded runs (one per
    partition), and the number of runs that stopped before the load (no validation summary)."""
    articles, facts, stages, failed = 0, 0, {}, 0
    for path in reports.glob("*/summary.json"):
        summary = json.loads(path.read_text())
        if not summary.get("validation"):
            failed += 1
            continue
        articles += summary["counts"].get("articles", 0)
        facts += summary["counts"].get("facts", 0)
        for stage, seconds in summary["stage_seconds"].items():
            stages[stage] = round(stages.get(stage, 0.0) + seconds, 3)
    return articles, facts, stages, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated article counts")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: Settings.workers)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    from flows.settings import Settings

    workers, commit = args.workers or Settings().workers, _commit()  # HEAD may move during an hour-long run
    rows = []
    for n in (int(size) for size in args.sizes.split(",")):
        workdir = Path(tempfile.mkdtemp(prefix=f"newsledger-memory-{n}-"))
        try:
            rows.append(measure_backfill(args.corpus.resolve(), workdir, n, workers))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        row = rows[-1]
        print(f"N={row['n']:>6} pages={row['pages']:>6} {row['seconds']:>8.1f} s {row['articles_per_s']:>6.1f} pages/s "
              f"peak RSS flow+workers {row['peak_rss_mb']:>7.0f} MB (flow {row['peak_rss_flow_mb']:.0f}, workers "
              f"{row['peak_rss_workers_mb']:.0f}, each at its own peak; with Prefect server "
              f"{row['peak_rss_with_server_mb']:.0f} MB); exit {row['exit_code']}, "
              f"{row['partitions_failed']} partitions stopped before the load", flush=True)
        if row["output_tail"]:
            print(row["output_tail"], flush=True)
        _write(rows, workers, commit)  # after each size: the 20k run may be stopped part-way
    return 0


def _write(rows: list[dict], workers: int, commit: str) -> None:
    """Write the commit's results, keeping the sizes an earlier invocation measured on the
    same clean commit with the same workers (``--sizes 5000`` after ``--sizes 1000,20000``
    gives one file of three); a size measured again replaces its earlier row, and an
    unreadable earlier file is replaced."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{commit}-memory.json"
    earlier: dict = {}
    if path.exists() and not commit.endswith("-dirty"):  # a dirty tree may differ between invocations
        with suppress(ValueError, OSError):
            earlier = json.loads(path.read_text())
    measured = {row["n"] for row in rows}
    kept = [row for row in earlier.get("runs", []) if row["n"] not in measured] \
        if earlier.get("workers") == workers else []  # another worker count is another measurement
    record = {"commit": commit, "workers": workers, "runs": sorted(kept + rows, key=lambda row: row["n"])}
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"written: {path.relative_to(ROOT)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
