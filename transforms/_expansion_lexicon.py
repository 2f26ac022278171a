"""Word lists and patterns for expansion extraction (see transforms.expansions).
"""

from __future__ import annotations

import re

MACRO_REGIONS = frozenset({
    "Europe", "Southeast Asia", "Latin America", "North America", "Middle East", "Africa",
    "South Asia", "Oceania", "East Asia", "Central Asia",
})

# Registry names that mean a macro-region of the corpus vocabulary.
REGION_SYNONYMS = {
    "South America": "Latin America",
    "European Union": "Europe",
}

# A demonym names a place only when it modifies a site or market noun ("Thai factory",
# "European car plant", "the southern Hungarian city of"), not a company or a person.
DEMONYM_HEAD_RE = re.compile(
    r"^(?:[\w-]+\s+){0,2}?(?:plants?|factor(?:y|ies)|gigafactor(?:y|ies)|markets?|city|"
    r"province|state|region|operations?|showrooms?|dealers?|push|complex|site|facility|hub|"
    r"countries|nations|expansion|launch|entry|debut|rollout|roll-out|"
    r"assembly|production|sales)\b",
    re.IGNORECASE,
)

PRODUCTION_RE = re.compile(
    r"\b(?:plants?|factor(?:y|ies)|gigafactor(?:y|ies)|giga|assembl\w*|"
    r"(?:production|producing|produces?|manufactur(?!ers?\b)\w*|(?:supply|value)\s+chains?)"
    r"(?!\s+(?:costs?|jobs|workers|targets?|cuts?))|"
    r"(?:builds?|building|built|make|makes|making|put together)"
    r"\s+(?:\w+\s+){0,2}?(?:cars?|vehicles?|EVs?|models?|batteries|cells|buses|trucks?|crossovers?"
    r"|SUVs?|sedans?|hatchbacks?|pickups?|vans?|hybrids?|robotaxis?)|"
    r"(?:vehicle|car|manufacturing|production) complex|footholds?|capacity)\b",
    re.IGNORECASE,
)

SALES_RE = re.compile(
    r"\b(?:(?<!best-)(?<!top-)sell\w*|sold|sales|showrooms?|dealers?|dealerships?|imports?|"
    r"launch\w*|enter\w*|entry|entries|on sale|available|retail\w*|"
    r"distribut(?!ion\s+(?:centre|center|hub|warehouse))\w*|"
    r"exit\w*|withdr[ae]w\w*|pull(?:s|ed|ing)? out|retreat\w*|leav(?:e|es|ing)|quit\w*|"
    r"rolling out|roll(?:s|ed)? out|shipments|ship(?:s|ping|ped)?(?=\s+(?:[\w-]+\s+){0,5}?to\s)|"
    r"export(?:s|ed|ing)?(?=\s+(?:[\w-]+\s+){0,5}?to\s)|"
    r"expand\w*|"
    r"expansion|take the brand|brings?|bringing|debut\w*|arriv\w*)\b",
    re.IGNORECASE,
)

CANCELLED_RE = re.compile(
    r"\b(?:paus\w*|on hold|halt\w*|stopp?\w*|scrap\w*|withdr[ae]w\w*|pull(?:s|ed|ing)? out|"
    r"clos(?:e|es|ed|ing)|shut\w*|cancel\w*|shelv\w*|abandon\w*|postpon\w*|suspend\w*|"
    r"exit\w*|ended|end(?:s|ing)? (?:production|assembly|sales)|dropp?\w* plans?|"
    r"freez\w*|froze|delay\w*|pull\w* (?:the )?plug|stall\w*)\b",
    re.IGNORECASE,
)

PLANNED_RE = re.compile(
    r"\b(?:will|plans?|planned|planning|under construction|(?:is|are)\s+(?:all\s+|also\s+|"
    r"now\s+|still\s+|\w+ly\s+)?(?:building|constructing|moving|shifting|bringing)|"
    r"preparing|prepares|expects?|expected|due|set to|aims?|intends?|"
    r"picks?|picked|chose|chosen|selected|would (?:begin|start|be built|open|build|set up|"
    r"invest|launch|enter|sell|make|produce|assemble|expand)|"
    r"should|scheduled|next year|announc\w*|"
    r"unveil\w*|is investing|to follow|will follow|committed to|broke ground|breaks? ground|"
    r"breaking ground|groundbreaking|eyes|eyeing|(?:is|are) (?:set|poised) to|"
    r"(?:press|push|forg|mov|go)\w* ahead|(?:lays?|laid|laying) (?:the )?foundation stone|"
    r"(?:began|begun|started|starts|begins|start|begin) (?:construction|work on|building work))\b",
    re.IGNORECASE,
)
# Infinitives hint at plans only when no cue of an operation already running is near.
WEAK_PLANNED_RE = re.compile(
    r"\bto (?:build|open|start|begin|launch|make|produce|sell|enter|invest|assemble|"
    r"manufacture|roll out|set up|establish|expand|locali[sz]e|bring|take)\b",
    re.IGNORECASE,
)

ACTIVE_RE = re.compile(
    r"\b(?:opened|opens|inaugurat\w*|began|begun|started|starts|has been|have been|"
    r"already|operat\w*|running|runs|growing|gaining|"
    r"grows|grew|expanding|expanded|increasing|launched|entered|rolling out|rolled out|"
    r"broaden\w*|reach(?:es|ed)|restart\w*|resum\w*|arrived|since|went on sale|goes on sale|"
    r"(?:now|already|are|is) (?:on sale|available)|enters|launches|begins|debuts|expands|"
    r"(?:has|have) (?:built|set up|established)|set up|established)\b",
    re.IGNORECASE,
)

NEGATION_RE = re.compile(
    r"\b(?:not|no|never|none|nor|neither)\b|n't\b", re.IGNORECASE
)

HYPOTHETICAL_RE = re.compile(
    r"\b(?:could|might|(?-i:may)|if|whether|would consider|consider\w*|candidates?|"
    r"possible|possibly|potential\w*|speculat\w*|rumou?r\w*|familiar with|people close|"
    r"sources? said|reportedly|allegedly|theoretically|favou?rite to|likely to|weigh\w*|"
    r"den(?:y|ies|ied)|ruled out|rules out|rejected|hypothetical\w*|hop(?:e|es|ed|ing)|"
    r"analysts?(?:\s+(?:\w+\s+){0,2}?(?:expect|say|said|believe|think|predict|estimate|reckon"
    r"|forecast|see|saw|suggest|warn)\w*|(?=\s*[,.;]|\s*$)))\b",
    re.IGNORECASE,
)

# Places named as the origin of goods or to locate an old site are not expansions.
SITE_HEAD_RE = re.compile(
    r"^(?:[\w-]+\s+){0,2}?(?:plants?|factor(?:y|ies)|gigafactor(?:y|ies)|works|site)\b",
    re.IGNORECASE,
)
SITE_BEFORE_RE = re.compile(r"\b(?:Giga|Gigafactory|Gigafabrik)\s+$")
ORIGIN_BEFORE_RE = re.compile(
    r"(?:(?<!withdraw )(?<!withdrew )(?<!withdrawn )(?<!retreat )(?<!exit )"
    r"\b(?:from|outside|beyond|ex-)\s+(?:the\s+)?(?:(?!to\b|in\b|into\b)[\w-]+\s+){0,2}|"
    r"\bsite of\s+(?:a|an|the)?\s*(?:[\w-]+\s+){0,3}|"
    r"\bfrom\s+(?:its|their|the|a|an)\s+(?:[\w-]+\s+){0,3}?(?:plants?|factor(?:y|ies)|"
    r"sites?|facilit(?:y|ies)|works)\s+(?:in|at|near)\s+"
    r"(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*,\s+)?)$",
    re.IGNORECASE,
)
ORIGIN_AFTER_RE = re.compile(r"^(?:-built|-made|-based|-assembled|-owned)", re.IGNORECASE)

# Growth words that make a home-country operation news rather than background.
HOME_GROWTH_RE = re.compile(
    r"\b(?:new|will|plans?|to build|building|resum\w*|restart\w*|increas\w*|expand\w*|foundation stone|"
    r"add\w*|second|third|construct\w*|open\w*|paus\w*|on hold|postpon\w*|halt\w*|"
    r"cancel\w*|scrap\w*|clos\w*)\b",
    re.IGNORECASE,
)

CLAUSE_SPLIT_RE = re.compile(
    r";\s+|:\s+|,?\s+while\s+|,?\s+but\s+|,?\s+whereas\s+|,\s+so\s+|"
    r",\s+and\s+(?=(?:a|an|the|it|its|they|their|he|she)\s)|"
    r"\s+and\s+(?=(?:plans?|will|aims?|intends?|expects?|is set|hopes?)\s)|"
    r",?\s+as\s+(?=(?:it|they|its|their)\s)"
)
RELATIVE_RE = re.compile(
    r",\s+(?:which|who|whose|where)\s+[^,;]*(?:,|$)|"
    r"\s+that\s+(?=(?:is|are|was|were|will|has|have|had|plans?|builds|operates|runs)\s)[^,;]*"
)
AND_COMPANY_RE = re.compile(r",\s+and\s+$")

# Background, not news: long-running operations, stake sales, capacity cuts, shares of a total.
BACKGROUND_RE = re.compile(
    r"\b(?:(?:cut|cuts|cutting|reduc\w*|trim\w*|slash\w*|lower\w*)\s+(?:\w+\s+){0,3}?"
    r"capacity|long-standing|long-established|longstanding|for (?:years|decades)|has long|"
    r"have long|traditionally|account(?:s|ed|ing)?\s+for|"
    r"since (?:the )?(?:19\d\d|200\d|201[0-5])s?|(?:sell|sold|sells|selling)\s+"
    r"(?:its|their|a|the|her|his)?\s*(?:\w+\s+)?(?:stake|share|holding|interest|"
    r"business|unit|division)s?)\b",
    re.IGNORECASE,
)
# Several companies acting through one venture make one fact (the first company).
JOINT_RE = re.compile(
    r"\b(?:joint venture|their venture|together|jointly|the partners)\b", re.IGNORECASE
)
# Companies in these phrases are not the actor ("at Stellantis' plant", "with Ebro").
PREPOSITION_BEFORE_RE = re.compile(
    r"\b(?:at|in|from|with|through|via|of|by|to|for|than|against|behind|on)\s+"
    r"(?:its|their|the|a)?\s*(?:[a-z]\w*\s+)?$",
    re.IGNORECASE,
)
# Habitual verbs: an ongoing operation. They make a production fact active, but a market
# merely served ("sells its cars in Europe") is no expansion.
HABITUAL_PRODUCTION_RE = re.compile(
    r"\b(?:assembles|builds|makes|produces|manufactures|is assembled|are assembled|"
    r"is built|are built|is made|are made|is put together)\b",
    re.IGNORECASE,
)

REGION_ANAPHOR_RE = re.compile(
    r"\b(?:th(?:ose|ese) (?:regions|markets|countries)|both (?:regions|markets)|"
    r"(?:across|throughout|in) the region)\b",
    re.IGNORECASE,
)
THERE_RE = re.compile(r"\bthere\b", re.IGNORECASE)

# "The first markets are Belgium, France and Spain": a list of places continuing the
# previous sentence's expansion; "Britain is due to follow": the same for one place.
MARKET_LIST_RE = re.compile(
    r"^(?:The|Its|Their)\s+(?:first|initial|next|launch|new)\s+(?:\w+\s+)?"
    r"(?:markets|countries|destinations)\s+(?:are|will be|include)\b",
    re.IGNORECASE,
)
FOLLOW_RE = re.compile(
    r"\b(?:is|are)\s+(?:due|set|expected|scheduled|slated)\s+to\s+follow\b|\bwill follow\b",
    re.IGNORECASE,
)

# A product noun after a company possessive marks that company as the brand made or
# sold ("stopped assembling Leapmotor's T03", "launching Leapmotor vehicles").
BRAND_OBJECT_RE = re.compile(
    r"^(?:'s|’s|'|’)?\s+(?:[A-Z0-9][\w-]*\s+)?(?:cars?|vehicles?|models?|EVs?|brands?|"
    r"[A-Z]+\d+[\w-]*)\b"
)
VERB_BEFORE_BRAND_RE = re.compile(
    r"\b(?:assembl\w*|build\w*|produc\w*|mak\w*|manufactur\w*|launch\w*|sell\w*|"
    r"import\w*)\s+$",
    re.IGNORECASE,
)

# Companies named only to describe an old site ("a former Nissan factory").
FORMER_SITE_RE = re.compile(r"\b(?:former|old|ex-|site of an?|idle)\s+(?:[\w-]+\s+)?$",
                            re.IGNORECASE)
