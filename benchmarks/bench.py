"""`make bench`: how fast newsledger is on this machine, against what extraction alone costs.

    python benchmarks/bench.py [--n 1000] [--workers W] [--corpus ../shared/corpus] [--keep]

Builds a local site of N distinct articles plus the corpus's real pages
(``benchmarks/sitegen.py``), serves it on loopback and times, each as the wall time of the
whole command a user would run:

- floor: ``process_pages`` (trafilatura + fact rules + spaCy where used) on the same pages
  read from disk, in batches over W worker processes; no Prefect, no network, no warehouse
  (``python benchmarks/bench.py floor SITE --workers W``), right before and right after
  each first run below: ``e2e_over_floor`` divides the mean of those two by the first
  run's time (the machine's speed drifts: the same floor took 25 to 36 s within an hour on
  a 2-core VM, so a floor measured once at the start biased every ratio); once with 1 process;
- empty: ``newsledger run`` over a sitemap with no URLs: the fixed cost of a run;
- first: ``newsledger run --db FRESH`` over the whole site; rerun: the same again;
- the empty, first and rerun runs with Prefect's temporary server and with a running
  ``prefect server start`` (own PREFECT_HOME, PREFECT_API_URL set for the runs).

Throughput is pages offered to extraction per second (N articles + the real pages, most
of which are German and end as non_english). "prefect start-up" is the empty run's time
outside our stages (interpreter, imports, Prefect, flow bookkeeping); "prefect ms/page" is
how much that time outside our stages grows per page from the empty run to the first one.
Peak RSS is sampled from /proc every 0.1 s over the run process and its descendants
(forkserver and extraction workers; with the temporary server, its uvicorn process too,
shown apart). Writes ``benchmarks/results/<commit>-<n>.json`` (``-2``, ``-3``... for a
commit measured again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import Site, build_site, page_files

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SERVER_MARKERS = ("uvicorn", "server start")


@dataclass
class Measured:
    """One command: wall seconds, peak RSS in MB (all, Prefect server apart), its summary and exit code."""

    seconds: float
    peak_rss_mb: float
    peak_rss_no_server_mb: float
    summary: dict = field(default_factory=dict)
    exit_code: int = 0
    peak_rss_flow_mb: float = 0.0      # the command's own process (the flow runs in it)
    peak_rss_workers_mb: float = 0.0   # its descendants but the Prefect server: forkserver and workers
    output_tail: str = ""              # the command's last output lines when it failed

    @property
    def outside_stages_s(self) -> float:
        return self.seconds - sum(self.summary.get("stage_seconds", {}).values())


# ------------------------------------------------------------------ process memory


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _tree_rss(root: int) -> tuple[int, int, int, int]:
    """Bytes resident in ``root`` and its descendants: (all, all but Prefect server processes,
    ``root`` alone, the descendants but the server)."""
    tree, stack, total, server, own = _children(), [root], 0, 0, 0
    while stack:
        pid = stack.pop()
        stack += tree.get(pid, [])
        try:
            resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        total += resident
        server += resident if any(marker in command for marker in SERVER_MARKERS) else 0
        own += resident if pid == root else 0
    return total, total - server, own, total - server - own


def run_measured(command: list, env: dict[str, str], reports: Path | None = None, check: bool = True) -> Measured:
    """Run ``command`` to completion, sampling its process tree's RSS; raises RuntimeError on a
    non-zero exit when ``check``."""
    peaks = [0, 0, 0, 0]
    started = time.perf_counter()
    process = subprocess.Popen([str(part) for part in command], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peaks[:] = [max(a, b) for a, b in zip(peaks, _tree_rss(process.pid), strict=True)]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if check and process.returncode != 0:
        msg = f"{command[0]} {command[1]} exited {process.returncode}:\n{output[-3000:]}"
        raise RuntimeError(msg)
    summaries = sorted(reports.glob("*/summary.json"), key=lambda p: p.stat().st_mtime) if reports else []
    summary = json.loads(summaries[-1].read_text()) if summaries else {}
    total, no_server, flow, workers = (round(peak / 2**20, 1) for peak in peaks)
    tail = "\n".join(output.splitlines()[-15:]) if process.returncode else ""
    return Measured(round(seconds, 2), total, no_server, summary, process.returncode, flow, workers, tail)


# ------------------------------------------------------------------- floor


def run_floor(site_dir: Path, workers: int, batch_size: int) -> int:
    """Extract every page of the site from disk with ``process_pages``; returns pages done."""
    from transforms.process import Page, even_batches, process_pages
    from warehouse import REFERENCE_DIR

    files = page_files(site_dir)
    pages = [Page(url=f"http://127.0.0.1/{path.relative_to(site_dir)}", body=path.read_bytes(),
                  content_type="text/html", content_sha256="") for path in files]
    chunk = batch_size * max(1, workers)  # cut as the pipeline cuts: chunk by chunk, each into even batches
    batches = [batch for start in range(0, len(pages), chunk)
               for batch in even_batches(pages[start:start + chunk], batch_size, workers)]
    args = (str(REFERENCE_DIR), {}, "floor", dt.datetime.now(dt.UTC).date())
    if workers <= 1:
        results = [process_pages(batch, *args) for batch in batches]
    else:
        context = multiprocessing.get_context("forkserver")  # as flows/pipeline.py
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(process_pages, batches, *[[a] * len(batches) for a in args]))
    return sum(len(result.outcomes) for result in results)


# ------------------------------------------------------------------- servers


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(corpus: Path, site_dir: Path):
    """serve_site.py on the site's port for the duration of the block."""
    port = json.loads((site_dir / "manifest.json").read_text())["base_url"].rsplit(":", 1)[1]
    process = subprocess.Popen([sys.executable, corpus / "serve_site.py", site_dir, "--port", port],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        if "serving" not in process.stdout.readline():
            msg = "serve_site.py did not start"
            raise RuntimeError(msg)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def prefect_server(workdir: Path, env: dict[str, str]):
    """A `prefect server start` with its own PREFECT_HOME; yields (api url, start-up seconds)."""
    port = free_port()
    home = workdir / "prefect-server-home"
    home.mkdir(exist_ok=True)
    server_env = env | {"PREFECT_HOME": str(home)}
    server_env.pop("PREFECT_API_URL", None)
    started = time.perf_counter()
    process = subprocess.Popen([BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(api, process)
        yield api, round(time.perf_counter() - started, 2)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def _wait_healthy(api: str, process: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"prefect server start exited {process.returncode}"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    msg = f"prefect server not healthy after {timeout_s:.0f} s"
    raise RuntimeError(msg)


# ------------------------------------------------------------------- runs


def run_env(workers: int) -> dict[str, str]:
    """The environment of every run: quiet Prefect, loopback politeness raised (one host serves
    all outlets here), the same worker count as the floor."""
    return os.environ | {
        "PREFECT_HOME": os.environ.get("PREFECT_HOME", "/tmp/prefect-bench"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
        "NEWSLEDGER_CONCURRENCY": "16", "NEWSLEDGER_PER_HOST_CONCURRENCY": "16", "NEWSLEDGER_PER_HOST_DELAY_S": "0",
        "NEWSLEDGER_WORKERS": str(workers),
    }


def newsledger(command: str, sources: list[str], db: Path, env: dict[str, str], *extra: str,
               check: bool = True) -> Measured:
    """Time `newsledger COMMAND` over ``sources`` into ``db`` (reports beside it)."""
    reports = db.parent / f"{db.stem}-reports"
    args = [BIN / "newsledger", command, *extra, "--allow-private-hosts", "--db", db, "--reports", reports]
    return run_measured(args + [arg for source in sources for arg in ("-s", source)], env, reports, check)


def run_pair(site: Site, workdir: Path, label: str, env: dict[str, str],
             floor: Callable[[], Measured]) -> dict[str, Measured]:
    """The empty run, the first run into a fresh warehouse, and the re-run, for one Prefect
    mode; the floor is measured right before and right after the first run
    (``floor_before``, ``floor_after``), so that the ratio compares runs minutes apart, not
    the machine's speed at two moments of the benchmark."""
    empty = newsledger("run", [f"{site.base_url}/empty/sitemap.xml"], workdir / f"{label}-empty.duckdb", env)
    db = workdir / f"{label}.duckdb"
    floor_before = floor()
    first = newsledger("run", site.sources, db, env)
    floor_after = floor()
    rerun = newsledger("run", site.sources, db, env)
    return {"empty": empty, "first": first, "rerun": rerun, "floor_before": floor_before, "floor_after": floor_after}


def figures(pages: int, runs: dict[str, Measured]) -> dict:
    """Derived figures of one Prefect mode."""
    first, rerun, empty = runs["first"], runs["rerun"], runs["empty"]
    floor_s = round((runs["floor_before"].seconds + runs["floor_after"].seconds) / 2, 2)
    stages = first.summary.get("stage_seconds", {})
    total = sum(stages.values()) or 1.0
    return {
        "floor_s": floor_s, "floor_runs_s": [runs["floor_before"].seconds, runs["floor_after"].seconds],
        "e2e_s": first.seconds, "rerun_s": rerun.seconds, "empty_run_s": empty.seconds,
        "e2e_articles_per_s": round(pages / first.seconds, 2),
        "e2e_over_floor": round(floor_s / first.seconds, 3),
        "rerun_over_first": round(rerun.seconds / first.seconds, 3),
        "stage_share": {stage: round(seconds / total, 3) for stage, seconds in stages.items()},
        "stage_seconds": stages, "rerun_stage_seconds": rerun.summary.get("stage_seconds", {}),
        "prefect_startup_s": round(empty.outside_stages_s, 2),
        "prefect_ms_per_article": round(1000 * (first.outside_stages_s - empty.outside_stages_s) / pages, 2),
        "peak_rss_mb": first.peak_rss_mb, "peak_rss_no_server_mb": first.peak_rss_no_server_mb,
        "rerun_peak_rss_mb": rerun.peak_rss_mb, "counts": first.summary.get("counts", {}),
        "rerun_counts": rerun.summary.get("counts", {}),
    }


def prepare_site(corpus: Path, workdir: Path, n: int) -> Site:
    """Build the site for a free port, with an /empty/sitemap.xml listing no URLs."""
    site = build_site(corpus, workdir / "site", n, f"http://127.0.0.1:{free_port()}")
    (site.directory / "empty").mkdir()
    (site.directory / "empty" / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "</urlset>\n")
    return site


def measure(corpus: Path, workdir: Path, n: int, workers: int, batch_size: int) -> dict:
    """Every measurement of one benchmark; returns the results record."""
    site = prepare_site(corpus, workdir, n)
    env = run_env(workers)
    floor_cmd = [sys.executable, Path(__file__), "floor", site.directory, "--batch-size", str(batch_size)]
    floors: list[Measured] = []

    def floor() -> Measured:
        floors.append(run_measured([*floor_cmd, "--workers", str(workers)], env))
        return floors[-1]

    floor_one = run_measured([*floor_cmd, "--workers", "1"], env)
    imports = run_measured([sys.executable, "-c", "import flows.cli, flows.pipeline"], env)
    with served(corpus, site.directory):
        temporary = run_pair(site, workdir, "temporary", env, floor)
        with prefect_server(workdir, env) as (api, server_startup_s):
            running = run_pair(site, workdir, "running", env | {"PREFECT_API_URL": api}, floor)
    floor_s = round(sum(f.seconds for f in floors) / len(floors), 2)
    record = {
        "commit": _commit(), "n": n, "pages": site.pages, "real_pages": site.real_pages, "cores": os.cpu_count(),
        "workers": workers, "batch_size": batch_size, "measured_at": dt.datetime.now(dt.UTC).isoformat(),
        "floor_s": floor_s, "floor_runs_s": [f.seconds for f in floors],
        "floor_articles_per_s": round(site.pages / floor_s, 2),
        "floor_peak_rss_mb": max(f.peak_rss_mb for f in floors),
        "floor_one_process_s": floor_one.seconds,
        "extraction_one_core_articles_per_s": round(site.pages / floor_one.seconds, 2),
        "import_s": imports.seconds, "prefect_server_startup_s": server_startup_s,
        "temporary_server": figures(site.pages, temporary),
        "running_server": figures(site.pages, running),
    }
    headline = record["temporary_server"]  # the plain `newsledger run` a user types
    for key in ("e2e_articles_per_s", "e2e_over_floor", "rerun_over_first", "prefect_ms_per_article", "peak_rss_mb"):
        record[key] = headline[key]
    return record


def _commit() -> str:
    result = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "flows", "transforms", "schemas",
                            "warehouse"]).returncode
    return result.stdout.strip() + ("-dirty" if dirty else "") or "unknown"


def print_table(record: dict) -> None:
    """The results as a plain-text table."""
    modes = ("temporary_server", "running_server")
    print(f"\nnewsledger bench: {record['pages']} pages ({record['n']} generated articles + {record['real_pages']} "
          f"real pages), {record['cores']} cores, {record['workers']} workers, commit {record['commit']}")
    print(f"floor ({record['workers']} processes): {record['floor_s']:.1f} s on average "
          f"({', '.join(f'{s:.1f}' for s in record['floor_runs_s'])} s, before and after each first run), "
          f"{record['floor_articles_per_s']:.1f} pages/s, peak RSS {record['floor_peak_rss_mb']:.0f} MB")
    print(f"extraction alone on one core: {record['extraction_one_core_articles_per_s']:.1f} pages/s")
    print(f"import flows.cli + flows.pipeline: {record['import_s']:.1f} s; "
          f"prefect server start-up: {record['prefect_server_startup_s']:.1f} s\n")
    rows = [("floor s (beside the e2e)", "floor_s"), ("e2e s", "e2e_s"), ("e2e pages/s", "e2e_articles_per_s"),
            ("e2e_over_floor", "e2e_over_floor"),
            ("re-run s", "rerun_s"), ("rerun_over_first", "rerun_over_first"), ("empty run s", "empty_run_s"),
            ("prefect start-up s", "prefect_startup_s"), ("prefect ms/page", "prefect_ms_per_article"),
            ("peak RSS MB", "peak_rss_mb"), ("peak RSS MB, server apart", "peak_rss_no_server_mb")]
    print(f"{'':28}{'temporary server':>18}{'running server':>18}")
    for label, key in rows:
        print(f"{label:28}" + "".join(f"{record[mode][key]:>18}" for mode in modes))
    stages = list(record["temporary_server"]["stage_share"])
    for stage in stages:
        cells = "".join(f"{record[m]['stage_share'].get(stage, 0):>11.1%}"
                        f" {record[m]['stage_seconds'].get(stage, 0):>5.1f}s"
                        for m in modes)
        print(f"{'share ' + stage:28}{cells}")
    counts = record["temporary_server"]["counts"]
    print(f"\nfirst run: {counts.get('articles')} articles, {counts.get('facts')} facts loaded; outcomes "
          + ", ".join(f"{k[8:]}={v}" for k, v in counts.items() if k.startswith("outcome_") and v))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="generated articles (the real pages come on top)")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: Settings.workers)")
    parser.add_argument("--batch-size", type=int, default=None, help="pages per batch (default: Settings.batch_size)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (site, warehouses, reports)")
    args = parser.parse_args()
    from flows.settings import Settings

    defaults = Settings()
    workers, batch_size = args.workers or defaults.workers, args.batch_size or defaults.batch_size
    workdir = Path(tempfile.mkdtemp(prefix="newsledger-bench-"))
    try:
        record = measure(args.corpus.resolve(), workdir, args.n, workers, batch_size)
    finally:
        if args.keep:
            print(f"work folder kept: {workdir}")
        else:
            subprocess.run(["rm", "-rf", workdir], check=False)
    print_table(record)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = _free_result_path(f"{record['commit']}-{record['n']}")
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"\nwritten: {path.relative_to(ROOT)}")
    return 0


def _free_result_path(stem: str) -> Path:
    """``benchmarks/results/<stem>.json``, or ``<stem>-2.json`` and so on when the commit
    was measured before: a second measurement is kept beside the first (they differ by
    ±15 % on a 2-core machine), not over it."""
    path, again = RESULTS / f"{stem}.json", 2
    while path.exists():
        path, again = RESULTS / f"{stem}-{again}.json", again + 1
    return path


def floor_main(argv: list[str]) -> int:
    """`bench.py floor SITE --workers W --batch-size B`: the floor as a command of its own."""
    parser = argparse.ArgumentParser(prog="bench.py floor")
    parser.add_argument("site", type=Path)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args(argv)
    done = run_floor(args.site, args.workers, args.batch_size)
    print(f"floor: {done} pages")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "floor":
        raise SystemExit(floor_main(sys.argv[2:]))
    raise SystemExit(main())
