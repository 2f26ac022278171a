"""Accuracy gate of the fact extractor on the held-out articles in tests/fixtures/holdout.

The held-out articles were written apart from the dev split (other companies, countries,
tariffs and writing styles) and score the extractor as ``benchmarks/eval_holdout.py``
does. Floors sit a margin below the measured figures (77 articles, 211 facts; all facts
P=0.962 R=0.839 F1=0.896, status 0.949; partnership P=0.983 F1=0.879; tariff P=0.981
F1=0.927; expansion P=0.932 F1=0.889), so a change that costs precision on unseen text
fails here. Raise a floor when the figures improve; never lower one to make a change pass.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from transforms.facts import ArticleText, extract_facts
from transforms.registry import Registry
from warehouse import REFERENCE_DIR

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("NEWSLEDGER_CORPUS", ROOT.parent / "shared" / "corpus"))
HOLDOUT = ROOT / "tests" / "fixtures" / "holdout"
PRECISION_FLOOR = {"all": 0.93, "partnership": 0.93, "tariff": 0.94, "expansion": 0.89}
F1_FLOOR = {"all": 0.86, "partnership": 0.84, "tariff": 0.89, "expansion": 0.85}
STATUS_FLOOR = 0.92


def _load_benchmark() -> ModuleType:
    """Import benchmarks/eval_holdout.py (the benchmarks folder is no package)."""
    spec = importlib.util.spec_from_file_location("eval_holdout", ROOT / "benchmarks" / "eval_holdout.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, Any]]:
    """Scores of the extractor on the held-out split, by fact type."""
    if not (CORPUS / "score.py").exists():
        pytest.skip(f"no gold corpus scorer at {CORPUS}; set NEWSLEDGER_CORPUS")
    return _load_benchmark().evaluate(HOLDOUT, CORPUS)["figures"]


def test_holdout_articles_are_well_formed() -> None:
    """Every held-out article has the corpus fields and evidence found in its text."""
    paths = sorted(HOLDOUT.glob("*.json"))
    assert len(paths) >= 16
    for path in paths:
        article = json.loads(path.read_text())
        texts = [article["title"], *article["body"]]
        for fact in article["facts"]:
            assert fact["type"] in {"partnership", "tariff", "expansion"}, path.name
            assert any(fact["evidence"] in text for text in texts), (path.name, fact["evidence"])


@pytest.mark.parametrize("fact_type", sorted(PRECISION_FLOOR))
def test_holdout_precision_floor(figures: dict[str, dict[str, Any]], fact_type: str) -> None:
    """Precision on unseen articles stays above its floor."""
    assert figures[fact_type]["precision"] >= PRECISION_FLOOR[fact_type], figures[fact_type]


@pytest.mark.parametrize("fact_type", sorted(F1_FLOOR))
def test_holdout_f1_floor(figures: dict[str, dict[str, Any]], fact_type: str) -> None:
    """F1 on unseen articles stays above its floor."""
    assert figures[fact_type]["f1"] >= F1_FLOOR[fact_type], figures[fact_type]


def test_holdout_status_accuracy(figures: dict[str, dict[str, Any]]) -> None:
    """Matched facts mostly carry the right status."""
    assert figures["all"]["status_accuracy"] >= STATUS_FLOOR, figures["all"]


def test_holdout_no_facts_in_fact_free_articles() -> None:
    """Articles with no gold facts (stock debut, statistics, opinion) yield none."""
    registry = Registry.load(REFERENCE_DIR)
    for path in sorted(HOLDOUT.glob("*.json")):
        article = json.loads(path.read_text())
        if article["facts"]:
            continue
        published = dt.date.fromisoformat(article["published"])
        text = ArticleText(article["title"], "\n\n".join(article["body"]), published)
        assert extract_facts(text, registry) == [], path.name


def test_holdout_dir_is_the_benchmark_default() -> None:
    """The benchmark scores this folder when given no split."""
    assert _load_benchmark().HOLDOUT == HOLDOUT
