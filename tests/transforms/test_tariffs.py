"""Tests of transforms.tariffs: tariff facts, one test per pattern family."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.registry import Registry
from transforms.tariffs import extract_tariffs
from warehouse import REFERENCE_DIR

PUBLISHED = dt.date(2025, 3, 10)  # a Monday


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(REFERENCE_DIR)


def _facts(registry: Registry, sentences: list[str], title: str = "") -> list[dict]:
    return extract_tariffs(sentences, title, PUBLISHED, registry)


def _keys(registry: Registry, sentences: list[str], title: str = "") -> set[tuple]:
    return {(f["imposer"], f["target"], f["rate_pct"], f["status"]) for f in _facts(registry, sentences, title)}


def test_imposing_verbs_and_origin_phrases(registry: Registry) -> None:
    assert _keys(
        registry,
        [
            "Mexico levies a 50% tariff on cars from China.",
            "Turkey imposed an extra 40% duty on vehicles made in Japan.",
            "India charges a 70 percent surtax on Korean-built trucks.",
        ],
    ) == {
        ("Mexico", "China", 50.0, "in_effect"),
        ("Turkey", "Japan", 40.0, "in_effect"),
        ("India", "South Korea", 70.0, "in_effect"),
    }


def test_possessive_and_adjacent_imposers_in_one_sentence(registry: Registry) -> None:
    assert _keys(
        registry,
        [
            "Brazil's 35% levy on Chinese EVs and the 25% U.S. tariff on Mexican steel both apply.",
        ],
    ) == {("Brazil", "China", 35.0, "in_effect"), ("United States", "Mexico", 25.0, "in_effect")}


def test_metonyms_agencies_and_the_bloc_stand_for_the_imposer(registry: Registry) -> None:
    assert _keys(
        registry,
        [
            "Ottawa added a 25% surtax on Chinese aluminum.",
            "USTR confirmed a 50% duty on Chinese solar wafers.",
            "The bloc's anti-dumping duty on Chinese e-bikes is 79.3%.",
            "Beijing answered with a 15% tariff on U.S. coal.",
        ],
    ) == {
        ("Canada", "China", 25.0, "in_effect"),
        ("United States", "China", 50.0, "in_effect"),
        ("European Union", "China", 79.3, "in_effect"),
        ("China", "United States", 15.0, "in_effect"),
    }


def test_up_to_rates_and_rates_listed_per_company(registry: Registry) -> None:
    facts = _facts(
        registry,
        [
            "The European Commission set duties of up to 38.1% on electric cars built in China.",
            "Under the ruling, Geely pays 19.3%, BYD 17% and SAIC 38.1%.",
        ],
    )
    rates = {(f["rate_pct"], f["company"]) for f in facts}
    assert rates == {(38.1, "SAIC"), (19.3, "Geely"), (17.0, "BYD")}
    assert {(f["imposer"], f["target"]) for f in facts} == {("European Union", "China")}
    assert all(isinstance(f["rate_pct"], float) for f in facts)


def test_context_lends_imposer_and_target_to_the_next_sentences(registry: Registry) -> None:
    assert _keys(
        registry,
        [
            "Ankara has applied a 40% surcharge on Chinese cars since July.",
            "Other exporters pay 20%.",
            "Washington went further.",
            "The rate on Chinese batteries doubles to 50% on Jan. 1, 2026.",
        ],
    ) == {
        ("Turkey", "China", 40.0, "in_effect"),
        ("Turkey", "China", 20.0, "in_effect"),
        ("United States", "China", 50.0, "proposed"),
    }


def test_a_rate_without_imposer_or_context_is_not_a_fact(registry: Registry) -> None:
    assert _facts(registry, ["The rate for most exporters is 21%, officials said."]) == []


def test_duties_on_all_imports_have_no_target(registry: Registry) -> None:
    assert _keys(
        registry,
        [
            "Indonesia's 30% duty on Thai-made cars comes on top of the standard 10% import tariff.",
            "South Africa charges 25% on imported vehicles.",
        ],
    ) == {
        ("Indonesia", "Thailand", 30.0, "in_effect"),
        ("Indonesia", None, 10.0, "in_effect"),
        ("South Africa", None, 25.0, "in_effect"),
    }


def test_rate_changes_give_the_old_and_the_new_rate(registry: Registry) -> None:
    assert _keys(
        registry,
        [
            "Mexico's tariff on Chinese cars rises from 20% to 50% next year.",
            "Brazil raised its import tax on Chinese EVs from 10% to 18% in July.",
            "The U.S. tariff on Japanese cars is 15%, down from 27.5%.",
        ],
    ) == {
        ("Mexico", "China", 20.0, "in_effect"),
        ("Mexico", "China", 50.0, "proposed"),
        ("Brazil", "China", 10.0, "lifted"),
        ("Brazil", "China", 18.0, "in_effect"),
        ("United States", "Japan", 15.0, "in_effect"),
        ("United States", "Japan", 27.5, "lifted"),
    }


def test_status_from_verbs_and_dates(registry: Registry) -> None:
    facts = _facts(
        registry,
        [
            "Chile will impose a 20% tariff on Chinese steel.",
            "Peru's 10% duty on Chinese tyres takes effect on April 1.",
            "Vietnam lifted its 70% tariff on Thai cars.",
            "Colombia's 15% surtax on Chinese motorcycles took effect on Feb. 3.",
        ],
    )
    found = {(f["imposer"], f["status"], f["effective_date"]) for f in facts}
    assert found == {
        ("Chile", "proposed", None),
        ("Peru", "proposed", dt.date(2025, 4, 1)),
        ("Vietnam", "lifted", None),
        ("Colombia", "in_effect", dt.date(2025, 2, 3)),
    }


def test_hypothetical_tariffs_are_not_facts(registry: Registry) -> None:
    assert (
        _facts(
            registry,
            [
                "Chinese EVs could face tariffs of up to 50% if talks fail.",
                "If approved, the 45% duty would apply to all cars made in China.",
                "Analysts expect Mexico to raise its duty on Chinese cars to 50%.",
                "Tokyo is considering a 20% tariff on Chinese steel.",
            ],
        )
        == []
    )


def test_reported_plans_with_would_are_proposed(registry: Registry) -> None:
    assert _keys(
        registry,
        [
            "Canberra announced in May that it would raise its tariff on Chinese EVs to 25%.",
        ],
    ) == {("Australia", "China", 25.0, "proposed")}


def test_percentages_that_are_not_tariff_rates(registry: Registry) -> None:
    assert (
        _facts(
            registry,
            [
                "BYD's market share in Europe rose to 3% despite the EU's duties on Chinese cars.",
                "Stellantis holds a 21% stake in Leapmotor, whose cars face EU duties.",
                "Exports of Chinese EVs to Mexico fell 20% after the tariff took effect.",
                "Tesla cut prices by 5% to absorb the duty.",
                "The duties were raised by 10 percentage points in 2023.",
            ],
        )
        == []
    )


def test_tariff_without_rate_only_when_no_rate_is_given(registry: Registry) -> None:
    alone = _facts(registry, ["Tariffs on Chinese solar panels remain in place in India."])
    assert [(f["imposer"], f["target"], f["rate_pct"]) for f in alone] == [("India", "China", None)]
    with_rate = _keys(
        registry,
        [
            "India's 20% duty on Chinese solar panels took effect in 2022.",
            "Duties on Chinese solar panels remain in place in India.",
        ],
    )
    assert with_rate == {("India", "China", 20.0, "in_effect")}


def test_evidence_is_the_sentence_or_the_title(registry: Registry) -> None:
    body = "Morocco will levy a 17.5% duty on cars imported from Turkey."
    title = "Morocco slaps 40% duty on Turkish trucks"
    facts = _facts(registry, [body], title=title)
    by_rate = {f["rate_pct"]: f["evidence"] for f in facts}
    assert by_rate == {17.5: body, 40.0: title}
    assert all(f["fact_type"] == "tariff" for f in facts)


def test_rates_in_bullet_lists_and_parentheses(registry: Registry) -> None:
    bullets = _facts(registry, [
        "Final Turkish duties on Chinese-made trucks, by maker:",
        "Foton: 22%",
        "Dongfeng: 31.5%",
    ])
    assert {(f["imposer"], f["target"], f["rate_pct"], f["company"]) for f in bullets} == {
        ("Turkey", "China", 22.0, "Foton"),
        ("Turkey", "China", 31.5, "Dongfeng"),
    }
    listed = _facts(registry, [
        "The Commission set rates for Geely (19.3%) and SAIC (38.1%) on Chinese-made EVs.",
    ])
    assert {(f["rate_pct"], f["company"]) for f in listed} == {(19.3, "Geely"), (38.1, "SAIC")}


def test_the_country_and_the_government_stand_for_the_last_named_country(
    registry: Registry,
) -> None:
    assert _keys(registry, [
        "Brazil became the largest market for Chinese EVs last year.",
        "The government restored its import tax on electric cars at 18% in July.",
    ]) == {("Brazil", None, 18.0, "in_effect")}


def test_places_that_face_a_duty_or_join_an_origin_are_targets(registry: Registry) -> None:
    assert _keys(registry, [
        "Vietnam faces a 46% tariff from Washington.",
        "Canberra keeps a 5% duty on cars from Thailand and Malaysia.",
    ]) == {
        ("United States", "Vietnam", 46.0, "in_effect"),
        ("Australia", "Thailand", 5.0, "in_effect"),
    }
    assert _facts(registry, ["Parts from Mexico and Canada are exempt from the 25% tariff."]) == []


def test_ranges_of_increases_are_not_rates(registry: Registry) -> None:
    assert _facts(registry, [
        "Moscow raised its scrappage levy on imported cars by 70% to 85% from October.",
    ]) == []


def test_a_rounded_headline_rate_is_the_body_rate(registry: Registry) -> None:
    facts = _facts(
        registry,
        ["Ankara set an additional duty of 38.7% on cars built in China."],
        title="Turkey slaps 39% duty on Chinese cars",
    )
    assert [f["rate_pct"] for f in facts] == [38.7]


def test_a_rate_seen_before_keeps_its_imposer(registry: Registry) -> None:
    assert _keys(registry, [
        "A 25% tariff on imported passenger cars took effect in the United States on Monday.",
        "Ottawa said it would answer with a 25% duty on U.S.-made trucks.",
        "Seoul, which faces the same 25% rate, is seeking an exemption.",
    ]) == {
        ("United States", None, 25.0, "in_effect"),
        ("Canada", "United States", 25.0, "proposed"),
        ("United States", "South Korea", 25.0, "in_effect"),
    }


def test_goods_come_from_the_rate_phrase_or_the_article(registry: Registry) -> None:
    facts = _facts(registry, [
        "Ankara imposed a 40% duty on electric cars made in China.",
        "Togg rivals such as BYD pay 40% and Chery 35%.",
        "Turkey also charges 20% on Chinese steel.",
    ])
    assert {(f["rate_pct"], f["product"]) for f in facts} == {
        (40.0, "electric cars"), (35.0, "electric cars"), (20.0, "steel"),
    }
