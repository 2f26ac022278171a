"""Score the fact extractor alone on a gold split, without crawling or the warehouse.

    python benchmarks/eval_extractor.py [SPLIT_DIR] [--details] [--type tariff] [--ids dev-001,dev-002]

Reads each gold article's title and body, runs ``transforms.facts.extract_facts`` and
scores with ``score.py`` of the corpus (same matching rules as ``make eval``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import time
from pathlib import Path

from transforms.facts import ArticleText, extract_facts
from transforms.registry import Registry
from warehouse import REFERENCE_DIR

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _load_score_module(corpus: Path):
    spec = importlib.util.spec_from_file_location("score", corpus / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("split", type=Path, nargs="?", default=CORPUS / "dev")
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--type", help="only list misses of this fact type")
    parser.add_argument("--ids", help="comma-separated article ids to score (default all)")
    args = parser.parse_args()
    score = _load_score_module(args.split.parent)
    registry = Registry.load(REFERENCE_DIR)
    wanted = set(args.ids.split(",")) if args.ids else None
    predicted: dict[str, list[dict]] = {}
    manifest: dict[str, str] = {}
    started = time.perf_counter()
    for path in sorted(args.split.glob("*.json")):
        article = json.loads(path.read_text())
        if wanted and article["id"] not in wanted:
            continue
        manifest[article["id"]] = article["id"]
        text = ArticleText(
            title=article["title"],
            text="\n\n".join(article["body"]),
            published=dt.date.fromisoformat(article["published"]),
        )
        facts = extract_facts(text, registry)
        predicted[article["id"]] = [
            {"type": f["fact_type"], **{k: f.get(k) for k in (
                "parties", "form", "status", "imposer", "target", "rate_pct", "company", "region")}}
            for f in facts
        ]
    elapsed = time.perf_counter() - started
    if wanted:
        split = Path("/tmp/_eval_split")
        split.mkdir(exist_ok=True)
        for old in split.glob("*.json"):
            old.unlink()
        for path in sorted(args.split.glob("*.json")):
            if path.stem in wanted:
                (split / path.name).write_text(path.read_text())
    else:
        split = args.split
    tallies = score.score(split, {"articles": manifest}, predicted)
    if args.details:
        for name in ("partnership", "tariff", "expansion"):
            if args.type and name != args.type:
                continue
            for kind, art, fact in tallies[name].misses:
                shown = {k: v for k, v in fact.items() if k != "evidence" and v not in (None, [])}
                print(f"{kind:6} {art:10} {json.dumps(shown, ensure_ascii=False, default=str)}")
    for name, t in tallies.items():
        p, r, f1 = t.prf()
        status = t.status_ok / t.status_n if t.status_n else 0.0
        print(f"{name:12} P={p:.3f} R={r:.3f} F1={f1:.3f} tp={t.tp} fp={t.fp} fn={t.fn} status_acc={status:.3f}")
    print(f"{len(manifest)} articles in {elapsed:.2f}s ({len(manifest) / elapsed:.1f} articles/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
