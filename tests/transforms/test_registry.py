"""Tests of the entity registry (transforms/registry.py + warehouse/reference/*.csv)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from transforms.registry import COMPANY_KINDS, PLACE_KINDS, Registry
from warehouse import REFERENCE_DIR

MACRO_REGIONS = {
    "Europe",
    "Southeast Asia",
    "Latin America",
    "North America",
    "Middle East",
    "Africa",
    "South Asia",
    "Oceania",
    "East Asia",
    "Central Asia",
}


@pytest.fixture(scope="module")
def reg() -> Registry:
    return Registry.load(REFERENCE_DIR)


def companies(reg: Registry, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.canonical) for m in reg.companies_in(text)]


def places(reg: Registry, text: str, **kw) -> list[tuple[str, str]]:
    return [(m.text, m.canonical) for m in reg.places_in(text, **kw)]


# ---------------------------------------------------------------- companies
def test_possessive_is_not_part_of_the_mention(reg):
    text = "Ford's licensing deal and BYD’s plant"
    found = reg.companies_in(text)
    assert [(m.text, m.canonical) for m in found] == [("Ford", "Ford"), ("BYD", "BYD")]
    assert text[found[0].start : found[0].end] == "Ford"
    assert text[found[1].start : found[1].end] == "BYD"


@pytest.mark.parametrize(
    "text, span, canonical",
    [
        ("Ford Motor Co. said", "Ford Motor Co.", "Ford"),
        ("Ford Motor Co.'s deal", "Ford Motor Co.", "Ford"),
        ("Contemporary Amperex Technology Co. Ltd. will", "Contemporary Amperex Technology Co. Ltd.", "CATL"),
        ("SAIC Motor Corp. agreed", "SAIC Motor Corp.", "SAIC"),
        ("Tesla Inc. and", "Tesla Inc.", "Tesla"),
        ("the Volkswagen Group's", "Volkswagen Group", "Volkswagen"),
        ("Zhejiang Geely Holding Group Co., Ltd. owns", "Zhejiang Geely Holding Group Co., Ltd.", "Geely"),
        ("Hyundai Motor Group said", "Hyundai Motor Group", "Hyundai"),
    ],
)
def test_suffixes_are_absorbed(reg, text, span, canonical):
    assert companies(reg, text) == [(span, canonical)]


def test_longest_match_wins(reg):
    assert companies(reg, "LG Energy Solution and LG Chem")[0] == ("LG Energy Solution", "LG Energy Solution")
    assert companies(reg, "a deal with SK On") == [("SK On", "SK On")]
    assert companies(reg, "Samsung SDI") == [("Samsung SDI", "Samsung SDI")]


def test_case_sensitive_short_names(reg):
    assert companies(reg, "gm and byd and catl") == []
    assert companies(reg, "GM and BYD") == [("GM", "General Motors"), ("BYD", "BYD")]
    assert companies(reg, "a smart move, a mini boom, a seat on the board") == []
    # multi-word names: case-insensitive after the first word
    assert companies(reg, "Ford motor company") == [("Ford motor company", "Ford")]
    assert companies(reg, "LG ENERGY SOLUTION") == [("LG ENERGY SOLUTION", "LG Energy Solution")]
    assert companies(reg, "rising auto sales and solid power output") == []
    assert companies(reg, "TOYOTA and Toyota") == [("TOYOTA", "Toyota"), ("Toyota", "Toyota")]


def test_aliases(reg):
    assert companies(reg, "Xiaopeng Motors") == [("Xiaopeng Motors", "Xpeng")]
    assert companies(reg, "Hon Hai Precision Industry") == [("Hon Hai Precision Industry", "Foxconn")]
    assert companies(reg, "Saudi Aramco") == [("Saudi Aramco", "Aramco")]
    assert companies(reg, "VW") == [("VW", "Volkswagen")]


def test_stop_names_shadow_companies(reg):
    assert companies(reg, "Continental Europe and the Ford Foundation") == []
    assert companies(reg, "Continental and Ford") == [("Continental", "Continental"), ("Ford", "Ford")]


def test_units_and_joint_ventures_are_their_own_companies(reg):
    assert companies(reg, "BlueOval SK, SAIC-GM-Wuling and Daimler Truck") == [
        ("BlueOval SK", "BlueOval SK"),
        ("SAIC-GM-Wuling", "SAIC-GM-Wuling"),
        ("Daimler Truck", "Daimler Truck"),
    ]
    assert reg.company("BlueOval SK").kind == "joint_venture"
    assert companies(reg, "Mitsubishi Corp. and Mitsubishi") == [
        ("Mitsubishi Corp.", "Mitsubishi Corporation"),
        ("Mitsubishi", "Mitsubishi Motors"),
    ]
    assert companies(reg, "Leapmotor International") == [("Leapmotor International", "Leapmotor")]


def test_company_lookup(reg):
    assert reg.company("ford motor company").name == "Ford"
    assert reg.company("Ford Motor Co.").name == "Ford"
    assert reg.company("hon hai").name == "Foxconn"
    assert reg.company("LGES").name == "LG Energy Solution"
    assert reg.company("no such company") is None
    assert reg.parents_of("BlueOval SK") == ("Ford", "SK On")


def test_enough_companies(reg):
    assert len(reg.companies) >= 150
    assert all(c.kind in COMPANY_KINDS for c in reg.companies)


def test_every_company_country_is_a_known_country(reg):
    countries = {p.name for p in reg.places if p.kind == "country"}
    assert [c.name for c in reg.companies if c.country not in countries] == []


def test_parents_are_known_companies(reg):
    names = {c.name for c in reg.companies}
    bad = [(c.name, p) for c in reg.companies for p in reg.parents_of(c.name) if p not in names]
    assert bad == []


def test_no_alias_maps_to_two_companies():
    owners: dict[str, set[str]] = defaultdict(set)
    with open(REFERENCE_DIR / "companies.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for form in [row["name"], *row["aliases"].split("|")]:
                if form.strip():
                    owners[form.strip().casefold()].add(row["name"])
    clashes = {form: names for form, names in owners.items() if len(names) > 1}
    assert clashes == {}


def test_corpus_names_are_canonical(reg):
    for name in [
        "Ford",
        "General Motors",
        "Stellantis",
        "Volkswagen",
        "Toyota",
        "BYD",
        "CATL",
        "Xiaomi",
        "Geely",
        "SAIC",
        "Leapmotor",
        "Tesla",
        "Hyundai",
        "Nissan",
        "Honda",
        "Renault",
        "Xpeng",
        "Chery",
        "LG Energy Solution",
        "SK On",
        "Samsung SDI",
        "Mitsubishi Motors",
        "Audi",
        "Rivian",
        "FAW",
        "GAC",
        "Ebro",
        "Foxconn",
        "Aramco",
    ]:
        assert reg.company(name) is not None and reg.company(name).name == name


# ------------------------------------------------------------------- places
def test_us_is_case_sensitive(reg):
    assert places(reg, "He told us that") == []
    assert places(reg, "US tariffs") == [("US", "United States")]
    assert places(reg, "U.S. duties") == [("U.S.", "United States")]
    assert places(reg, "eu and uk") == []


def test_currency_and_stop_names(reg):
    assert places(reg, "raised US$5 billion") == []
    assert places(reg, "under the Paris Agreement, Paris said") == [("Paris", "France")]
    assert places(reg, "Washington, D.C., said") == [("Washington, D.C.", "United States")]
    assert places(reg, "Indiana and India") == [("India", "India")]


def test_demonyms_and_metonyms(reg):
    found = reg.places_in("Chinese-built EVs face new duties, Washington said")
    assert [(m.canonical, m.via) for m in found] == [("China", "demonym"), ("United States", "metonym")]
    assert places(reg, "Beijing retaliated") == [("Beijing", "China")]
    assert places(reg, "a South Korean battery maker") == [("South Korean", "South Korea")]
    assert places(reg, "Hungarian officials") == [("Hungarian", "Hungary")]


def test_blocs_and_regions(reg):
    found = reg.places_in("The EU and Brussels; European buyers; Latin American markets")
    assert [(m.canonical, m.kind) for m in found] == [
        ("European Union", "bloc"),
        ("European Union", "bloc"),
        ("Europe", "region"),
        ("Latin America", "region"),
    ]
    assert places(reg, "Southeast Asia and South America") == [
        ("Southeast Asia", "Southeast Asia"),
        ("South America", "Latin America"),
    ]


def test_aliases_of_countries(reg):
    assert places(reg, "Türkiye and Czechia and Holland") == [
        ("Türkiye", "Turkey"),
        ("Czechia", "Czech Republic"),
        ("Holland", "Netherlands"),
    ]
    assert places(reg, "the UK and Britain and mainland China") == [
        ("UK", "United Kingdom"),
        ("Britain", "United Kingdom"),
        ("mainland China", "China"),
    ]
    assert places(reg, "North Korea and Korea") == [("North Korea", "North Korea"), ("Korea", "South Korea")]


def test_places_inside_company_and_outlet_names_are_skipped(reg):
    assert places(reg, "Beijing Automotive Group said") == []
    assert places(reg, "the South China Morning Post reported") == []


def test_subdivisions_shadow_countries(reg):
    assert places(reg, "Hyundai's Georgia plant in New Mexico") == []
    assert places(reg, "a plant in Szeged, Hungary", subdivisions=True) == [
        ("Szeged", "Hungary"),
        ("Hungary", "Hungary"),
    ]
    assert places(reg, "its Georgia plant", subdivisions=True) == [("Georgia", "United States")]


def test_region_membership(reg):
    assert "Hungary" in reg.region_members("Europe")
    assert "Thailand" in reg.region_members("Southeast Asia")
    assert {"United States", "Canada", "Mexico"} <= reg.region_members("North America")
    assert reg.regions_of("Mexico") == {"North America", "Latin America"}
    assert reg.regions_of("Turkey") == {"Europe", "Middle East"}
    assert "Hungary" in reg.region_members("European Union")
    assert reg.blocs_of("Hungary") == {"European Union"}
    assert "United Kingdom" not in reg.region_members("European Union")
    assert len(reg.region_members("European Union")) == 27
    assert len(reg.region_members("ASEAN")) == 10
    assert reg.region_members("EFTA") == {"Iceland", "Liechtenstein", "Norway", "Switzerland"}


def test_place_data(reg):
    kinds = defaultdict(set)
    for p in reg.places:
        kinds[p.kind].add(p.name)
        assert p.kind in PLACE_KINDS
    assert kinds["region"] == MACRO_REGIONS
    assert {"European Union", "ASEAN", "Mercosur", "EFTA"} <= kinds["bloc"]
    assert len(kinds["country"]) >= 196
    assert {"Taiwan", "Hong Kong", "Kosovo"} <= kinds["country"]
    # every country lies in at least one macro-region
    assert [c for c in kinds["country"] if not reg.regions_of(c)] == []
    codes = [p.code for p in reg.places]
    assert len(codes) == len(set(codes))


def test_no_place_form_maps_to_two_places(reg):
    owners: dict[str, set[str]] = defaultdict(set)
    for p in reg.places:
        for form in (p.name, *p.aliases, *p.demonyms, *p.metonyms):
            owners[form.casefold()].add(p.name)
    assert {f: n for f, n in owners.items() if len(n) > 1} == {}


def test_place_lookup(reg):
    assert reg.place("usa").name == "United States"
    assert reg.place("the Netherlands").name == "Netherlands"
    assert reg.place("DE").name == "Germany"
    assert reg.place("European").name == "Europe"
    assert reg.place("Atlantis") is None


CORPUS = Path("/work/shared/corpus/dev")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="gold corpus not available")
def test_gold_names_are_canonical_registry_names(reg):
    """Every company, country and region the gold corpus names is a canonical registry name."""
    missing = set()
    for path in sorted(CORPUS.glob("*.json")):
        for fact in json.loads(path.read_text())["facts"]:
            names = []
            if fact["type"] == "partnership":
                names = [("company", p) for p in fact["parties"]]
            elif fact["type"] == "expansion":
                names = [("company", fact["company"]), ("place", fact["region"])]
            elif fact["type"] == "tariff":
                names = [("place", fact["imposer"]), ("place", fact.get("target"))]
            for kind, value in names:
                for name in value if isinstance(value, list) else [value]:
                    if name is None:
                        continue
                    found = reg.company(name) if kind == "company" else reg.place(name)
                    if found is None or found.name != name:
                        missing.add((kind, name))
    assert missing == set()


# ------------------------------------------------------------------ outlets
def test_outlets(reg):
    found = reg.outlets_in("Reuters and the FT, citing The Information and the South China Morning Post")
    assert [m.canonical for m in found] == [
        "Reuters",
        "Financial Times",
        "The Information",
        "South China Morning Post",
    ]
    assert reg.outlets_in("the information was automotive news") == []
    assert reg.outlet("WSJ") == "Wall Street Journal"
