"""Tests of transforms.mentions: company mentions with in-article references."""

from __future__ import annotations

import pytest

from transforms.mentions import company_mentions, org_mentions, resolve_company_mentions
from transforms.registry import Registry
from warehouse import REFERENCE_DIR


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(REFERENCE_DIR)


def _names(mentions: list) -> list[tuple[str, str]]:
    return [(m.canonical, m.via) for m in mentions]


def test_explicit_mentions_skip_outlet_names(registry: Registry) -> None:
    [found] = resolve_company_mentions(["Tesla Inc. met Nissan, the Financial Times reported."], "", registry)
    assert [m.canonical for m in found] == ["Tesla", "Nissan"]


def test_demonym_description_picks_the_company_from_that_country(registry: Registry) -> None:
    sentences = ["Renault said it would build vans with Geely.", "The Chinese automaker will ship parts."]
    _, second = resolve_company_mentions(sentences, "", registry)
    assert _names(second) == [("Geely", "reference")]
    assert second[0].text == "The Chinese automaker" and second[0].start == 0


def test_city_based_description_uses_the_city_country(registry: Registry) -> None:
    sentences = ["Toyota met BYD executives.", "The Shenzhen-based company declined to comment."]
    assert _names(resolve_company_mentions(sentences, "", registry)[1]) == [("BYD", "reference")]


def test_plain_description_takes_the_latest_company(registry: Registry) -> None:
    sentences = ["Hyundai raised its forecast.", "The company now expects growth."]
    assert _names(resolve_company_mentions(sentences, "", registry)[1]) == [("Hyundai", "reference")]


def test_plural_reference_gives_the_last_two_companies(registry: Registry) -> None:
    sentences = ["Kia and LG Energy Solution met in Seoul.", "The two companies gave no details."]
    second = resolve_company_mentions(sentences, "", registry)[1]
    assert sorted(m.canonical for m in second) == ["Kia", "LG Energy Solution"]
    assert {m.text for m in second} == {"The two companies"}


def test_title_is_context_for_the_first_sentence(registry: Registry) -> None:
    [first] = resolve_company_mentions(["The automaker gave no reason."], "Nissan cuts output", registry)
    assert _names(first) == [("Nissan", "reference")]


def test_sentence_opening_pronoun_needs_a_subject_antecedent(registry: Registry) -> None:
    sentences = ["Honda cut prices.", "It also trimmed output.", "The car uses Honda parts.", "It is red."]
    resolved = resolve_company_mentions(sentences, "", registry)
    assert _names(resolved[1]) == [("Honda", "reference")]
    assert resolved[3] == []


def test_description_that_fits_no_company_is_left_unresolved(registry: Registry) -> None:
    sentences = ["Ford opened a plant.", "The Korean battery maker was not involved."]
    assert resolve_company_mentions(sentences, "", registry)[1] == []


def test_the_two_before_a_verb_and_they_refer_to_the_last_pair(registry: Registry) -> None:
    sentences = ["Subaru and Mazda studied a tie-up.", "The two dropped it.", "They gave no reason."]
    resolved = resolve_company_mentions(sentences, "", registry)
    assert sorted(m.canonical for m in resolved[1]) == ["Mazda", "Subaru"]
    assert sorted(m.canonical for m in resolved[2]) == ["Mazda", "Subaru"]


def test_plural_reference_after_three_companies_is_left_unresolved(registry: Registry) -> None:
    sentences = ["Kia, Mazda and Subaru raised prices.", "Both companies blamed costs."]
    assert resolve_company_mentions(sentences, "", registry)[1] == []


def test_pronoun_after_an_opening_adverbial(registry: Registry) -> None:
    sentences = ["Lucid raised cash.", "In June it agreed to buy a plant."]
    [pronoun] = resolve_company_mentions(sentences, "", registry)[1]
    assert (pronoun.canonical, pronoun.text, pronoun.start) == ("Lucid", "it", 8)


def test_unknown_organisations_come_from_ner_but_not_public_bodies(registry: Registry) -> None:
    text = "Kia signed a supply deal with Arcadia Batteries Inc., the European Commission said."
    found = org_mentions(text, registry, company_mentions(text, registry))
    assert [(m.canonical, m.via) for m in found] == [("Arcadia Batteries", "ner")]
