"""Tests of transforms.partnerships: one test per family of partnership patterns."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.partnerships import extract_partnerships
from transforms.registry import Registry
from warehouse import REFERENCE_DIR

DAY = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(REFERENCE_DIR)


def _facts(registry: Registry, *sentences: str, title: str = "") -> list[tuple]:
    facts = extract_partnerships(list(sentences), title, DAY, registry)
    return sorted((tuple(f["parties"]), f["form"], f["status"]) for f in facts)


def test_coordinated_subjects_forming_a_joint_venture(registry: Registry) -> None:
    facts = _facts(registry, "Kia and SK On formed a joint venture to build cells in Indiana.")
    assert facts == [(("Kia", "SK On"), "joint_venture", "agreed")]


def test_joint_venture_company_stands_for_its_parents(registry: Registry) -> None:
    facts = _facts(registry, "Ford delayed a plant of BlueOval SK, its joint venture with SK On.")
    assert facts == [(("Ford", "SK On"), "joint_venture", "agreed")]


def test_licence_from_a_licensor_takes_the_article_company_as_licensee(registry: Registry) -> None:
    facts = _facts(
        registry,
        "The Michigan site will use battery technology licensed from CATL.",
        title="Ford resumes work on Michigan battery site",
    )
    assert facts == [(("CATL", "Ford"), "licensing", "agreed")]


def test_supplier_supplying_a_customer(registry: Registry) -> None:
    facts = _facts(registry, "Panasonic will supply Mazda with cylindrical cells from 2027.")
    assert facts == [(("Mazda", "Panasonic"), "supply", "agreed")]


def test_stake_purchase_and_largest_shareholder_are_investments(registry: Registry) -> None:
    facts = _facts(
        registry,
        "Renault will invest $300 million in Nio for a 5% stake.",
        "Mitsubishi Motors, in which Nissan is the largest shareholder, cut its outlook.",
    )
    assert facts == [
        (("Mitsubishi Motors", "Nissan"), "investment", "agreed"),
        (("Nio", "Renault"), "investment", "agreed"),
    ]


def test_confirmed_talks_negotiate_and_media_talks_are_reported(registry: Registry) -> None:
    assert _facts(registry, "Kia and Mazda are in talks about a merger.") == [
        (("Kia", "Mazda"), "merger", "negotiating")
    ]
    assert _facts(registry, "Kia and Mazda are in merger talks, the Nikkei reported.") == [
        (("Kia", "Mazda"), "merger", "reported")
    ]


def test_denied_report_is_a_denial(registry: Registry) -> None:
    facts = _facts(registry, "Toyota denied a report that it was discussing a tie-up with Nio.")
    assert facts == [(("Nio", "Toyota"), "collaboration", "denied")]


def test_called_off_venture_has_ended(registry: Registry) -> None:
    facts = _facts(registry, "Geely and Renault called off their planned joint venture in Korea.")
    assert facts == [(("Geely", "Renault"), "joint_venture", "ended")]


def test_hypotheticals_and_negations_are_no_facts(registry: Registry) -> None:
    assert (
        _facts(
            registry,
            "Analysts say Ford could form a joint venture with BYD.",
            "Honda has no partnership with Nio.",
        )
        == []
    )


def test_three_party_deal_is_one_fact(registry: Registry) -> None:
    facts = _facts(registry, "Toyota agreed with Mazda and Subaru to jointly develop new engines.")
    assert facts == [(("Mazda", "Subaru", "Toyota"), "collaboration", "agreed")]


def test_plural_joint_ventures_pair_the_subject_with_each_partner(registry: Registry) -> None:
    facts = _facts(registry, "Volkswagen runs joint ventures with SAIC and with FAW in China.")
    assert facts == [
        (("FAW", "Volkswagen"), "joint_venture", "agreed"),
        (("SAIC", "Volkswagen"), "joint_venture", "agreed"),
    ]


def test_outlets_are_never_parties(registry: Registry) -> None:
    facts = extract_partnerships(["Nio and Geely signed a battery partnership, Bloomberg reported."], "", DAY, registry)
    assert [f["parties"] for f in facts] == [["Geely", "Nio"]]
    assert facts[0]["status"] == "reported"


def test_title_status_wins_over_later_statements(registry: Registry) -> None:
    facts = _facts(
        registry,
        "The two carmakers first discussed cooperation in 2019.",
        "Kia and Mazda said they were negotiating.",
        title="Kia and Mazda end merger talks",
    )
    assert facts == [(("Kia", "Mazda"), "merger", "ended")]


def test_evidence_is_the_whole_sentence(registry: Registry) -> None:
    sentence = "Hyundai teamed up with Samsung SDI on solid-state cells."
    [fact] = extract_partnerships([sentence], "", DAY, registry)
    assert fact["evidence"] == sentence and fact["fact_type"] == "partnership"


def test_unknown_organisation_can_be_a_party(registry: Registry) -> None:
    facts = _facts(registry, "Kia signed a supply deal with Arcadia Batteries Inc. for its Georgia plant.")
    assert facts == [(("Arcadia Batteries", "Kia"), "supply", "agreed")]


def test_conditional_outcome_of_a_deal_is_no_fact(registry: Registry) -> None:
    assert _facts(registry, "A merger of Mazda and Subaru would create a larger rival, analysts said.") == []
