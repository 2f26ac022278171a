"""Natural keys and tariff product categories."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.normalise import fact_identity, fact_mentions_frame, product_category, stable_id, state_valid_from


@pytest.mark.parametrize(("product", "category"), [
    ("battery electric vehicles", "electric vehicles"),
    ("Chinese-made EVs", "electric vehicles"),
    ("lithium-ion batteries for electric vehicles", "batteries"),
    ("imported cars and light trucks", "vehicles"),
    ("auto parts such as engines", "vehicle parts"),
    ("steel and aluminium products", "steel and aluminum"),
    (None, "goods"),
])
def test_product_category(product: str | None, category: str) -> None:
    assert product_category(product) == category


def test_partnership_identity_ignores_order_and_form() -> None:
    first = {"fact_type": "partnership", "parties": ["Nissan", "Honda"], "form": "merger"}
    second = {"fact_type": "partnership", "parties": ["Honda", "Nissan"], "form": "collaboration"}
    assert fact_identity(first) == fact_identity(second)


def test_tariff_identity_keeps_the_company_and_the_goods() -> None:
    base = {"fact_type": "tariff", "imposer": "European Union", "target": "China", "product": "electric cars"}
    assert fact_identity(base) != fact_identity({**base, "company": "BYD"})
    assert fact_identity(base) != fact_identity({**base, "product": "batteries"})
    assert fact_identity(base) == fact_identity({**base, "product": "battery electric vehicles"})


def test_in_effect_tariff_holds_from_its_effective_date() -> None:
    fact = {"fact_type": "tariff", "status": "in_effect", "effective_date": dt.date(2024, 10, 30)}
    assert state_valid_from(fact) == dt.datetime(2024, 10, 30, tzinfo=dt.UTC)
    assert state_valid_from({**fact, "status": "proposed"}) is None


def test_repeated_mentions_in_one_article_collapse_and_ids_are_stable() -> None:
    fact = {"fact_type": "expansion", "company": "BYD", "region": "Hungary", "form": "production",
            "status": "planned", "evidence": "BYD will build a plant in Hungary.", "article_id": "a1",
            "article_url": "https://x.example/a", "published_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}
    frame = fact_mentions_frame([fact, dict(fact)], "run-1", "v1")
    assert frame.height == 1
    assert frame["fact_id"][0] == stable_id("expansion|BYD|Hungary|production")
