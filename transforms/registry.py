"""Reference data of companies, countries, blocs, macro-regions and media outlets.

Loaded from ``warehouse/reference/*.csv`` (see ``warehouse/reference/README.md``)::

    from warehouse import REFERENCE_DIR
    from transforms.registry import Registry

    reg = Registry.load(REFERENCE_DIR)
    reg.companies_in("Ford Motor Co.'s deal with CATL")   # -> [Mention(Ford), Mention(CATL)]
    reg.places_in("Chinese-built EVs face new U.S. duties")  # -> [China (demonym), United States]

Matching rules (the same for every kind):

* Names match on word boundaries; a possessive ``'s`` / ``’s`` is never part of a mention.
* Single-word names match case-sensitively as written in the CSV, plus their ALL-CAPS form
  (headline styling): ``US`` but not ``us``, ``Smart`` but not ``smart``, ``Ford``/``FORD``.
* Multi-word names of companies and places also match case-insensitively after their first
  word (``Ford Motor company``, ``LG ENERGY SOLUTION``; but not "rising auto" for "Rising
  Auto"), except names that start with "the" (``the States``, not "the states"). Outlet
  names are always case-sensitive (``Automotive News`` but not "automotive news").
* At one position the longest name wins ("LG Energy Solution", not "LG"); mentions do not
  overlap and come in text order.
* Company mentions absorb legal suffixes ("Ford Motor Co." / "SAIC Motor Corp." /
  "Contemporary Amperex Technology Co. Ltd." are one mention each).
* ``places_in`` ignores place names inside a company or outlet name ("Beijing" in
  "Beijing Automotive", "China" in "South China Morning Post") and sub-national places that
  share a name with a country ("Georgia" is the US state, "New Mexico" is not Mexico).
  Pass ``subdivisions=True`` to get US states, Canadian provinces, Chinese provinces, plant
  cities, ... reported as their country (``via='subdivision'``): useful for expansion facts
  ("a plant in Lansing, Michigan" -> United States).
* Stop names (``stopnames.csv``) are matched but never reported: "Continental Europe" is not
  Continental, "Henry Ford" is not Ford, "US$5 billion" is not the US.

One compiled regular expression per kind (all names of the kind factored into a trie, so the
longest name at a position wins); the matched text is mapped back to its entity by a
dictionary look-up. About 0.1-0.3 microseconds per character of text.

"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Company", "Place", "Mention", "Registry", "COMPANY_KINDS", "PLACE_KINDS"]

COMPANY_KINDS = frozenset({"carmaker", "battery", "supplier", "tech", "energy", "investor", "joint_venture", "other"})
PLACE_KINDS = frozenset({"country", "bloc", "region"})


@dataclass(frozen=True)
class Company:
    name: str  # canonical short name ("Ford", "General Motors", "CATL")
    aliases: tuple[str, ...]  # legal names, short names, pinyin names, tickers, brand names
    country: str  # home country, canonical country name
    kind: str  # carmaker | battery | supplier | tech | energy | investor | joint_venture | other


@dataclass(frozen=True)
class Place:
    name: str  # canonical name ("United States", "European Union", "Southeast Asia")
    code: str  # ISO 3166-1 alpha-2 for countries, "EU"/"ASEAN"/... for blocs, "R-..." for regions
    kind: str  # country | bloc | region
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    metonyms: tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    text: str  # the matched span, suffixes included, possessive 's excluded
    start: int
    end: int
    canonical: str
    kind: str  # 'company' | 'country' | 'bloc' | 'region' | 'outlet'
    via: str  # 'name' | 'alias' | 'demonym' | 'metonym' (| 'subdivision' on request)


# Legal and corporate suffixes absorbed into a company mention (case-sensitive).
_SUFFIX = (
    r"(?:Motor\s+Co(?:mpany|rp(?:oration)?)?\.?|Co(?:mpany|rp(?:oration)?)?\.?"
    r"|Inc(?:orporated)?\.?|Ltd\.?|Limited|L\.?L\.?C\.?|AG|SE|S\.A\.|SA|N\.V\.|NV|plc|PLC"
    r"|Group|Holdings?|Motors?|Automobiles?|Automotive|Auto|Technology|Technologies|Tech)"
)
_SUFFIXES = rf"(?:,?\s+{_SUFFIX}(?!\w))*"
# The dot of a name that ends in an abbreviation ("Ford Motor Co" + ".").
_ABBREV_DOT = r"(?:(?<=Co|rp|nc|td)\.)?"
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    """Normalise whitespace, apostrophes and dashes of a matched span for look-up."""
    text = _WS.sub(" ", text.strip())
    return text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("‑", "-")


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _token(ch: str) -> str:
    """Regex piece for one character of a lower-cased form."""
    if ch.isspace():
        return r"\s+"
    if ch in "'’‘":
        return "['’‘]"
    if ch in "-–‑":
        return "[-–‑]"
    return re.escape(ch)


def _trie_pattern(forms: list[str]) -> str:
    """One regex for many literal forms, factored as a trie (matched case-insensitively).

    Optional groups are greedy, so at a given position the longest form that matches wins,
    exactly as with an alternation sorted longest first, but at a fraction of the cost.
    """
    root: dict = {}
    for form in forms:
        node = root
        for ch in form.lower():
            node = node.setdefault(_token(ch), {})
        node[""] = {}

    def emit(node: dict) -> str:
        kids = [tok + emit(child) for tok, child in sorted(node.items()) if tok]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(root) or "(?!)"


_STOP = ("", "stop", "stop")  # payload of a stop name: matched (so it shadows), never reported


class _Matcher:
    """Surface forms of one kind, compiled into one regex and mapped back to payloads.

    The regex (a case-insensitive trie of all forms) finds the longest candidate at each
    position; the case rule of the form is then checked in Python, falling back to a
    shorter form at the same position when the longest one has the wrong case ("us").
    """

    def __init__(self, suffixes: str = "") -> None:
        self._exact: dict[str, tuple] = {}  # exact surface form -> payload
        # casefolded form -> (payload, first words allowed): case-insensitive forms keep the
        # case of their first word
        self._folded: dict[str, tuple[tuple, set[str]]] = {}
        self._suffixes = suffixes
        self._regex: re.Pattern[str] | None = None
        self._names: re.Pattern[str] | None = None
        self._suffix_re: re.Pattern[str] | None = None

    def add(self, form: str, payload: tuple, insensitive: bool, override: bool = False) -> None:
        """Register a surface form; the first registration wins unless ``override``.

        Every form matches as written and in ALL CAPS (when it has 3+ letters); a
        case-insensitive form also matches with any case after its first word ("Ford Motor
        company", "LG ENERGY SOLUTION"), but not "rising auto" for "Rising Auto".
        """
        form = _norm(form)
        if not form:
            return
        forms = [form]
        if sum(1 for c in form if c.isalpha()) >= 3 and form.upper() != form:
            forms.append(form.upper())
        for f in forms:
            if override or f not in self._exact:
                self._exact[f] = payload
        if insensitive:
            key = form.casefold()
            first = form.split(" ", 1)[0]
            old = self._folded.get(key)
            if old is None or (override and old[0] != payload):
                self._folded[key] = (payload, {first})
            elif old[0] == payload:
                old[1].add(first)

    def compile(self) -> None:
        """Mark the forms complete. The regexes are built when first used: a registry
        loaded only for its reference tables (the load) does not pay for them."""
        self._regex = self._names = self._suffix_re = None

    def _pattern(self) -> re.Pattern[str]:
        """The matcher's regex (named groups ``n``, the form, and ``s``, a legal suffix),
        built on first use together with the names-only and suffix regexes."""
        if self._regex is None:
            trie = _trie_pattern(sorted(set(self._exact) | set(self._folded)))
            self._names = re.compile(trie, re.IGNORECASE)
            if self._suffixes:
                self._suffix_re = re.compile(rf"{_ABBREV_DOT}{self._suffixes}(?!\w)")
            self._regex = re.compile(
                rf"(?<![\w&])(?P<n>{trie})(?![\w$])"
                + (rf"(?-i:(?P<s>{_ABBREV_DOT}{self._suffixes}))(?!\w)" if self._suffixes else ""),
                re.IGNORECASE,
            )
        return self._regex

    def _valid(self, text: str) -> tuple | None:
        text = _norm(text)
        hit = self._exact.get(text)
        if hit is not None:
            return hit
        folded = self._folded.get(text.casefold())
        if folded is not None and text.split(" ", 1)[0] in folded[1]:
            return folded[0]
        return None

    def lookup(self, text: str) -> tuple | None:
        hit = self._valid(text)
        return None if hit is _STOP else hit

    def finditer(self, text: str):
        """Yield (start, end, payload) of non-overlapping mentions in text order."""
        regex = self._pattern()
        pos, size = 0, len(text)
        while pos < size:
            m = regex.search(text, pos)
            if m is None:
                return
            start = m.start("n")
            payload = self._valid(m.group("n"))
            end = m.end()
            if payload is None:  # longest candidate has the wrong case: try shorter ones
                end = self._shorter(text, start, m.end("n") - 1)
                if end is None:
                    pos = start + 1
                    continue
                payload = self._valid(text[start:end])
                if self._suffix_re is not None:
                    end = self._suffix_re.match(text, end).end()  # type: ignore[union-attr]
            if payload is not _STOP:
                yield start, end, payload
            pos = end

    def _shorter(self, text: str, start: int, limit: int) -> int | None:
        """End of the longest valid form starting at ``start`` and ending before ``limit``."""
        self._pattern()
        assert self._names is not None
        while limit > start:
            m = self._names.match(text, start, limit)
            if m is None:
                return None
            end = m.end()
            if (end >= len(text) or not _is_word(text[end]) and text[end] != "$") and self._valid(m.group()):
                return end
            limit = end - 1
        return None


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Registry:
    """Entity registry loaded from ``warehouse/reference/*.csv``."""

    companies: tuple[Company, ...]
    places: tuple[Place, ...]

    def __init__(
        self,
        companies: tuple[Company, ...],
        places: tuple[Place, ...],
        memberships: dict[str, frozenset[str]],
        outlets: tuple[tuple[str, tuple[str, ...]], ...] = (),
        parents: dict[str, tuple[str, ...]] | None = None,
        subdivisions: tuple[tuple[str, str, tuple[str, ...]], ...] = (),
        stopnames: tuple[tuple[str, str, tuple[str, ...]], ...] = (),
    ) -> None:
        self.companies = tuple(companies)
        self.places = tuple(places)
        self.outlets = tuple(outlets)
        self._parents = dict(parents or {})
        self._members = dict(memberships)
        self._company_by_key: dict[str, Company] = {}
        self._place_by_key: dict[str, Place] = {}
        self._place_by_name = {p.name: p for p in self.places}
        groups: dict[str, set[str]] = {}
        for group, members in self._members.items():
            for member in members:
                groups.setdefault(member, set()).add(group)
        self._groups = {k: frozenset(v) for k, v in groups.items()}

        self._company_matcher = _Matcher(_SUFFIXES)
        for c in self.companies:
            for form, via in [(c.name, "name")] + [(a, "alias") for a in c.aliases]:
                self._company_matcher.add(form, (c.name, "company", via), _insensitive(form))
                self._company_by_key.setdefault(_norm(form).casefold(), c)
        stops: dict[str, list[str]] = {}
        for name, kind, aliases in stopnames:
            stops.setdefault(kind, []).extend((name, *aliases))
        for form in stops.get("company", ()):
            self._company_matcher.add(form, _STOP, _insensitive(form))
        self._company_matcher.compile()

        self._place_matcher = _Matcher()
        for p in self.places:
            forms = (
                [(p.name, "name")]
                + [(a, "alias") for a in p.aliases]
                + [(d, "demonym") for d in p.demonyms]
                + [(m, "metonym") for m in p.metonyms]
            )
            for form, via in forms:
                self._place_matcher.add(form, (p.name, p.kind, via), _insensitive(form))
        # Sub-national places shadow countries of the same name (Georgia, New Mexico).
        for name, country, aliases in subdivisions:
            for form in (name, *aliases):
                self._place_matcher.add(form, (country, "country", "subdivision"), _insensitive(form), override=True)
        for form in stops.get("place", ()):
            self._place_matcher.add(form, _STOP, _insensitive(form))
        self._place_matcher.compile()
        for p in self.places:
            keys = [p.name, *p.aliases, *p.demonyms, *p.metonyms]
            for key in keys:
                self._place_by_key.setdefault(_norm(key).casefold(), p)
        for p in self.places:  # canonical names and aliases take precedence over demonyms
            for key in (p.name, *p.aliases):
                self._place_by_key[_norm(key).casefold()] = p
        for p in self.places:
            self._place_by_key[_norm(p.name).casefold()] = p
        self._codes = {p.code: p for p in self.places if p.code}

        self._outlet_matcher = _Matcher()
        for name, aliases in self.outlets:
            self._outlet_matcher.add(name, (name, "outlet", "name"), False, override=True)
            for alias in aliases:
                self._outlet_matcher.add(alias, (name, "outlet", "alias"), False)
        for form in stops.get("outlet", ()):
            self._outlet_matcher.add(form, _STOP, False)
        self._outlet_matcher.compile()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, directory: Path) -> Registry:
        directory = Path(directory)
        companies: list[Company] = []
        parents: dict[str, tuple[str, ...]] = {}
        for row in _rows(directory / "companies.csv"):
            company = Company(
                name=row["name"].strip(),
                aliases=_split(row.get("aliases")),
                country=row["country"].strip(),
                kind=row["kind"].strip(),
            )
            companies.append(company)
            if _split(row.get("parent")):
                parents[company.name] = _split(row.get("parent"))
        places: list[Place] = []
        memberships: dict[str, set[str]] = {}
        for row in _rows(directory / "places.csv"):
            place = Place(
                name=row["name"].strip(),
                code=(row.get("code") or "").strip(),
                kind=row["kind"].strip(),
                aliases=_split(row.get("aliases")),
                demonyms=_split(row.get("demonyms")),
                metonyms=_split(row.get("metonyms")),
            )
            places.append(place)
            for group in _split(row.get("regions")):
                memberships.setdefault(group, set()).add(place.name)
        outlets = tuple((row["name"].strip(), _split(row.get("aliases"))) for row in _rows(directory / "outlets.csv"))
        subdivisions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
        if (directory / "subdivisions.csv").exists():
            subdivisions = tuple(
                (row["name"].strip(), row["country"].strip(), _split(row.get("aliases")))
                for row in _rows(directory / "subdivisions.csv")
            )
        stopnames: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
        if (directory / "stopnames.csv").exists():
            stopnames = tuple(
                (row["name"].strip(), row["kind"].strip(), _split(row.get("aliases")))
                for row in _rows(directory / "stopnames.csv")
            )
        return cls(
            tuple(companies),
            tuple(places),
            {k: frozenset(v) for k, v in memberships.items()},
            outlets,
            parents,
            subdivisions,
            stopnames,
        )

    # ----------------------------------------------------------------- matching
    def companies_in(self, text: str) -> list[Mention]:
        return [
            Mention(text[s:e], s, e, canonical, kind, via)
            for s, e, (canonical, kind, via) in self._company_matcher.finditer(text)
        ]

    def outlets_in(self, text: str) -> list[Mention]:
        return [
            Mention(text[s:e], s, e, canonical, kind, via)
            for s, e, (canonical, kind, via) in self._outlet_matcher.finditer(text)
        ]

    def places_in(self, text: str, *, subdivisions: bool = False) -> list[Mention]:
        """Countries, blocs and macro-regions, by name, alias, demonym or metonym."""
        mentions = [
            Mention(text[s:e], s, e, canonical, kind, via)
            for s, e, (canonical, kind, via) in self._place_matcher.finditer(text)
            if via != "subdivision" or (subdivisions and canonical)
        ]
        if not mentions:
            return mentions
        covers = [(c.start, c.end) for c in self.companies_in(text) + self.outlets_in(text)]
        if not covers:
            return mentions
        return [p for p in mentions if not any(s <= p.start and p.end <= e for s, e in covers)]

    # ------------------------------------------------------------------ look-up
    def company(self, name: str) -> Company | None:
        """A company by canonical name or any alias (case-insensitive, suffixes ignored)."""
        key = _norm(name or "").casefold()
        found = self._company_by_key.get(key)
        if found is None and key:
            m = self._company_matcher._pattern().fullmatch(_norm(name))
            if m is not None:
                found = self._company_by_key.get(_norm(m.group("n")).casefold())
        return found

    def place(self, name: str) -> Place | None:
        """A place by canonical name, alias, ISO code (upper case), demonym or metonym."""
        name = _norm(name or "")
        found = self._place_by_key.get(name.casefold())
        if found is None and name.isupper():
            found = self._codes.get(name)
        if found is None and name.casefold().startswith("the "):
            found = self._place_by_key.get(name.casefold()[4:])
        return found

    def region_members(self, region: str) -> frozenset[str]:
        """Canonical country names of a macro-region or bloc (empty if unknown)."""
        place = self.place(region)
        return self._members.get(place.name if place else region, frozenset())

    def regions_of(self, country: str) -> frozenset[str]:
        """Macro-regions (kind 'region') containing a country."""
        place = self.place(country)
        groups = self._groups.get(place.name if place else country, frozenset())
        return frozenset(g for g in groups if self._kind_of(g) == "region")

    def blocs_of(self, country: str) -> frozenset[str]:
        """Blocs (kind 'bloc': European Union, ASEAN, Mercosur, EFTA) a country belongs to."""
        place = self.place(country)
        groups = self._groups.get(place.name if place else country, frozenset())
        return frozenset(g for g in groups if self._kind_of(g) == "bloc")

    def parents_of(self, company: str) -> tuple[str, ...]:
        """Owner(s) of a brand, unit or joint venture, as canonical company names."""
        found = self.company(company)
        return self._parents.get(found.name if found else company, ())

    def outlet(self, name: str) -> str | None:
        """Canonical outlet name for an outlet name or alias (exact case)."""
        hit = self._outlet_matcher.lookup(name or "")
        return hit[0] if hit else None

    def _kind_of(self, name: str) -> str | None:
        place = self._place_by_name.get(name)
        return place.kind if place else None


def _insensitive(form: str) -> bool:
    """Multi-word names match case-insensitively, except those starting with 'the'."""
    form = _norm(form)
    return " " in form and not form.casefold().startswith("the ")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if row.get("name") and not row["name"].lstrip().startswith("#")]
