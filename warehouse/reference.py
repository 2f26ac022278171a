"""Reference tables of the warehouse: ``core.dim_company`` and ``core.dim_place``.

They are filled from the entity registry (``warehouse/reference/*.csv``, read by
``transforms.registry.Registry.load``) so that analysts' queries resolve the same names,
aliases and macro-regions that the extractors use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from transforms.registry import Registry


def load_reference(con: duckdb.DuckDBPyConnection, registry: Registry) -> dict[str, int]:
    """Replace the rows of ``core.dim_company`` and ``core.dim_place`` with ``registry``'s, in one transaction.

    ``dim_place.regions`` holds, for a country, the macro-regions it belongs to (kind
    'region', e.g. Hungary -> [Europe]); for a macro-region or a bloc, its member countries.
    Returns the number of rows loaded per table. Any error rolls both tables back.
    """
    con.execute("BEGIN")
    try:
        counts = replace_reference(con, registry)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def replace_reference(con: duckdb.DuckDBPyConnection, registry: Registry) -> dict[str, int]:
    """As ``load_reference``, inside the caller's transaction (a run's load)."""
    companies = _company_rows(registry)
    places = _place_rows(registry)
    con.execute("DELETE FROM core.dim_company")
    con.execute("DELETE FROM core.dim_place")
    if companies:
        con.executemany("INSERT INTO core.dim_company (name, aliases, country, kind) VALUES (?, ?, ?, ?)",
                        companies)
    if places:
        con.executemany(
            "INSERT INTO core.dim_place (name, code, kind, aliases, demonyms, regions) VALUES (?, ?, ?, ?, ?, ?)",
            places)
    return {"dim_company": len(companies), "dim_place": len(places)}


def _company_rows(registry: Registry) -> list[tuple[str, list[str], str | None, str | None]]:
    """One row per canonical company name (the first definition wins)."""
    rows = {}
    for company in registry.companies:
        rows.setdefault(company.name, (company.name, list(company.aliases), company.country or None,
                                       company.kind or None))
    return list(rows.values())


def _place_rows(registry: Registry) -> list[tuple[str, str | None, str, list[str], list[str], list[str]]]:
    """One row per canonical place name, with its macro-regions (country) or members (region, bloc)."""
    rows = {}
    for place in registry.places:
        groups = registry.regions_of if place.kind == "country" else registry.region_members
        regions = groups(place.name)
        rows.setdefault(place.name, (place.name, place.code or None, place.kind, list(place.aliases),
                                     list(place.demonyms), sorted(regions)))
    return list(rows.values())
