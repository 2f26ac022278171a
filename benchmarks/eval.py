"""`make eval`: render the gold dev split, serve it on loopback, run the pipeline, score it.

    python benchmarks/eval.py [--corpus ../shared/corpus] [--split dev] [--details]
                              [--update] [--allow-drop "reason"]

Prints score.py's figures per fact type and compares them with the pinned baseline in
``benchmarks/baseline.json``: a drop of more than TOLERANCE in precision, recall, F1 or
status accuracy fails (exit 1). ``--update`` raises the baseline to the current figures;
lowering it needs ``--allow-drop`` with a reason, recorded in the file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "benchmarks" / "baseline.json"
TOLERANCE = 0.02
METRICS = ("precision", "recall", "f1", "status_accuracy")
OUTLETS = ("motor-ledger", "auto-thirty", "ev-dispatch", "trade-desk-daily", "asia-auto-wire", "grid-gear")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_eval(corpus: Path, split: str, workdir: Path, details: bool) -> tuple[dict, float]:
    """Render, serve, run `newsledger run`, score; returns (figures, run seconds)."""
    port = _free_port()
    site, db = workdir / "site", workdir / "eval.duckdb"
    base = f"http://127.0.0.1:{port}"
    subprocess.run([sys.executable, corpus / "render_site.py", corpus / split, site, "--base-url", base],
                   check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, corpus / "serve_site.py", site, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        server.stdout.readline()
        sources = [arg for outlet in OUTLETS for arg in ("-s", f"{base}/{outlet}/feed.xml")]
        started = time.perf_counter()
        subprocess.run([ROOT / ".venv" / "bin" / "newsledger", "run", *sources, "-s", f"{base}/sitemap_index.xml",
                        "--allow-private-hosts", "--db", db], check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    score = [sys.executable, corpus / "score.py", corpus / split, site / "manifest.json", db]
    if details:
        subprocess.run([*score, "--details"], check=True)
    result = subprocess.run([*score, "--json"], check=True, capture_output=True, text=True)
    return json.loads(result.stdout), seconds


def compare(figures: dict, baseline: dict) -> list[str]:
    """The metrics that dropped more than TOLERANCE below the baseline."""
    drops = []
    for kind, pinned in baseline.get("figures", {}).items():
        for metric in METRICS:
            now, then = figures.get(kind, {}).get(metric), pinned.get(metric)
            if then is not None and (now or 0.0) < then - TOLERANCE:
                drops.append(f"{kind} {metric}: {now} < baseline {then}")
    return drops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--details", action="store_true", help="list missed and extra facts")
    parser.add_argument("--update", action="store_true", help="pin the current figures as the baseline")
    parser.add_argument("--allow-drop", metavar="REASON", help="allow --update to lower the baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures, seconds = run_eval(args.corpus.resolve(), args.split, Path(tmp), args.details)
    for kind, f in figures.items():
        print(f"{kind:12} P={f['precision']:.3f} R={f['recall']:.3f} F1={f['f1']:.3f} "
              f"status_acc={f['status_accuracy']} tp={f['tp']} fp={f['fp']} fn={f['fn']}")
    print(f"run over the {args.split} split: {seconds:.1f} s")
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    drops = compare(figures, baseline)
    if args.update:
        if drops and not args.allow_drop:
            print("refusing to lower the baseline:\n  " + "\n  ".join(drops) + "\npass --allow-drop REASON")
            return 1
        BASELINE.write_text(json.dumps({"split": args.split, "figures": figures, "reason": args.allow_drop},
                                       indent=1) + "\n")
        print(f"baseline updated: {BASELINE}")
        return 0
    if drops:
        print("figures dropped below the baseline:\n  " + "\n  ".join(drops))
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    raise SystemExit(main())
