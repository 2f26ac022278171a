"""Score the fact extractor on the private held-out articles (or any gold split).

    python benchmarks/eval_holdout.py [SPLIT_DIR] [--details] [--json]

The held-out articles in ``tests/fixtures/holdout`` were written apart from the dev split,
with other companies, countries, tariffs and writing styles, so their figures estimate how
the extractor does on unseen text. Matching follows the corpus ``score.py``: partnerships by
the set of parties, tariffs by imposer, target and rate, expansions by company, region and
form; status accuracy is measured on matched facts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from transforms.facts import ArticleText, extract_facts  # noqa: E402
from transforms.registry import Registry  # noqa: E402
from warehouse import REFERENCE_DIR  # noqa: E402

HOLDOUT = ROOT / "tests" / "fixtures" / "holdout"
CORPUS = Path(os.environ.get("NEWSLEDGER_CORPUS", ROOT.parent / "shared" / "corpus"))
SCORED_FIELDS = ("parties", "form", "status", "imposer", "target", "rate_pct", "company", "region")
FACT_TYPES = ("partnership", "tariff", "expansion", "all")


def load_scorer(corpus: Path = CORPUS) -> ModuleType:
    """Import the corpus ``score.py`` as module ``score``.

    Raises FileNotFoundError when the corpus has no ``score.py``; set NEWSLEDGER_CORPUS.
    """
    path = corpus / "score.py"
    if not path.exists():
        msg = f"no scorer at {path}; set NEWSLEDGER_CORPUS to the gold corpus folder"
        raise FileNotFoundError(msg)
    spec = importlib.util.spec_from_file_location("score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def predict_split(split: Path, registry: Registry) -> dict[str, list[dict[str, Any]]]:
    """Run the extractor on every article of a split; facts keyed by article id."""
    predicted: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(split.glob("*.json")):
        article = json.loads(path.read_text())
        text = ArticleText(
            title=article["title"],
            text="\n\n".join(article["body"]),
            published=dt.date.fromisoformat(article["published"]),
        )
        predicted[article["id"]] = [
            {"type": fact["fact_type"], **{k: fact.get(k) for k in SCORED_FIELDS}}
            for fact in extract_facts(text, registry)
        ]
    return predicted


def evaluate(split: Path = HOLDOUT, corpus: Path = CORPUS) -> dict[str, Any]:
    """Score the extractor on ``split``.

    Returns ``{"figures": {type: {precision, recall, f1, tp, fp, fn, status_accuracy}},
    "misses": [(kind, article_id, fact), ...]}`` for types partnership, tariff, expansion, all.
    """
    score = load_scorer(corpus)
    predicted = predict_split(split, Registry.load(REFERENCE_DIR))
    manifest = {"articles": {article_id: article_id for article_id in predicted}}
    tallies = score.score(split, manifest, predicted)
    figures: dict[str, dict[str, Any]] = {}
    for name in FACT_TYPES:
        tally = tallies[name]
        precision, recall, f1 = tally.prf()
        figures[name] = {
            "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "tp": tally.tp, "fp": tally.fp, "fn": tally.fn,
            "status_accuracy": round(tally.status_ok / tally.status_n, 3) if tally.status_n else None,
        }
    misses = [miss for name in FACT_TYPES[:-1] for miss in tallies[name].misses]
    return {"figures": figures, "misses": misses}


def _print_report(result: dict[str, Any], details: bool) -> None:
    """Print misses (when asked) and one line of figures per fact type."""
    if details:
        for kind, article_id, fact in result["misses"]:
            shown = {k: v for k, v in fact.items() if k != "evidence" and v not in (None, [])}
            print(f"{kind:6} {article_id:10} {json.dumps(shown, ensure_ascii=False, default=str)}")
    for name, f in result["figures"].items():
        print(f"{name:12} P={f['precision']:.3f} R={f['recall']:.3f} F1={f['f1']:.3f} "
              f"tp={f['tp']} fp={f['fp']} fn={f['fn']} status_acc={f['status_accuracy']}")


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("split", type=Path, nargs="?", default=HOLDOUT)
    parser.add_argument("--details", action="store_true", help="list missed and extra facts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = evaluate(args.split)
    if args.json:
        print(json.dumps(result["figures"], indent=1))
    else:
        _print_report(result, args.details)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
