"""Reading a question's wording: its words, what kind of answer it asks for, what it names.

Only the closed-class grammar of questions lives here (question words, pronouns, "which
papers", "X vs Y", "the paper X"); whether a word matters is decided from frequencies in the
collection and in general language (``plan``), never from lists of content words.
"""

from __future__ import annotations

import re
from enum import Enum

from assistant.answering.words import Word, read_words
from vectorstore.text import normalize


class Intent(str, Enum):
    FACT = "fact"  # one fact about one paper
    DEFINITION = "definition"  # what is X / tell me about X / summarize X
    LIST = "list"  # which papers ...
    COMPARE = "compare"  # X vs Y


_I = re.IGNORECASE
_LOOKING = r"(?:(?:i'?m|im|i\s+am|we'?re|we\s+are)\s+)?(?:looking|searching|look|search)"
# Question words, and the word "paper(s)": a question's grammar, so their typos are repaired
# before it is read ("wich papr …" is "which paper …", not a paper called "wich").
QUESTION_WORDS = ("what", "which", "who", "whom", "whose", "where", "when", "why", "how")
PAPER_WORDS = ("paper", "papers")
# A word at least this common in English is itself, not a typo of a question word ("show").
ZIPF_ITSELF = 4.0
_CLAUSE_START = re.compile(
    r"(?:^|[.?!;:,¿¡]\s*|\s[-–—]\s+)(?:(?:and|or|so|but|then|ok|okay)\s+)?(?P<w>[^\W\d_]{2,6})\b",
    _I,
)
_WORD = re.compile(r"[^\W\d_]{4,7}")
# Named groups starting with "g" mark the words that are question grammar, not topic.
# "which papers", "any work on", "papers that", "which ones", "anything on", "what's in here about"
_LIST = re.compile(
    r"\b(?P<g1>which|what|any|all|list|name|show|other|are\s+there|do\s+any\s+of\s+the|find)\b"
    r"(?:\s+(?:\S+\s+){0,3}?)?(?P<g2>papers|works|studies|articles|ones)\b"
    r"|^\W*(?P<g3>papers|works|studies)\b"
    r"|\b(?P<g4>papers|works|studies)\s+(?:that|which|about|on|using|with|where|for|in|related|"
    r"regarding|dealing|concerning|covering|involving)\b"
    # "lora variants in here?", "is llama 3 in the collection?"
    r"|\b(?P<g14>in\s+here|(?:in|within)\s+(?:the|this|your|our)\s+(?:collection|digest|corpus|index))"
    r"\W*$"
    r"|\b(?P<g5>anything(?:\s+(?:new|else|recent|interesting|good))?)\s+"
    r"(?:on|about|dealing|related|regarding|that|in\s+here)\b"
    r"|\b(?P<g6>what'?s?\s+(?:is\s+)?(?:in\s+here|there|out\s+there))\s+(?:about|on|for|in)\b"
    r"|\b(?P<g7>(?:any|some|(?:is|are)\s+there(?:\s+any)?)\s+(?:work|research|literature))\b"
    # "find me stuff about X", "show me some work on Y", "I'm looking for papers on Z"
    rf"|\b(?P<g12>(?:find|show|give|get|need|want|recommend|suggest|{_LOOKING}\s+for)\s+"
    r"(?:me\s+|us\s+)?(?:some\s+|any\s+|more\s+|good\s+)?(?:stuff|things|work|research|reading|"
    r"papers|refs|references|literature))\s+(?:on|about|for|in|regarding|related\s+to)\b"
    # "what research exists on X", "what has been done on Y", "what do we have on Z"
    r"|\b(?P<g13>what\s+(?:(?:research|work|literature)\s+(?:exists?|is\s+there|has\s+been\s+done)|"
    r"has\s+been\s+(?:done|published|written)|do\s+(?:we|you|u)\s+have))\s+(?:on|about|in|for)\b"
    # "what's new in video LLMs?", "latest work on pruning"
    r"|\b(?P<g10>what'?s\s+(?:new|hot|happening|trending|going\s+on))\s+(?:in|on|with|for)\b"
    # "list the interleaved datasets", "pls list X"
    r"|^\W*(?:(?:pls|please|can\s+(?:you|u)|could\s+(?:you|u))\s+)?(?P<g15>list|enumerate)\b"
    r"|\b(?P<g11>(?:latest|recent|newest)\s+(?:work|research|stuff|advances|developments))\b"
    # "quantization papers?", "does any paper use FlashAttention?"
    r"|\b(?P<g8>papers|works|studies)\W*$|\b(?P<g9>any\s+(?:paper|study|article))\b"
    # "which of those are for LLMs?", "any of them open source?": the plural verb asks for
    # every one of them that is ("which of those is" asks for one)
    r"|\b(?P<g16>(?:which|any)\s+of\s+(?:those|these|them))\s+"
    r"(?!(?:is|was|has|does|did|gets|one)\b)(?:are|were|have|use|need|[a-z]*[^\Ws])\b",
    _I,
)
# One paper asked for, whatever else is plural: "which paper", "a paper", "which of those is"
_ONE = re.compile(
    r"\b(?:which|what|a|the|one|this|that)\s+paper\b(?!s)"
    r"|\bwhich\s+(?:one\s+)?of\s+(?:those|these|them)\b[^?]*\b(?:is|does|has|was|uses)\b",
    _I,
)
# "which one is better": choosing between alternatives by a comparative
_WHICH_IS = r"which\s+(?:one\s+)?(?:is|was|works|does|did|performs|gets)"
_COMPARATIVE = (
    r"(?:better|worse|faster|slower|best|stronger|cheaper|more|less|smaller|larger|bigger)\b"
)
_THAN_COMPARATIVE = r"(?:better|worse|faster|slower|stronger|weaker|cheaper|smaller|larger|bigger)"
_COMPARE = re.compile(
    r"\b(?P<g1>compare[sd]?|comparison|comparing|contrast|versus|vs\.?|differ(?:s|ence|ences)?|"
    r"different(?=\s+(?:from|than|of|to)\b)|"
    r"diff(?=\s+(?:between|btw)\b))\b"
    # "which one is faster, X or Y?", "gptvq or glvq, which is better at 2 bits?" (the
    # adjective stays: it is what to compare)
    rf"|\b(?P<g2>{_WHICH_IS})(?=\s+{_COMPARATIVE}[^?]*\b(?:or|vs)\b)"
    rf"|(?<=\bor\b)(?=[^?]*,?\s+(?P<g3>which\s+(?:one\s+)?\w+)\s+{_COMPARATIVE})"
    # "is gptvq smaller than glvq?"
    rf"|\b{_THAN_COMPARATIVE}\s+(?P<g4>than)\s+(?!\d)",
    _I,
)
_DEFINITION = re.compile(
    r"^\W*(?:(?:so|ok|okay|and|hi|hey|hello|bonjour|hola)\W+)*"
    # "ok different topic, what is ILRe", "new question: what's X"
    r"(?:[^,:;?!.]{1,40}(?:[,:;]|\s[-–—])\s+)?(?P<g1>"
    r"(?:what\s+(?:is|are|was)\s+|what's\s+|whats\s+)"
    r"(?!(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:of|in|for|behind|between)\b)"
    # "what's its latency", "what is SeiT's storage saving": an attribute, not a definition
    r"(?!(?:its|their|his|her)\b|[\w-]+['’]s\s+\w)"
    r"|what\s+does(?=\s+\S+(?:\s+\S+){0,3}\s+(?P<g2>do|propose|introduce|present)\b)"
    r"|tell\s+me\s+(?:more\s+)?about\b|explain\b|summari[sz]e\b|describe\b|can\s+(?:you|u)\s+"
    r"(?:explain|summari[sz]e|describe)\b|(?:give|write)\s+(?:me\s+)?(?:a\s+)?(?:summary|overview)\b)",
    _I,
)
# Requests anywhere in the question ("can you summarize X", "please describe X briefly").
_REQUEST = re.compile(
    r"\b(?P<g1>summari[sz]e|explain|describe|tell\s+me\s+(?:about|what)|overview\s+of|"
    r"summary\s+of|tl;?dr\s+(?:of|on|for)|eli5|in\s+(?:one|a)\s+(?:sentence|line|nutshell))\b"
    # "tl;dr loongtrain" (at the start; "what is TLDR?" asks about the TLDR paper)
    r"|^\W*(?P<g7>tl;?dr)\b(?!\s*(?:\?|$))"
    # asking for reading: "can u recommend a paper on X", "looking for work about X"
    r"|\b(?P<g2>recommend|suggest|point\s+me\s+to|know\s+of|looking\s+for|need)\s+(?:me\s+)?"
    r"(?:a|an|any|some)?\s*(?:good\s+)?(?P<g3>papers?|work|reading)\s+(?=on|about|for|regarding)"
    r"|\b(?:a|one)\s+(?P<g4>paper)\s+(?=on|about|that|which|where|regarding)"
    # "best paper for X", "good papers on X": asking for reading, not for the word "best"
    r"|\b(?P<g5>best|good|top|great|key)\s+(?P<g6>papers?|work|reading)\s+(?=on|about|for|regarding)",
    _I,
)
_QUANTITY = re.compile(
    # "¿cuántos …?", "combien de …", "wie viele …", "quanti …", "hoeveel …"
    r"(?<!\w)(?:cu[aá]nt[oa]s?|combien|wie\s+viele?|quant[ie]|quant[oa]s|hoeveel)\b|"
    r"\bhow\s+(?:much|many|(?!do\b|does\b|did\b|is\b|are\b|was\b|were\b|can\b|could\b|would\b|"
    r"should\b|to\b|they\b|it\b|the\b|a\b|an\b|this\b|that\b|their\b|its\b|each\b)[a-z]+)\b"
    r"|\b\w+er\s+than\b|\bby\s+how\b|%|\b(?:what|which)\s+(?:\S+\s+){0,4}?(?:does|do|did)\s+\S+\s+"
    r"(?:hit|reach|get|score|achieve|claim|report|obtain|see|show|gain)"
    # "what fraction of the parameters …", "what share of the tokens …"
    r"|\b(?:what|which)\s+(?:fraction|percentage|percent|share|proportion|ratio|portion|number|"
    r"amount)\s+of\b"
    # "mint-1t size", "what's the size of the corpus": a size is a number
    r"|\bsizes?\b",
    _I,
)
# Words that point back to something said earlier.
_ANAPHORA = re.compile(
    r"\b(?:it|its|it's|they|them|their|theirs|those|these|he|she|his|her|former|latter|same|both|"
    r"either|neither|"
    r"(?:this|that|the)\s+(?:paper|method|model|approach|system|framework|benchmark|dataset|work|"
    r"authors?|technique|algorithm|proposed|variant|architecture|study|survey|corpus|one)|"
    r"which\s+ones?|each(?=\s+(?:of\s+(?:them|those|these)|one)\b|\W*$)|this\b(?!\s+(?:is|was)\b)|(?:^|(?<=\bis\s)|(?<=\bdoes\s)|(?<=\bwas\s)|(?<=\bdid\s))that)\b",
    _I,
)
_CONTINUES = re.compile(r"^\W*(?:and|also|so|ok(?:ay)?\s+and|what about|how about|then)\b", _I)
# A place in the previous answer's list: "the second one", "the last paper", "paper 3", "#2".
_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
_ORDINAL = re.compile(
    r"\b(?P<g1>(?:the\s+)?(?P<n>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|last|\d{1,2}(?:st|nd|rd|th))\s+(?:one|paper|item|result|entry|of\s+(?:them|those|these)))\b"
    r"(?!\s+(?:to|that|which|where)\b)"  # "the first paper to do X" is no place in a list
    r"|\b(?P<g2>(?:paper|item|result)\s+(?:#\s*|no\.?\s*|number\s+)?(?P<d>\d{1,2}))(?![\w.])"
    r"|(?<!\w)(?P<g3>#\s*(?P<h>\d{1,2}))\b"
    # "and the second?"
    r"|\b(?P<g4>the\s+(?P<m>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"last))\s*(?:[?!.]|$)",
    _I,
)

# A paper named by its title or nickname: "the X paper", "X paper - ...", "the paper X",
# a quoted phrase.
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{3,200})[\"“”«»]|(?<!\w)'([^']{4,200})'(?!\w)")
_MODIFIERS = r"(?:(?:original|famous|well-known|classic|seminal|first)\s+)*"
_THE_X_PAPER = re.compile(
    rf"\bthe\s+{_MODIFIERS}(?P<x>(?:(?!\bthe\b)[^?.!,;:\n])+?)\s+paper\b(?!s)", _I
)
# Words that choose among papers rather than name one: "the best paper on X", "top paper"
_CHOICE = (
    r"best|top|good|great|right|main|key|latest|newest|recent|new|relevant|useful|interesting|"
    r"important|leading|most\s+[\w-]+|state[\s-]of[\s-]the[\s-]art|sota"
)
# "X paper", where X neither starts with question grammar or a choosing word nor ends in a
# determiner ("recommend a paper on …" names none)
_X_BEFORE_PAPER = (
    r"(?!(?:what|which|how|who|why|when|where|can|could|please|ok|okay|so|and|do|does|did|is|"
    rf"are|i|my|the|a|an|any|some|this|that|your|summari[sz]e|explain|describe|tell|{_CHOICE}|"
    r"recommend|suggest|find|need|want|give|show|get|looking)(?![\w-]))"
    + _MODIFIERS
    + r"(?P<x>(?:(?!\bthe\b)[^?.!,;:\n]){3,80}?)(?<!\ba)(?<!\ban)(?<!\bone)(?<!\bany)(?<!\bsome)"
    r"(?<!\bthis)(?<!\bthat)\s+paper\b(?!s)"
)
_X_PAPER_FIRST = re.compile(r"^\W*" + _X_BEFORE_PAPER, _I)
# "what is attention is all you need paper about", "summarize gptvq paper"
_X_PAPER_ASKED = re.compile(
    r"\b(?:what(?:'s|s|\s+is|\s+was)|about|summari[sz]e|explain|describe)\s+" + _X_BEFORE_PAPER,
    _I,
)
_AUTHOR = re.compile(r"\b(?P<name>[A-Z][\w'-]+)\s+(?P<g1>et\s+al)\b\.?")
_THE_PAPER_X = re.compile(
    r"\bthe\s+paper\s+(?:called\s+|titled\s+|named\s+)?(?P<x>[A-Z][^?.!;\n]{2,150}?)"
    r"(?=\s+(?:propose|proposes|proposed|introduce|introduces|say|says|find|finds|found|show|shows|"
    r"do|does|did|claim|claims|report|reports|describe|describes|present|presents|argue|argues|is|"
    r"was)\b|[?.!;]|$)"
)
_CHOOSING = re.compile(rf"(?:(?:{_CHOICE})\s*)+", _I)
_ORIGINAL = re.compile(r"\b(?:original|first|seminal)\s+(?:\S+\s+){0,4}?paper\b", _I)
_DESCRIPTION = re.compile(r"^(?:where|that|which|who|whose|in\s+which|about|on|with|by)\b", _I)


# Asking why a paper exists: the problem it takes on ("what problem does X solve?", "why did
# they build X?", "what's the motivation behind X?").
_MOTIVATION = re.compile(
    r"\b(?P<g1>what\s+(?:(?:main|key|real|actual)\s+)?(?:problems?|challenges?|gaps?|issues?)\b)"
    r"(?:\s+\S+){0,6}?\s+(?P<g2>(?:solv|address|tackl|fix|overcom|attack)\w*)\b"
    r"|\b(?P<g3>why)\s+(?:did|do|does|would|was|were|is|are)\s+(?:they|the\s+authors|it|\S+)\s+"
    r"(?P<g4>(?:build|propos|creat|mak|need|develop|design|introduc)\w*)\b"
    r"|\b(?P<g5>motivat\w*)(?:\s+(?:for|behind|of)\b)?",
    _I,
)


# Greetings, thanks and acknowledgements: a message made only of these asks nothing.
_SOCIAL = re.compile(
    r"(?:\W|hi|hello|hey|hiya|yo|thanks?|thank\s+you|thx|ty|cheers|ok(?:ay)?|cool|great|nice|"
    r"awesome|perfect|excellent|wow|lol|got\s+it|sure|yes|yeah|no|nope|bye|goodbye|see\s+you|"
    r"good\s+(?:morning|afternoon|evening|night)|very\s+much|so\s+much|a\s+lot|again|"
    r"that'?s|it'?s|this|that|is|was|really|very|much|helpful|useful|you|there|all)*",
    _I,
)


def small_talk(text: str) -> bool:
    """ "thanks!", "hello there", "ok great": a message that greets or thanks and asks nothing."""
    return (
        bool(text.strip())
        and _SOCIAL.fullmatch(text.strip()) is not None
        and any(c.isalpha() for c in text)
    )


def asks_motivation(text: str) -> bool:
    return bool(_MOTIVATION.search(text))


# "Which paper says/argues/claims that …": the verb reports what a paper states; the topic
# is what follows.
_REPORTS = re.compile(
    r"\b(?:which|what|a|the|any|some)\s+(?:papers?|works?|stud(?:y|ies)|articles?)\s+"
    r"(?P<g1>says?|said|argues?|argued|claims?|claimed|states?|stated|suggests?|suggested|"
    r"talks?\s+about|discuss(?:es)?|mentions?|mentioned|introduc(?:es?|ed)|propos(?:es?|ed)|"
    r"present(?:s|ed)?|describe[sd]?|show(?:s|ed|n)?|finds?|found|demonstrate[sd]?|prove[sd]?)\b",
    _I,
)


def repair_grammar_words(text: str) -> str:
    """Fix typos in a question's grammar words: a clause that starts with a rare word one edit
    from a question word ("wich", "waht", "ow"), and a word one edit from "paper(s)" that is
    no established word ("papr", "paers")."""
    from rapidfuzz.distance import OSA

    from assistant.answering import language

    def closest(word: str, options: tuple[str, ...]) -> str | None:
        folded = word.casefold()
        if folded in options or folded.removesuffix("s") in options:
            return None  # "whats", "hows": a contraction typed without its apostrophe
        # the nearest; between equals, the one with the same first letter ("hwo" -> "how")
        near = sorted((OSA.distance(folded, o), o[0] != folded[0], o) for o in options)
        if not near or near[0][0] > 1:
            return None
        fix = near[0][2]
        return fix.capitalize() if word[0].isupper() else fix

    def question_word(m: re.Match[str]) -> str:
        word = m.group("w")
        fix = (
            None if language.zipf(word.casefold()) >= ZIPF_ITSELF else closest(word, QUESTION_WORDS)
        )
        whole = m.group(0)
        return whole if fix is None else whole[: m.start("w") - m.start()] + fix

    def paper_word(m: re.Match[str]) -> str:
        word = m.group(0)
        if not language.could_be_typo(word.casefold()):
            return word
        return closest(word, PAPER_WORDS) or word

    text = _SHORTHAND.sub(lambda m: _SHORTHANDS[m.group(0).casefold()], text)
    return _WORD.sub(paper_word, _CLAUSE_START.sub(question_word, text))


# Shorthand for grammar words, whose slash would read as "or": "compare it w/ SLoPe"
_SHORTHANDS = {"w/o": "without", "w/": "with", "b/w": "between"}
_SHORTHAND = re.compile(r"(?<![\w/])(?:w/o|b/w)(?![\w/])|(?<![\w/])w/(?=\s|\w)", _I)


# "What do they find?", "what did the authors conclude?", "key findings?": what the paper's
# experiments showed; the asking verb is grammar.
_FINDINGS = re.compile(
    r"\bwhat\s+(?:do|does|did|have|has)\s+(?:\S+\s+){1,3}?(?P<g1>find|found|show|shown|conclude|"
    r"observe|observed|discover|discovered|learn|learned)\b"
    r"|\b(?:what\s+(?:are|were)\s+(?:the|their|its)\s+)?(?:main\s+|key\s+)?"
    r"(?P<g2>findings|conclusions|take-?aways)\b",
    _I,
)


def asks_findings(text: str) -> bool:
    return bool(_FINDINGS.search(text))


def asks_claim(text: str) -> bool:
    """ "Which paper says/argues/shows X?": asks for the paper's own statement of it."""
    return bool(_REPORTS.search(text))


# "How many examples …", "how much memory …": the asking words are grammar ("many" is not a
# word the answer must contain).
_HOW_MUCH = re.compile(r"\bhow\s+(?P<g1>many|much)\b", _I)
# "How do people evaluate X?": a generic subject asks how it is done, not about people.
_GENERIC_SUBJECT = re.compile(
    r"\b(?:how|what|why|when|where)\s+(?:do|does|did|can|could|should|would|might)\s+"
    r"(?:(?:most|many|other|some)\s+)?(?P<g1>people|researchers|folks|others|practitioners|"
    r"one|you|we|they|anyone|someone|somebody|everyone|authors)\b",
    _I,
)
# Chat shorthand for please, thanks, by the way …: grammar, never a topic ("… over sota pls")
_CHAT = re.compile(
    r"(?<![\w-])(?P<g1>pls|plz|plzz|thx|thnx|ty|btw|imo|imho|tbh|fyi|asap|lol|ur|ppl|idk|rn)(?![\w-])",
    _I,
)
# "Which paper does X?": asks for a paper; no sentence must say "paper".
_WHICH_PAPER = re.compile(r"\b(?:which|what)\s+(?P<g1>paper|study|article)\b", _I)
# "How does it work?": the verb asks for the method; no sentence must contain "work".
_HOW_IT_WORKS = re.compile(
    r"\bhow\s+(?:do|does|did|would|could|will)\s+(?:\S+\s+){1,6}?(?P<g1>work|function|operate)\b"
    # "explain how ADED works"
    r"|\bhow\s+(?!(?:well|much|many|fast|long|good|often)\b)(?:\S+\s+){1,6}?"
    r"(?P<g2>works|worked|functions|operates)\b",
    _I,
)


def grammar_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of question grammar ("which papers", "tell me about", "vs")."""
    spans = []
    for pattern in (
        _LIST,
        _COMPARE,
        _DEFINITION,
        _REQUEST,
        _AUTHOR,
        _AUTHORS,
        _MOTIVATION,
        _NAME_FRAME,
        _REPORTS,
        _HOW_MUCH,
        _FINDINGS,
        _ORDINAL,
        _HOW_IT_WORKS,
        _WHICH_PAPER,
        _GENERIC_SUBJECT,
        _COUNT,
        _MANY_KINDS,
        _BEST,
        _RANGE,
        _OTHER_ONE,
        _BACK,
        _CHAT,
        _SIMILAR,
        _MORE_OF_THEM,
    ):
        for m in pattern.finditer(text):
            for name, value in m.groupdict().items():
                if name.startswith("g") and value:
                    spans.append(m.span(name))
    return spans


def wants_list(text: str) -> bool:
    # "how ADED works" ends in "works", but not the noun of "quantization works?"
    text = _HOW_IT_WORKS.sub(lambda m: " " * len(m.group(0)), text)
    return bool(_LIST.search(text)) and not _ONE.search(text)


def is_comparison(text: str) -> bool:
    return bool(_COMPARE.search(text))


# "which is faster, X or Y?": a comparison by something measured
_MEASURED = re.compile(
    r"\b(?:faster|slower|smaller|larger|bigger|cheaper|quicker|lighter|heavier|more\s+efficient|"
    r"less\s+memory|more\s+accurate|higher|lower)\b",
    _I,
)


# "how much faster?", "by how much?", "what speedup?": answered by a ratio or a share
_RELATIVE_ASK = re.compile(
    r"\bhow\s+much\s+(?:more|less|fewer|\w{3,}er)\b|\bby\s+how\s+much\b|\bhow\s+many\s+times\b"
    r"|\b(?!(?:other|rather)\b)\w{3,}er\s+than\b|\bspeed-?ups?\b",
    _I,
)


def asks_relative(text: str) -> bool:
    """Whether the question asks how much more or less ("how much faster is ByteScale?"):
    a ratio ("7.89x") or a percentage answers it, not any number ("7B to 141B")."""
    return bool(_RELATIVE_ASK.search(text))


# "how long does training take?", "how much time?": answered by a duration
_DURATION_ASK = re.compile(
    r"\bhow\s+long\s+(?:does|did|do|will|would|is|was|to)\b|\bhow\s+much\s+time\b"
    r"|\bhow\s+many\s+(?:hours|days|minutes|seconds|weeks)\b",
    _I,
)


# "is X open source?", "is the code out?", "where's the repo?": answered by a code address
_CODE_WORDS = r"code|repo|repository|github|implementation|weights|checkpoints?"
_CODE_ASK = re.compile(
    r"\b(?P<open>open[- ]?sourced?|source\s+code)\b"
    rf"|\b(?P<thing>{_CODE_WORDS})\b[^?.!]*\b(?:available|released?|public|published|out|"
    r"online|link)\b"
    r"|\b(?:where(?:'?s|\s+(?:is|are|can\s+i\s+(?:find|get)|do\s+i\s+(?:find|get)))|link\s+(?:to|for))"
    rf"\b[^?.!]*\b(?P<where>{_CODE_WORDS})\b"
    rf"|\b(?:is|are)\s+there\s+(?:an?\s+|any\s+|some\s+)?(?:public\s+)?(?P<exists>{_CODE_WORDS})\b",
    _I,
)


def asks_code(text: str) -> str | None:
    """What the question asks to be available ("open source", "code", "repo"), if it asks
    whether or where a paper's code is: a sentence giving its address ("Code … at
    https://github.com/…") answers it, in whatever words."""
    m = _CODE_ASK.search(text)
    return None if m is None else next(g for g in m.groups() if g)


def asks_duration(text: str) -> bool:
    """Whether the question asks how long something takes: a duration answers it."""
    return bool(_DURATION_ASK.search(text))


def compares_amounts(text: str) -> bool:
    """Whether a comparison asks which is faster, smaller, cheaper …: answered by figures."""
    return is_comparison(text) and bool(_MEASURED.search(text))


_AUTHORS = re.compile(
    r"(?P<g1>\bwho\s+(?:wrote|writes|authored|are\s+the\s+authors|(?:first\s+)?(?:proposed|"
    r"introduced|invented|developed|created|published|came\s+up\s+with)|is\s+behind|made)\b"
    r"|\bauthors?\s+of\b)",
    _I,
)
_WHEN = re.compile(
    r"\bwhen\s+(?:was|were|did)\b[^?]*\b(?:published|released|written|posted|come\s+out)\b"
    r"|\bwhat\s+(?:year|date)\b",
    _I,
)


def asks_authors(text: str) -> bool:
    return bool(_AUTHORS.search(text))


def asks_date(text: str) -> bool:
    return bool(_WHEN.search(text))


_WH = re.compile(
    r"\b(?:whats?|which|hows?|whos?|why|when|wheres?|whose|does|do|did|is|are)\b", _I
)  # "whats", typed without its apostrophe, too


_WHAT_IT_IS = re.compile(
    r"\b(?:tell|show)\s+(?:me|us)\s+what\s+\S+(?:\s+\S+){0,3}?\s+(?:is|are|does|do)\W*$", _I
)


# "what's the main idea of X", "the gist of X", "its key contribution": the paper in brief
_GIST = re.compile(
    r"(?:\b(?:what(?:'s|s|\s+is|\s+are|\s+was)|tell\s+me|explain|give\s+me)\s+|^\W*)"
    r"(?:the\s+|its\s+|their\s+)?(?:(?:main|key|core|central|basic|general|big|overall)\s+)?"
    r"(?:idea|gist|point|contribution|takeaway|premise|insight)s?\b(?=\s+(?:of|in|behind)\b|\W*$)",
    _I,
)


def asks_gist(text: str) -> bool:
    """ "What's the main idea/contribution of X": the paper's own statement of what it does."""
    return bool(_GIST.search(text))


def is_definition(text: str) -> bool:
    """ "What is X", "tell me about X", "can you tell me what X does", "what's the main idea of
    X", or a request with no other question ("please describe BitPipe briefly")."""
    return (
        bool(_DEFINITION.search(text))
        or bool(_WHAT_IT_IS.search(text))
        or asks_gist(text)
        or (bool(_REQUEST.search(text)) and not _WH.search(text))
    )


def wants_quantity(text: str) -> bool:
    return bool(_QUANTITY.search(text))


# "What methods are there for X?", "what are the main approaches to Y": the kinds of work
# asked about are grammar, as "papers" is.
_KINDS = (
    r"approaches|methods|techniques|ways|strategies|solutions|options|alternatives|tricks|ideas"
)
_MANY_KINDS = re.compile(
    r"\b(?P<g1>(?:what|which)(?:\s+(?:are|r|were))?(?:\s+(?:the|some))?(?:\s+(?:main|key|common|"
    r"different|popular|existing|current|standard|known|usual|other|good))?"
    rf"\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?(?:{_KINDS}))\b",
    _I,
)
# "the best quantization method for Llama", "what's the state of the art in X": choosing among
# papers; the choosing word is grammar
_BEST_WORDS = (
    r"best|top|leading|sota|state[\s-]of[\s-]the[\s-]art|most\s+(?:promising|relevant|cited|"
    r"popular|influential|important|useful|recommended)"
)
_BEST = re.compile(rf"(?<![\w-])(?P<g1>{_BEST_WORDS})(?![\w-])", _I)
# "the best paper on X", "best method for Y": one is asked for
_BEST_ONE = re.compile(
    rf"(?<![\w-])(?:{_BEST_WORDS})\s+(?:[\w-]+\s+){{0,2}}?(?:paper|method|approach|model|way|"
    r"technique|option|one|pick|choice|bet)\b(?!s)",
    _I,
)
# A plural noun ("models", "benchmarks"; not "class", "corpus"), and words ending in "s" that
# are none ("does", "this")
_PLURAL_NOUN = r"[^\W\d_][\w-]*[^\W\d_su]s"
_NOT_PLURAL = r"does|has|was|is|its|this|thus"
# "Which models use RLHF?", "what datasets are used for X": a question word asking about
# several things (a plural noun, then its verb or preposition)
_WH_PLURAL = re.compile(
    r"\b(?P<wh>which|what)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?(?P<between>(?:[\w-]+\s+){0,2}?)"
    rf"(?!(?:{_NOT_PLURAL}|whats|hows|lets|less|yes)\b)"
    rf"(?P<noun>{_PLURAL_NOUN})\b(?:\s+(?P<after>[\w']+))?",
    _I,
)
# "tell me about benchmarks for interleaved generation", "what about LoRA variants?"
_ABOUT_PLURAL = re.compile(
    r"\b(?:tell\s+me\s+about|what\s+about|info\s+on|anything\s+on|explain)\s+(?:the\s+)?"
    rf"(?:[\w-]+\s+){{0,2}}?(?!(?:{_NOT_PLURAL}|his)\b){_PLURAL_NOUN}\b"
    r"(?=\s+(?:for|on|in|of|about|that|which|with|used)\b|\W*$)",
    _I,
)
_AFTER_PLURAL = re.compile(
    r"are|were|do|does|did|have|has|had|can|could|would|will|should|might|exist|exists|is|there|for|to|"
    r"on|in|of|about|that|which|with|from|use|used|get|got|handle|help|work",
    _I,
)


# a verb a question or request is built on, where no question word is: "can it …", "show me …"
_VERB = re.compile(
    r"\b(?:is|are|was|were|am|be|been|do|does|did|can|could|should|would|will|may|might|must|"
    r"has|have|had|give|show|find|list|get|help|want|know|compare|need)\b",
    _I,
)


def is_bare_topic(text: str) -> bool:
    """A phrase with no question in it ("semi-structured sparsity", "stuff on LoRA for
    LLMs"): like "any papers on …?", it asks what the collection has on the topic."""
    return not (
        _WH.search(text)
        or _VERB.search(text)
        or _REQUEST.search(text)
        or _DEFINITION.search(text)
        or _COMPARE.search(text)
        or _QUANTITY.search(text)
        or _CONTINUES.search(text)
        or refers_back(text)
    )


def asks_many(text: str) -> bool:
    """Whether the question asks about several things ("what methods are there for X", "which
    models use RLHF", "the best way to prune LLMs"): naming no paper, it asks for a list."""
    if _ONE.search(text):
        return False  # "which paper says …"
    if _MANY_KINDS.search(text) or _BEST.search(text):
        return True
    if _ABOUT_PLURAL.search(text):
        return True
    for m in _WH_PLURAL.finditer(text):
        # "which models use X"; with words between, the plural must be followed by its verb
        # or a preposition ("what bit widths does …", not "which method gets LLMs to …")
        after = m.group("after")
        if (m.group("wh").lower() == "which" and not m.group("between")) or (
            after and _AFTER_PLURAL.fullmatch(after)
        ):
            return True
    return False


_AMONG = re.compile(
    r"\bwhich\s+(?:one|ones|of\s+(?:them|those|these|the\s+(?:two|three|four|five)))\b"
    # "which is the biggest?"
    r"|\bwhich\s+(?:is|was|has|gets|runs|does)\s+(?:the\s+)?(?=(?:(?:most|least)\s+)?\w+\s*"
    r"(?:one|of\s+(?:them|those|these))?\W*$)",
    _I,
)
_SUPERLATIVE = re.compile(r"\b(?:(?:most|least)\s+\w+|best|worst|(?P<w>[a-z]{2,}est))\b", _I)


# the superlatives of an amount, and which end of it they ask for
_EXTREMES = dict.fromkeys(
    "most largest biggest highest greatest longest maximum max".split(), 1
) | dict.fromkeys("least fewest smallest lowest shortest minimum min".split(), -1)
# ... those that also make adjectives superlative ("the most efficient"): an amount only of a
# plural ("the most GPUs")
_COUNTING = frozenset({"most", "least", "fewest"})


def extreme_word(folded: str) -> tuple[int, bool]:
    """+1 for a word asking for the largest amount ("most", "biggest"), -1 for the smallest
    ("fewest"), 0 for any other; and whether it counts only a plural after it."""
    return _EXTREMES.get(folded, 0), folded in _COUNTING


def asks_superlative(text: str) -> bool:
    """ "which is the biggest / fastest / most accurate": a superlative (not "test", "interest":
    "-est" must leave an everyday English word, "big" in "biggest")."""
    from assistant.answering import language

    for m in _SUPERLATIVE.finditer(text):
        word = m.group("w")
        if word is None:
            return True
        stem_ = word[:-3].casefold()
        bases = {stem_, stem_ + "e", stem_[:-1] if stem_[-1:] == stem_[-2:-1] else stem_}
        if any(len(b) >= 3 and language.zipf(b) >= language.ZIPF_RARE for b in bases):
            return True
    return False


def chooses_among(text: str) -> bool:
    """ "Which one handles long videos?", "which of them …": picks from papers listed earlier."""
    return bool(_AMONG.search(text))


_COUNT_WORDS = "one two three four five six seven eight nine ten".split()
# "top 3 papers on X", "give me two papers about Y": how many papers are wanted
_COUNT = re.compile(
    r"\b(?P<g1>(?:top|best|first)\s+)?(?P<g2>\d{1,2}|one|two|three|four|five|six|seven|eight|"
    r"nine|ten)\s+(?:[^\W\d_][\w-]*\s+){0,2}?(?:papers|works|studies|articles|ones)\b",
    _I,
)


def _number(word: str) -> int:
    """ "3" -> 3, "three" -> 3."""
    word = word.lower()
    return int(word) if word.isdigit() else _COUNT_WORDS.index(word) + 1


def requested_count(text: str) -> int | None:
    """How many papers a list question asks for ("top 3 papers", "two papers about X")."""
    m = _COUNT.search(text)
    if m is None:
        return 1 if _BEST_ONE.search(text) else None
    return _number(m.group("g2")) or None


# "compare the first two", "the top 3": several places at the head (or tail) of the list
_RANGE = re.compile(
    r"\b(?P<g1>(?:the\s+)?(?P<end>first|top|last)\s+(?P<n>two|three|four|five|\d))\b"
    r"(?!\s+(?:papers?\s+|works?\s+|ones?\s+)?(?:on|about|for|in|that|which|where|with)\b)",
    _I,
)


def ordinal_range(text: str) -> tuple[int, int] | None:
    """Which papers of the previous answer's list the question points at ("the first two",
    "the last 3") as (start, count), start from 0 or negative from the end; None for none."""
    m = _RANGE.search(text)
    if m is None:
        return None
    count = _number(m.group("n"))
    if count < 2:
        return None
    return (-count, count) if m.group("end").lower() == "last" else (0, count)


# "back to the first paper", "back to the list": an earlier turn of the conversation
_BACK = re.compile(
    r"\b(?P<g1>(?:go(?:ing)?\s+)?back\s+to\s+(?:the\s+)?(?:(?P<which>first|previous|earlier|"
    r"original|other|last)\s+(?:one|paper)|(?P<list>list|papers)))\b",
    _I,
)


def back_reference(text: str) -> str | None:
    """ "back to the first paper" -> "first", "back to the previous one" -> "previous", "back
    to the list" -> "list"; None when the question goes back to nothing."""
    m = _BACK.search(text)
    if m is None:
        return None
    if m.group("list"):
        return "list"
    return "first" if m.group("which").lower() in ("first", "original") else "previous"


_OTHER_ONE = re.compile(
    r"\b(?P<g1>the\s+other\s+(?:one|paper))\b|\b(?P<g2>the\s+other)\b(?=\W*$)", _I
)


def other_reference(text: str) -> bool:
    """ "And the other one?": the paper of the listed ones not discussed just now."""
    return bool(_OTHER_ONE.search(text))


def ordinal_reference(text: str) -> int | None:
    """Which paper of the previous answer's list the question points at ("how does the second
    one work?", "paper 3", "#2"): its place from 1, -1 for the last; None when it points at none."""
    m = _ORDINAL.search(text)
    if m is None:
        return None
    if m.group("d") or m.group("h"):
        return int(m.group("d") or m.group("h")) or None
    word = (m.group("n") or m.group("m")).lower()
    if word == "last":
        return -1
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS.index(word) + 1
    return int(word[:-2]) or None


# A question with no verb of its own ("what datasets?", "how fast?", "which benchmarks"):
# it leans on the previous turn for what it asks about.
_ELLIPTICAL = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|also)\W+)?(?:what|which|how(?:\s+(?:many|much))?)\s+"
    r"(?!(?:is|are|was|were|do|does|did|can|could|has|have|papers?|ones?)\b)[\w-]+(?:\s+[\w-]+)?\W*$",
    _I,
)


def refers_back(text: str) -> bool:
    """Whether the question leans on an earlier turn: its first part uses a pronoun or a vague
    reference ("what about its memory?", "the authors", "which of those") or continues one
    ("and ...", "so ..."). A pronoun only in a later part ("is there work on X? what does it
    build on?") usually points back to the question's own subject."""
    first = first_clause(text)
    return bool(
        _ANAPHORA.search(first)
        or _CONTINUES.search(text)
        or _ORDINAL.search(text)
        or _RANGE.search(text)
        or _OTHER_ONE.search(text)
        or _BACK.search(text)
        or _ELLIPTICAL.match(text)
    )


_EACH = re.compile(r"\beach\b", _I)
# "is the code released?", "does it need labels?": asks whether, not which
_YES_NO = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|also|but)\W+)?(?:is|are|was|were|does|do|did|can|could|has|have|"
    r"will|would)\b(?!\s+there\b)(?!\s+(?:any|some)\s+(?:of\s+the\s+)?(?:papers?|works?|studies)\b)",
    _I,
)


def asks_for_paper(text: str) -> bool:
    """ "Which paper evaluates on LLaDA?": asks which paper, answered by the paper cited (its
    abstract need not use the question's verb)."""
    return bool(_WHICH_PAPER.search(text))


def asks_whether(text: str) -> bool:
    """A yes/no question ("is the code released?"), not "is there work on …"."""
    return bool(_YES_NO.match(text))


def asks_by_verb(text: str) -> bool:
    """A yes/no question whose main verb follows its subject ("does X need calibration
    data?", "can it run on GPUs?"), not one that says what the subject is ("is X open
    source?")."""
    m = _YES_NO.match(text)
    return m is not None and not re.search(r"\b(?:is|are|was|were)\W*$", m.group(0), _I)


# "how big is each?", "compare them", "what do they use?": all the papers referred to
_PLURAL_REFERENCE = re.compile(
    r"\b(?:each|both|they|them|their|theirs|those|these|all\s+of\s+(?:them|those|these))\b", _I
)


_OTHERS = re.compile(r"\b(?:other|others|else|another|besides)\b", _I)
# "any others?", "got any other ones?", "more?", "any more papers?": the question before,
# for papers not given yet (grammar: nothing of a topic)
_MORE_OF_THEM = re.compile(
    r"^\W*(?P<g1>(?:(?:and|so|ok|okay|got|have\s+you\s+got|do\s+you\s+have|are\s+there|is\s+there)"
    r"\s+)*(?:any|some|a\s+few|what)?\s*(?:others?|other\s+ones?|more|anything\s+more)"
    r"(?:\s+(?:papers?|ones?|works?))?(?:\s+(?:pls|please))?)\W*$",
    _I,
)


def asks_for_more(text: str) -> bool:
    """ "Any others?", "more?": the previous question again, for papers not given yet."""
    return bool(_MORE_OF_THEM.match(text))


def asks_for_others(text: str) -> bool:
    """ "What other VQ papers are there?": papers besides the ones just discussed."""
    return bool(_OTHERS.search(text))


# "papers similar to LQ-LoRA", "related work for LoongTrain", "anything like MINT-1T",
# "any similar papers?": the papers nearest one paper, not the papers about its name
_SIMILAR = re.compile(
    r"\b(?P<g1>(?:(?:most|more|very)\s+)?(?:similar|related|close|closest|comparable|akin"
    r"|analogous)\s+(?:to|with)|alternatives?\s+to|related\s+(?:work|works|papers?|research"
    r"|studies)(?:\s+(?:for|to|of|on))?|in\s+the\s+same\s+(?:vein|spirit|area|line\s+of\s+work)"
    r"\s+as|along\s+the\s+lines\s+of|similar\s+(?:papers?|work|works|ones?|studies|research)"
    r"|(?:anything|something|more|others?|ones?)\s+similar)\b"
    r"|\b(?:papers?|works?|stuff|anything|something|more|others?|ones?|else)\s+(?:(?:is|are)\s+)?(?P<g2>like)\b",
    _I,
)


def asks_similar(text: str) -> bool:
    """Whether the question asks for the papers nearest one paper ("what else is like X?")."""
    return bool(_SIMILAR.search(text))


def similar_to(text: str) -> str | None:
    """What the papers asked for are to be near: the words after "similar to", "related work
    for", "like" ("cut your losses" in "related work for cut your losses?")."""
    m = _SIMILAR.search(text)
    if m is None:
        return None
    rest = re.split(r"[?!.;,]", text[m.end() :], maxsplit=1)[0]
    words = rest.split()
    while words and words[0].casefold() in ("the", "a", "an", "this", "that"):
        words = words[1:]
    while words and words[-1].casefold() in ("paper", "papers", "one", "work"):
        words = words[:-1]
    return " ".join(words) or None


_DEFINITE = re.compile(r"\b(?:the|that|this|these|those)\s+(?P<x>[^\W\d_][\w-]*)", _I)


def definite_words(text: str) -> list[str]:
    """The nouns the question's first part takes as known ("how was the agent trained?"):
    said of the paper just discussed, they point back to it. A question asking for a paper
    ("which paper …") looks for a new one."""
    if _WHICH_PAPER.search(text) or _LIST.search(text):
        return []
    return [m.group("x") for m in _DEFINITE.finditer(first_clause(text))]


def refers_to_all(text: str) -> bool:
    """Whether the question asks about every paper it refers back to ("how big is each?",
    "compare them", "which of them is the biggest?": each one's figures, side by side), not
    one of them ("which of those is multilingual?", "does either …")."""
    if chooses_among(text):
        # "which is the biggest?", "which one is faster?": each one's figures, side by side
        return asks_superlative(text) or bool(re.search(rf"\b{_COMPARATIVE}", text, _I))
    return bool(_PLURAL_REFERENCE.search(first_clause(text))) or bool(_RANGE.search(text))


def asks_of_each(clause: str) -> bool:
    """A later part of a list question that asks something of the papers listed ("…, and
    what speedups do they claim?", "how large is each?"): it does not say which papers."""
    return bool(_ANAPHORA.search(clause) or _EACH.search(clause))


def quoted_phrases(text: str) -> list[str]:
    """Phrases the question puts in quotes ("the 'alignment tax'")."""
    return [(m.group(1) or m.group(2)).strip() for m in _QUOTED.finditer(text)]


def title_references(text: str) -> list[str]:
    """Phrases the question uses to name one paper by title or nickname ("the X paper",
    "the paper X", a quoted phrase), as written."""
    refs = quoted_phrases(text)
    for pattern in (_THE_X_PAPER, _X_PAPER_FIRST, _X_PAPER_ASKED, _THE_PAPER_X):
        for m in pattern.finditer(text):
            x = " ".join(m.group("x").split()).strip(" -'\"")
            ordinal = x.lower() in (*_ORDINAL_WORDS, "last")  # "the second paper"
            if (
                x
                and not ordinal
                and not _CHOOSING.fullmatch(x)
                and not _DESCRIPTION.match(x)
                and x not in refs
                and _has_content(x)
            ):
                refs.append(x)
    return refs


def authors_named(text: str) -> list[str]:
    """Surnames cited as "Hu et al."."""
    return [m.group("name") for m in _AUTHOR.finditer(text)]


def asks_for_original(text: str) -> bool:
    """ "the original X paper": the paper that introduced X, not one that uses it."""
    return bool(_ORIGINAL.search(text))


def _has_content(x: str) -> bool:
    return any(w.content for w in read_words(x))


_OR = re.compile(r"\s+(?:or|and/or)\s+|\s*/\s*", _I)
_RUN_BREAK = re.compile(r"[,;:?!.()\[\]]")


def alternatives(text: str) -> list[list[str]]:
    """Disjunctions of the question as groups of alternative phrases.

    "carbon footprint / CO2 emissions of training" -> [["carbon footprint", "CO2 emissions"]];
    "a linear or integer programming problem" -> [["linear programming problem",
    "integer programming problem"]] (a lone modifier shares the other side's head).
    """
    groups: list[list[str]] = []
    for m in _OR.finditer(text):
        left = _content_run(text[: m.start()], from_end=True)
        right = _content_run(text[m.end() :], from_end=False)
        if not left or not right:
            continue
        if len(left) == 1 and len(right) >= 2:
            left = left + right[1:]
        group = [" ".join(left), " ".join(right)]
        # "a model, features, baseline or filter": the comma-separated items before join in
        segment = re.split(r"[;:?!.()\[\]]", text[: m.start()])[-1]
        for item in reversed(segment.split(",")[:-1]):
            run = _content_run(item, from_end=True)
            if not run or len(run) > 3:
                break
            group.insert(0, " ".join(run))
        groups.append(group)
    return groups


def _content_run(text: str, *, from_end: bool) -> list[str]:
    """The content words next to a conjunction, up to punctuation or a function word."""
    piece = _RUN_BREAK.split(text)[-1 if from_end else 0]
    found = read_words(piece)
    run: list[str] = []
    for w in reversed(found) if from_end else found:
        if not w.content:
            break
        run.append(w.surface)
    return run[::-1] if from_end else run


_CAPITALIZED_RUN = re.compile(r"\b(?:[A-Z][\w'-]*[a-z0-9][\w'-]*\s+){1,5}[A-Z][\w'-]*\b")


def capitalized_names(text: str) -> list[str]:
    """Runs of capitalised words that read as a proper name ("Dream Engine"), not counting a
    question word or pronoun that merely starts the sentence."""
    found = []
    for m in _CAPITALIZED_RUN.finditer(normalize(text)):
        run = [w for w in read_words(m.group(0))]
        while run and run[0].stop:
            run = run[1:]
        if len(run) >= 2 and all(not w.stop for w in run):
            found.append(" ".join(w.surface for w in run))
    return found


_VS = re.compile(r"\s+(?:vs\.?|versus|or)\s+", _I)
_COMPARE_LIST = re.compile(
    r"\b(?:compare|comparing|contrast|between|btw|how\s+do(?:es)?|do)\s+(?:the\s+)?(?P<x>[^?.!:;]{3,200}?)"
    r"(?=\s+(?:differ|compare)\b|[?:;]|\s*[-–—]\s|$)",
    _I,
)
_THAN = re.compile(
    r"^\W*(?:(?:is|are|was|were|does|do|did)\s+)?(?P<a>[^?,;]{2,80}?)\s+"
    rf"{_THAN_COMPARATIVE}\s+than\s+(?P<b>[^?.,;]{{2,80}})",
    _I,
)
_PARENS_LIST = re.compile(r"\(([^()]{3,200})\)")
_ITEM_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|vs\.?|versus|or|&)\s+", _I)
_HOW_COMPARE = re.compile(
    r"\bhow\s+(?:do|does|did|would)\s+(?P<a>[^?.!:;]{1,100}?)\s+(?:compare|stack\s+up|fare)\s+"
    r"(?:to|with|against)\s+(?P<b>[^?.!:;,]{2,100})"
    # "what makes the Fira method different from GaLore", "how is X different than Y"
    r"|\b(?:makes?|is|are|was)\s+(?P<c>[^?.!:;,]{1,100}?)\s+(?:so\s+)?different\s+(?:from|than|of|to)\s+"
    r"(?P<d>[^?.!:;,]{2,100})",
    _I,
)
# after "compare": "compare X with Y", "compare X to Y", "compare X against Y"
_COMPARED_WITH = re.compile(_ITEM_SPLIT.pattern + r"|\s+(?:with|to|against)\s+", _I)
_PRONOUN = re.compile(r"(?:it|this|that|this\s+one|that\s+one|this\s+paper|that\s+paper)", _I)


def compare_targets(text: str) -> list[str]:
    """What a comparison names, in order: "MINT-1T vs OmniCorpus", "ReCAP and ZipAR",
    "the three surveys (self-training, mid-training, low-precision training)"."""
    text = normalize(text)
    found: list[str] = []
    for paren in _PARENS_LIST.finditer(text):
        items = [i for i in _ITEM_SPLIT.split(paren.group(1)) if i.strip()]
        if len(items) >= 2:
            found.extend(items)
    if not found:
        # the part naming the alternatives: "gptvq or glvq, which is better?" / "which is
        # better, gptvq or glvq?"
        parts = [
            re.sub(r"^\s*which\s+[^,]*,\s*", "", p, flags=_I)
            # "gptvq vs glvq which one gets lower bits": the alternatives end where the
            # question about them begins
            for p in re.split(r"[?:;]|\s[-–—]\s|,?\s+(?=(?:which|what|how)\b)", text, flags=_I)
        ]
        head = next((p for p in parts if _VS.search(p)), parts[0])
        if _VS.search(head) or re.search(r"\b(?:vs\.?|versus)\b", head, _I):
            found = [i for i in _ITEM_SPLIT.split(head) if i.strip()]
        else:
            listed = _COMPARE_LIST.search(text)
            against = _HOW_COMPARE.search(text)
            than = _THAN.search(text)
            if against:
                # "how does it compare to MINT-1T?"
                found = [
                    against.group("a") or against.group("c"),
                    against.group("b") or against.group("d"),
                ]
            elif than:
                # "is gptvq smaller than glvq?"
                found = [than.group("a"), than.group("b")]
            elif listed:
                found = [i for i in _COMPARED_WITH.split(listed.group("x")) if i.strip()]
    # "compare it with Megatron": "it" stands for the paper just discussed
    phrases = [
        _target_phrase(t) or (t.strip() if _PRONOUN.fullmatch(t.strip()) else "") for t in found
    ]
    return [p for p in phrases if p]


def _target_phrase(text: str) -> str:
    """A target without the words around it ("the SVD-free optimizer paper" -> "SVD-free optimizer")."""
    tokens = read_words(text)

    def aside(w: Word) -> bool:  # "glvq pls", "please compare …"
        return w.folded in ("please", "thanks") or bool(_CHAT.fullmatch(w.surface))

    while tokens and (
        tokens[0].stop or tokens[0].folded in ("compare", "how", "between") or aside(tokens[0])
    ):
        tokens = tokens[1:]
    while tokens and (
        tokens[-1].stop or tokens[-1].folded in ("paper", "papers", "method") or aside(tokens[-1])
    ):
        tokens = tokens[:-1]
    if not tokens:
        return ""
    return text[tokens[0].start : tokens[-1].end].strip(" ()")


_ASKS_ENTITY = re.compile(
    r"^\W*(?:and\s+|so\s+|ok\s+)?(?:what|which)\s+(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b|"
    r"has\b|have\b|can\b|about\b|if\b"
    # "which papers …" asks for papers, which the answer cites, not for things they name
    r"|papers?\b|works?\b|stud(?:y|ies)\b|articles?\b|ones?\b)[a-z]+",
    _I,
)


# The thing a question asks for, named right after its question word: "what's the licence
# of X", "what hardware did they use", "which optimizer".
_FOCUS = re.compile(
    r"\b(?:what|which)(?:'s|s|\s+is|\s+are|\s+was|\s+were)?\s+(?:the\s+|its\s+|their\s+)?"
    r"(?P<focus>[^\W\d_][\w-]*)(?=\s+(?:of|in|for|does|do|did|is|are|was|were|behind)\b|\W*$)",
    _I,
)


def asked_for(text: str) -> list[str]:
    """The words naming what the question asks for ("licence" in "what's the licence of X")."""
    return [m.group("focus") for m in _FOCUS.finditer(text)]


def entity_head(text: str) -> str | None:
    """The kind of thing an entity question asks for ("which datasets …" -> "datasets")."""
    m = _ASKS_ENTITY.search(text)
    return m.group(0).split()[-1].casefold() if m else None


def asks_entity(text: str) -> bool:
    """ "What model does it build on?", "which datasets": the answer names things."""
    return bool(_ASKS_ENTITY.search(text))


# "what is it called?", "what's the name of …": the words that ask for a name are grammar.
_NAME_FRAME = re.compile(
    r"\b(?:is|are|was|were)\s+(?:\S+\s+){0,3}?(?P<g1>called|named)\b(?=\W*(?:$|and\b|[?.,;]))"
    r"|\bwhat(?:'?s|\s+is|\s+was)?\s+(?:the\s+|its\s+|their\s+)?(?P<g2>name)\b",
    _I,
)
_ASKS_NAME = re.compile(r"\b(?:called|named|name|acronym|abbreviat\w*)\b", _I)


# "How do they represent the scene?", "how does each handle X": the answer is the method.
_ASKS_METHOD = re.compile(
    r"\bhow\s+(?:do|does|did|is|are|was|were|can|could|would|should)\b"
    r"|\b(?:in\s+)?what\s+way\b|\bby\s+what\s+means\b",
    _I,
)


# "How does it do against normal training?", "how do they compare": how well, not how.
_ASKS_PERFORMANCE = re.compile(
    r"\bhow\s+(?:do|does|did|would|can)\s+(?:\S+\s+){1,4}?(?:do|perform|fare|compare|stack|rank)"
    r"\b",
    _I,
)


def asks_method(text: str) -> bool:
    """ "How do they lay out the data?": the answer is how the paper does it, not how well."""
    return (
        bool(_ASKS_METHOD.search(text) or _HOW_IT_WORKS.search(text))
        and not wants_quantity(text)
        and not _ASKS_PERFORMANCE.search(text)
    )


def asks_name(text: str) -> bool:
    """ "What is it called?", "what name does it use": the answer is a name."""
    return bool(_ASKS_NAME.search(text))


_CLAUSE_BREAK = re.compile(
    r"[?!;]+|\.(?=\s|$)|\s[-–—]\s|,?\s+(?:and|but|also)\s+(?=(?:how|what|which|who|why|when|where|"
    r"does|do|did|is|are|was|were|can|could|has|have)\b)",
    _I,
)


def first_clause(text: str) -> str:
    """The question up to the end of its first part (all of it when it has one part)."""
    spans = clause_spans(text)
    return text[: spans[0][1]] if spans else text


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the question's parts: "what does it drop to and what score do they
    get" has two, each of which deserves its own answering sentence."""
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [s for s in spans if text[s[0] : s[1]].strip()]
