"""Regular expressions of partnership extraction (forms, statuses, clause structure).

Patterns run on a *masked* sentence in which every company mention is replaced by a
slot token ``§A``, ``§B``, ... (see ``transforms.partnerships``), so they can speak of
companies without knowing their names.
"""

from __future__ import annotations

import re

SLOT = r"§[A-Z]"
SLOT_TOKEN = re.compile(SLOT)
GROUP = rf"{SLOT}(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|\s+&\s+){SLOT})*"

_JOINT_WORK = r"(?:build|open|set\s+up|establish|develop|produce|make)\b"
# Form triggers, most specific first; a clause takes the first form that matches.
FORM_TRIGGERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "merger",
        re.compile(
            r"\bmerg(?:e|es|ed|er|ers|ing)\b|\bintegrat(?:e|ing|ion)\s+(?:of\s+)?(?:their|its)\s+"
            r"(?:businesses|operations)|\bunder\s+a\s+(?:joint|common)\s+holding\s+company",
            re.I,
        ),
    ),
    ("joint_venture", re.compile(r"\bjoint[- ]?ventures?\b|\bJVs?\b|\bventures?\b(?!\s+capital)", re.I)),
    ("licensing", re.compile(r"\blicen[cs](?:e|es|ed|ing|or|ee)\b", re.I)),
    (
        "investment",
        re.compile(
            r"\binvest(?:s|ed|ing|ment|ments)?\s+(?:[^§;]{0,60}?\s)?in\s+(?:[\w’'-]+\s+){0,2}?§"
            r"|\binvest(?:s|ed|ing)?\s+in\s+[^§;]{0,60}?\bincluding\s+§"
            r"|\b(?:a|its|the|their|minority|majority|controlling|\d[\d.,]*(?:%|pc)?)\s+(?:percent\s+|per[\s-]cent\s+)?stake\b"
            r"|\bacquir(?:e|es|ed|ing)\s+(?:[\w’'-]+\s+){0,2}?§|\b(?:acquisition|takeover)\s+of\s+(?:[\w’'-]+\s+){0,2}?§"
            r"|\b(?:take|takes|taking|took|taken)\s+over\s+§|\bbuy(?:s|ing)?\s+into\s+§"
            r"|\bstake\s+(?:of|in)\b|\d[\d.,]*\s*(?:%|percent|per[\s-]cent)\s+of\s+(?:(?:[\w’'-]+\s+){0,2}?§|it\b"
            r"|the\s+(?:joint\s+)?venture\b)"
            r"|\b(?:largest|biggest|major|controlling|top)\s+shareholder\b|\bshares?\s+in\s+§"
            r"|\b(?:funding|financing|capital\s+injection)\b|§[A-Z]-controlled\b|\bowned\s+(?:\d[\d.,]*\s*(?:%|percent|per[\s-]cent)\s+|50[-:/]50\s+|jointly\s+|equally\s+)?by\s+(?:[\w’'-]+\s+){0,2}?§"
            r"|\b(?:50[-:/]50|fifty-fifty)\s+(?:venture|joint|owned|partnership|split)\b"
            r"|\b(?:holding|shareholding|interest)\s+in\s+§",
            re.I,
        ),
    ),
    (
        "supply",
        re.compile(
            r"\bsuppl(?:y|ies|ied|ying)\s+(?:[\w§’'-]+\s+){0,3}?(?:with|to)\b|-supplied\b"
            r"|\bsupply\s+(?:deal|agreement|contract|pact)\b|\bsupplier\s+(?:to|of|for)\s+§|\bto\s+supply\s+§"
            r"|\b(?:buy|buys|bought|buying|source|sources|sourced|sourcing|procure|procures)\s+"
            r"(?:[\w’'-]+\s+){0,3}?(?:cells|batteries|battery\s+packs|chips|motors|engines|"
            r"components|parts|modules)\s+from\b|\b(?:cell|battery|chip|parts)?\s*orders?\s+"
            r"(?:[\w’'-]+\s+){0,2}?(?:from|with|to)\s+§",
            re.I,
        ),
    ),
    (
        "collaboration",
        re.compile(
            r"\bpartnerships?\b|\bpartner(?:ed|ing|s)?\s+with\b|\b(?:its|their)\s+(?:[\w’'-]+\s+)?"
            r"partners?\s+§|\balliances?\b|\bcollaborat\w*|\bco-?operat(?:e|es|ed|ing|ion)\b"
            r"|\bmemorandum\b|\bMoU\b|\btie-?ups?\b|\bti(?:e|es|ed|ing)\s+up\s+with\b|\bteam(?:ed|s|ing)?\s+up\b|\bjoin(?:s|ed|ing)?\s+forces\b"
            r"|\b(?:work|build|develop|make|produce)\w*\s+(?:[\w-]+\s+){0,4}?together\b|\bco-develop\w*"
            r"|\bjointly\s+develop\w*|\b(?:develop|assembl|build|produc|manufactur)\w*\s+(?:[^§;]{0,80}?)"
            r"\bwith\s+(?:it\b|(?:[\w’'-]+\s+){0,2}?§)"
            r"|\b(?:agreement|deal|pact|accord|contract)s?\s+to\s+(?:use|buy|source|license|licence|share)\s+"
            r"(?:[\w’'-]+\s+){0,3}?§"
            r"|\b(?:agreement|deal|pact|accord)s?\s+(?:with|between)\s+§|\b(?:signed|sign|signs|signing|struck|strike|reached|reach|agreed)\s+(?:a|an|the|their)?\s*(?:[\w-]+\s+){0,3}?(?:agreement|deal|pact|accord)\b|\btalks\b|\bdiscussions?\b|\bnegotiat\w+"
            r"|\bunder\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:agreement|deal|contract|partnership)\b"
            r"|\bwork(?:s|ed|ing)?\s+(?:closely\s+)?with\s+(?:[\w’'-]+\s+){0,2}?§"
            r"|\bapproach(?:ed|es|ing)?\s+§|\bas\s+(?:its|their|a)\s+(?:[\w-]+\s+){0,2}?partner\b"
            # "§A and §B to build a plant", "a plant is to be built ... by §A and §B"
            rf"|{GROUP}\s+(?:to|will|plan\s+to|agreed\s+to|are\s+to)\s+(?:jointly\s+)?{_JOINT_WORK}"
            r"|\b(?:is|are|will\s+be|to\s+be)\s+(?:jointly\s+)?(?:built|set\s+up|established)\s+(?:[^§;]{0,60}?)"
            r"\bby\s+§[A-Z]\s+and\s+§",
            re.I,
        ),
    ),
)
PLURAL_TRIGGER = re.compile(r"\b(?:joint[- ]?ventures|ventures|partnerships|alliances|JVs)\b", re.I)

# Clause boundaries inside a sentence (the partner of a deal rarely crosses them).
CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s*:\s+|\s+[—–]\s+|—|\s*,\s*with\s+(?=§[A-Z]\s+[a-z]+ing\b)|\s*,\s*(?=(?:while|but|although|whereas|when|including|"
    r"making|leaving|on\s+top\s+of|a\s+move|in\s+what|even\s+as|as\s+well\s+as|and\s+that|"
    r"according\s+to|which|who|whose|in\s+which|where|unlike|compared\s+with|"
    r"(?:[\w-]+\s+){0,3}?(?:after|before|since|until)\b))|\s+(?=(?:while|whereas|although|"
    r"even\s+as)\b)|\s*,\s*and\s+(?=(?!with\b|to\b|in\b|from\b|of\b|its\b|their\b|the\b)[a-z]+\b)"
    rf"|(?<!{SLOT},\s{SLOT}),\s*and\s+(?={GROUP}\s+[a-z])"
    r"|\s+and\s+(?=(?:also\s+)?(?:holds|owns|runs|operates|took|takes|bought|buys|supplies|supplied"
    r"|invested|invests|signed|formed|set\s+up)\b)"
)
# A clause that opens with its verb ("... and holds 4.99% of §C"): the sentence's subject acts.
VERB_START = re.compile(
    r"^\s*(?:also\s+)?(?:holds|owns|runs|operates|took|takes|bought|buys|supplies|supplied|invested"
    r"|invests|signed|formed|set\s+up)\b"
)
# Deals a company makes with each of several others ("buys cells from §B, §C and §D").
BILATERAL_FORMS = frozenset({"supply", "licensing", "investment"})
RELATIVE = re.compile(r"^(?:which|who|whose|in\s+which|where)\b")
TRAILING_GROUP = re.compile(rf"({GROUP})[’'s]*\s*$")
# A company name used as a modifier of a place or product ("a former Nissan plant").
MODIFIER_USE = re.compile(
    r"[’']?s?\s*(?:[A-Z0-9][\w-]*\d[\w-]*\s+|[A-Z][a-z]*-[A-Z][\w-]*\s+)?(?:plants?|factory|factories|site|facility|works|shares|stock|board|"
    r"executives?|chief|CEO|president|chairman|spokes\w+|models?|cars?|vehicles?|SUVs?|"
    r"sedans?|dealers?|showrooms?|brand)\b"
    r"|[’']?s?\s+(?:[\w-]+\s+){0,2}?(?:unit|subsidiary|arm|division|affiliate)\b"
    # the first of coordinated brands ("its Jeep and Ram models")
    r"|\s+(?:and|&|or)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?\s+(?:models?|cars|vehicles|SUVs|brands|pickups)\b"
)
FORMER = re.compile(r"\bformer\s+$", re.I)
# The owner named after a unit it owns ("Nio Power, the battery-swapping unit of Nio").
UNIT_OF = re.compile(
    r"\b(?:unit|subsidiary|arm|division|affiliate)\s+of\s+(?:[\w’'-]+\s+){0,3}?$", re.I
)
# "§B, the Chinese carmaker in which it owns a fifth": "it" is the article's main company.
IN_WHICH_IT = re.compile(
    rf"(?P<o>{SLOT})\s*,\s*(?:{SLOT}\s+)?(?:[^,;§]{{0,50}}?\s)?in\s+which\s+it\s+(?:also\s+)?(?:holds|owns|has)\s+"
    r"(?:a\s+|an\s+|about\s+|roughly\s+|around\s+|nearly\s+|almost\s+|just\s+(?:under|over)\s+)*"
    r"(?:\d[\d.,]*\s*(?:%|percent|per[\s-]cent)|stake|majority|minority|controlling"
    r"|(?:a\s+)?(?:fifth|quarter|third|tenth)|half)",
    re.I,
)
# "a joint venture with §X" in a sentence naming no other company: the main company's venture.
VENTURE_WITH = re.compile(
    rf"\b(?:(?:joint[- ])?ventures?|partnership|alliance)\s*,?\s+with\s+(?:[\w’'-]+\s+){{0,2}}?{SLOT}",
    re.I,
)
# Licence or supply "from §X" with no licensee in the sentence: the article's main company.
FROM_PARTNER = re.compile(
    rf"\b(?:licen[cs]ed|bought|sourced|supplied|purchased|buys|sources)\s+(?:[\w’'-]+\s+){{0,3}}?"
    rf"from\s+(?:[\w’'-]+\s+){{0,2}}?{SLOT}",
    re.I,
)

# "§B, in which §A is the largest shareholder" / "§A, §B's largest shareholder".
IN_WHICH_SHAREHOLDER = re.compile(
    rf"(?P<o>{SLOT})\s*,\s*(?:in\s+which|of\s+which)\s+(?P<s>{SLOT})\s+(?:(?:is|was|remains|has\s+been)"
    r"\s+(?:the\s+)?(?:largest|biggest|main|top|controlling|majority|a\s+major)\s+(?:shareholder|"
    r"investor|owner|stakeholder)|(?:also\s+)?(?:holds|owns|has|controls)\s+(?:a\s+|an\s+|about\s+|"
    r"roughly\s+|around\s+|nearly\s+|almost\s+|just\s+(?:under|over|below|above)\s+)*(?:\d[\d.,]*\s*(?:%|percent|per[\s-]cent)|stake|majority|"
    r"(?:a\s+)?(?:fifth|quarter|third|tenth)|half|"
    r"minority|controlling))",
    re.I,
)
APPOSITIVE_SHAREHOLDER = re.compile(
    rf"(?P<s>{SLOT})\s*,\s*(?:the\s+)?(?P<o>{SLOT})[’']s?\s+(?:largest|biggest|main|top|"
    r"controlling|majority)\s+(?:shareholder|investor|owner)",
    re.I,
)
# "§A (also) joined / signed on to the talks": joins the parties of the talks before.
JOINED_TALKS = re.compile(
    rf"^(?P<s>{SLOT})[\s,]+(?:\w+\s+)?(?:(?:joined|signed\s+on\s+to|entered|was\s+brought\s+into)\s+"
    r"the\s+(?:talks|discussions|negotiations)|(?:taking|took|takes|to\s+take)\s+part\b)",
    re.I,
)

# Status cues (checked on the clause, the reported cue also on the whole sentence).
ENDED = re.compile(
    r"\b(?:call(?:ed|s|ing)?\s+off|terminat\w+|dissolv\w+|wound\s+up|wind(?:s|ing)?\s+up"
    r"|dropp(?:ed|ing)\s+(?:\w+\s+)?plans?|scrap(?:s|ped|ping)?|abandon(?:s|ed|ing)?"
    r"|cancel(?:s|led|ed|ling|ing)?|broke\s+off|break(?:s|ing)?\s+off|pull(?:ed|s)?\s+out"
    r"|(?:end|ended|ending|ends)\s+(?:\w+\s+){0,2}?(?:talks|discussions|negotiations|"
    r"partnership|alliance|venture|joint\s+venture|cooperation|agreement|deal|the\s+discussions)"
    r"|collapse[ds]?|exit(?:ed|s|ing)?\s+(?:the|its|their)|sold\s+(?:its|their)\s+(?:\w+\s+)?stake"
    r"|unwind\w*|split\s+up|parted\s+ways|walked\s+away)\b",
    re.I,
)
# Ending verbs whose object is a pronoun ("but the two ended them in February").
ENDED_ANY = re.compile(
    r"\b(?:ended|terminated|called\s+off|scrapped|abandoned|cancell?ed|dropped|broke\s+off)"
    r"\s+(?:it|them|the\s+(?:talks|discussions|plan|deal|venture|agreement))\b",
    re.I,
)
DENIED = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|denials?|dismiss(?:ed|es)?\s+(?:the\s+)?(?:report|speculation)"
    r"|no\s+plans?\s+to|(?:was|is|are|were)\s+not\s+(?:aiming|planning|seeking|in\s+talks)"
    r"|reports?\s+(?:\w+\s+){0,8}?(?:are|were|was|is)\s+(?:false|untrue|inaccurate|baseless)"
    r"|no\s+such\s+(?:talks|discussions|plans?)|rejected\s+(?:the\s+)?reports?"
    r"|(?:were|was|been)\s+dismissed)\b",
    re.I,
)
# What makes a denial a fact: there were reports to deny.
REPORT_WORDS = re.compile(r"\b(?:reports?|reported|speculation|rumou?rs?|media)\b", re.I)
REPORTED = re.compile(
    r"\b(?:reported(?:ly)?|sources\b(?!\s+of)|report(?:s)?\s+(?:say|said|that)|according\s+to\s+(?:people|sources|"
    r"reports?|a\s+person|persons|media)|people\s+familiar|person\s+familiar|sources?\s+(?:said|"
    r"say|familiar|close)|allegedly|alleged|rumou?r\w*|speculation|media\s+(?:say|said|report\w*)"
    r"|was\s+said\s+to|is\s+said\s+to|unnamed\s+sources)\b",
    re.I,
)
NEGOTIATING = re.compile(
    r"\b(?:in\s+talks|talks|discuss(?:ed|es|ing|ions?)|negotiat\w+|exploring|explore[sd]?"
    r"|considering|studying|in\s+discussions|approach(?:ed|es|ing)?|weigh(?:s|ed|ing))\b",
    re.I,
)
# Hypotheticals and negations that make a clause no fact: modal verbs always, tentative
# words unless the clause reports talks ("in talks about a possible merger").
MODAL = re.compile(
    r"\b(?:could|might|may|should|would\s+(?:consider|like|welcome|be\s+open)|hop(?:e|es|ed|ing)"
    r"|if|expected\s+to\s+consider|open\s+to|wants?\s+to|wanted\s+to)\b",
    re.I,
)
HYPOTHETICAL = re.compile(
    r"\b(?:potential(?:ly)?|possibl[ey]|whether|candidate|option|speculat\w+"
    r"|seek(?:s|ing)?\s+to)\b",
    re.I,
)
# A brand or unit used as the modifier of a venture or business ("its Jeep joint venture").
# Conditional verbs anywhere in a clause ("a merger ... would create"), once reported
# future ("said it would invest") is taken out.
CONDITIONAL = re.compile(r"\b(?:would|could|might)\b", re.I)
REPORTED_FUTURE = re.compile(
    r"\b(?:said|says|added|announced|confirmed|stated)\s+(?:on\s+\w+\s+)?(?:that\s+)?"
    r"(?:it|they|he|she|§[A-Z])\s+would\b",
    re.I,
)
UNIT_MODIFIER = re.compile(r"\s+(?:joint\s+)?(?:ventures?|brand|unit|division|business)\b")
NEGATION = re.compile(r"\b(?:not|no|never|neither|nor|without|none)\b|n[’']t\b", re.I)
# "... that it was also in talks with §B": "it" is the sentence's subject company.
IT_SUBJECT = re.compile(r"(?:^\s*|\bthat\s+)(?:it|they)\s+[a-z]+\b")
# Triggers on raw text (before masking), to decide whether a sentence is worth NER.
RAW_TRIGGERS = tuple(
    (form, re.compile(regex.pattern.replace("§[A-Z]", r"\w").replace("§", r"\w"), regex.flags))
    for form, regex in FORM_TRIGGERS
)
