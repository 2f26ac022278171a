"""Tests of transforms.expansions: regional expansion facts, one test per pattern family."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.expansions import extract_expansions
from transforms.registry import Registry
from warehouse import REFERENCE_DIR

PUBLISHED = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(REFERENCE_DIR)


def _facts(registry: Registry, sentences: list[str], title: str = "") -> set[tuple]:
    found = extract_expansions(sentences, title, PUBLISHED, registry)
    return {(f["company"], f["region"], f["form"], f["status"]) for f in found}


def test_plant_in_a_country_with_its_status(registry: Registry) -> None:
    assert _facts(
        registry,
        [
            "Hyundai will build an assembly plant in Vietnam.",
            "Toyota opened a car factory in Poland on Monday.",
            "Nissan has shelved its planned assembly plant in Indonesia.",
        ],
    ) == {
        ("Hyundai", "Vietnam", "production", "planned"),
        ("Toyota", "Poland", "production", "active"),
        ("Nissan", "Indonesia", "production", "cancelled"),
    }


def test_city_with_country_and_bare_province(registry: Registry) -> None:
    assert _facts(
        registry,
        [
            "Kia's plant in Zilina, Slovakia, is due to start building EVs next year.",
            "Honda is building a battery factory in Ontario.",
        ],
    ) == {
        ("Kia", "Slovakia", "production", "planned"),
        ("Honda", "Canada", "production", "planned"),
    }


def test_selling_and_entering_a_market(registry: Registry) -> None:
    assert _facts(
        registry,
        [
            "Xpeng started selling cars in Norway in 2021.",
            "Great Wall entered the Brazilian market last year.",
        ],
    ) == {
        ("Xpeng", "Norway", "sales", "active"),
        ("Great Wall", "Brazil", "sales", "active"),
    }


def test_region_that_only_places_a_country_is_not_a_fact_of_its_own(registry: Registry) -> None:
    facts = _facts(registry, ["Chery will open its first European factory in Valencia, Spain."])
    assert facts == {("Chery", "Spain", "production", "planned")}


def test_demonym_of_a_region_before_a_site_noun(registry: Registry) -> None:
    facts = _facts(registry, ["Geely picks Turkey for its first Middle Eastern car plant"])
    assert ("Geely", "Middle East", "production", "planned") not in facts
    assert _facts(registry, ["Nio opens a Scandinavian assembly plant"]) == {("Nio", "Europe", "production", "active")}


def test_coordinated_regions_and_companies(registry: Registry) -> None:
    assert _facts(registry, ["Nio is growing sales in Europe, the Middle East and Oceania."]) == {
        ("Nio", region, "sales", "active") for region in ("Europe", "Middle East", "Oceania")
    }
    assert _facts(registry, ["Geely, Xpeng and Nio are moving assembly into Southeast Asia."]) == {
        (company, "Southeast Asia", "production", "planned") for company in ("Geely", "Xpeng", "Nio")
    }


def test_market_list_continues_the_previous_sentence(registry: Registry) -> None:
    facts = _facts(
        registry,
        [
            "Xpeng has begun selling its SUVs in Europe this spring.",
            "The first markets are Sweden, Denmark and Norway.",
            "Poland is expected to follow next year.",
        ],
    )
    assert facts == {
        ("Xpeng", "Europe", "sales", "active"),
        ("Xpeng", "Sweden", "sales", "active"),
        ("Xpeng", "Denmark", "sales", "active"),
        ("Xpeng", "Norway", "sales", "active"),
        ("Xpeng", "Poland", "sales", "planned"),
    }


def test_company_named_as_an_example_of_a_group(registry: Registry) -> None:
    facts = _facts(registry, ["Japanese carmakers, including Toyota, are expanding sales in Africa."])
    assert facts == {("Toyota", "Africa", "sales", "active")}


def test_those_regions_and_there_take_earlier_places(registry: Registry) -> None:
    facts = _facts(
        registry,
        [
            "Kia is growing sales in Africa and South Asia while increasing localized production in those regions.",
        ],
    )
    assert ("Kia", "South Asia", "production", "active") in facts
    assert len(facts) == 4
    facts = _facts(
        registry,
        [
            "Chery signed an investment agreement with officials in Vietnam on Friday.",
            "The company will build a factory there.",
        ],
    )
    assert facts == {("Chery", "Vietnam", "production", "planned")}


def test_negated_hedged_and_sector_statements_are_no_facts(registry: Registry) -> None:
    assert (
        _facts(
            registry,
            [
                "Xiaomi does not sell cars in Japan.",
                "Tesla could build a plant in India, people familiar with the matter said.",
                "Chinese automakers are building plants in Hungary.",
                "Renault denied that it would open a factory in Morocco.",
            ],
        )
        == set()
    )


def test_origin_and_old_sites_are_no_facts(registry: Registry) -> None:
    assert _facts(
        registry,
        [
            "Volvo raised prices on cars shipped from China.",
            "Chery will build cars on the site of a former Nissan plant in Spain.",
        ],
    ) == {("Chery", "Spain", "production", "planned")}


def test_home_country_needs_news_of_new_capacity(registry: Registry) -> None:
    assert _facts(registry, ["Ford builds pickups in Michigan."]) == set()
    assert _facts(registry, ["Ford will build a second battery plant in Tennessee."]) == {
        ("Ford", "United States", "production", "planned")
    }


def test_title_is_read_as_a_sentence_and_is_the_evidence(registry: Registry) -> None:
    title = "Leapmotor to start sales in Australia"
    found = extract_expansions(["Prices were not given."], title, PUBLISHED, registry)
    assert [(f["company"], f["region"], f["evidence"]) for f in found] == [("Leapmotor", "Australia", title)]


def test_brand_made_by_another_company_is_the_actor(registry: Registry) -> None:
    facts = _facts(registry, ["Nissan will stop building Mitsubishi cars in Mexico."])
    assert facts == {("Mitsubishi Motors", "Mexico", "production", "cancelled")}
    facts = _facts(registry, ["Geely will start assembling Zeekr models in Malaysia."])
    assert facts == {("Geely", "Malaysia", "production", "planned")}


def test_owner_named_before_a_unit_is_not_the_actor(registry: Registry) -> None:
    facts = _facts(registry, ["Geely's unit Zeekr will open a showroom in Brazil next month."])
    assert facts == {("Zeekr", "Brazil", "sales", "planned")}


def test_habitual_production_in_a_describing_clause_is_background(registry: Registry) -> None:
    facts = _facts(registry, ["Honda, which builds cars in Mexico and Thailand, declined to comment."])
    assert facts == set()


def test_relative_clauses_keep_their_own_statements(registry: Registry) -> None:
    facts = _facts(
        registry,
        [
            "Xiaomi, which plans to sell cars in Europe, builds all its cars in China.",
            "Prices are rising in Mexico, where Chery started selling cars in 2022.",
        ],
    )
    assert facts == {
        ("Xiaomi", "Europe", "sales", "planned"),
        ("Chery", "Mexico", "sales", "active"),
    }


def test_region_claimed_on_its_own_stays_beside_its_members(registry: Registry) -> None:
    facts = _facts(registry, ["Zeekr will enter Chile and Peru as it expands in Latin America."])
    assert {(company, region) for company, region, _, _ in facts} == {
        ("Zeekr", "Chile"),
        ("Zeekr", "Peru"),
        ("Zeekr", "Latin America"),
    }
    facts = _facts(registry, ["In Southeast Asia, Geely's plant in Malaysia has been running since May."])
    assert facts == {("Geely", "Malaysia", "production", "active")}


def test_restrictive_that_clause_is_about_the_company_before_it(registry: Registry) -> None:
    facts = _facts(registry, ["Ford has a venture with SK On that is building cell plants in Tennessee."])
    assert facts == {("SK On", "United States", "production", "planned")}


def test_region_as_scope_of_an_expansion_noun_is_a_claim(registry: Registry) -> None:
    facts = _facts(registry, ["Chery plans a Europe expansion with a launch in Italy"])
    assert facts == {("Chery", "Europe", "sales", "planned"), ("Chery", "Italy", "sales", "planned")}


def test_leaving_a_market_is_cancelled(registry: Registry) -> None:
    assert _facts(registry, ["Mitsubishi will withdraw from China."]) == {
        ("Mitsubishi Motors", "China", "sales", "cancelled")
    }


def test_evidence_is_the_whole_sentence(registry: Registry) -> None:
    sentence = "In a statement, BYD said its factory in Uzbekistan has been running since May."
    found = extract_expansions([sentence], "", PUBLISHED, registry)
    assert [(f["region"], f["status"], f["evidence"]) for f in found] == [("Uzbekistan", "active", sentence)]
