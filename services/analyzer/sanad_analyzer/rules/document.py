"""A policy read as a document: sections under headings, list items, sentences and clauses.

Real policy pages are laid out, not written as a bag of sentences: a heading ("حالات لا يقبل
فيها الإرجاع", "🔁 Returns", "3. Exchanges") gives its topic to the list under it, an item's
lead ("Sale items: …") narrows what the item says, and one sentence holds several clauses,
each with its own subject, exceptions ("إلا إذا كان معيبًا", "unless the item is defective")
and conditions ("If the box has been opened, …"). The rules run on these clauses.

Everything is found by one pass of each pattern over the matching form of the text
(normalised.py) and bisection into the spans found; what reading a 4,000-character policy
costs is measured in docs/benchmarks.md ("Rule checker").
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence
from typing import Final, Generic, NamedTuple, TypeVar

from sanad_analyzer.rules.normalised import NormalisedText, pattern
from sanad_analyzer.rules.vocabulary import (
    ALL_GOODS,
    CATEGORY_PATTERNS,
    CHANGE_OF_MIND,
    CONDITION,
    EVEN_IF_WORDS,
    EXCEPTION,
    EXCHANGE_ONLY,
    GOODS_CATEGORIES,
    LAW_CITED,
    PAST_MARKERS,
    REFUSAL,
    TOPIC_PATTERNS,
    Category,
    Lexicon,
    LexiconScan,
    Topic,
)

BULLETS: Final = "-•*–·▪●◦✓✔"
"""The characters that open a list item."""
# A line's marker: a bullet, a number ("1.", "١)", "(2)", "أولاً:"), or an emoji.
_MARKER: Final = re.compile(
    # a markdown heading, as a crawler writes a page's headings ("## سياسة الاسترجاع", "## 🔄
    # الاسترجاع": its emoji is part of the marker, as on a heading without the hashes)
    rf"\s*(?:(?P<hash>#{{1,6}}(?=\s)(?:\s*[^\w\s\"'«(|]{{1,4}}(?=\s))?)|(?P<bullet>[{BULLETS}]+)"
    r"|(?P<number>\(?\d{1,2}\s*[.)\-](?!\d)|\(\d{1,2}\)|\([a-h]\)(?=\s)"
    # a lettered item of formal terms: "أ- البرامج …", "ب) بطاقات الهدايا"
    r"|[\u0627-\u064a][\-)](?=\s)"
    # a numbered sub-clause ("٩-١ ...", "4.2 ..."), not a range of days or an amount
    r"|\d{1,2}[.\-]\d{1,2}(?=\s)(?!\s*(?:ايام|يوم|ساع|اسبوع|شهر|ريال|جنيه|عمل|%|days?|hours?"
    r"|weeks?|months?|business|working|sar|egp|le)(?![a-z])))"
    # (after an emoji too: "🔹 رابعاً: المنتجات غير القابلة للاسترجاع")
    r"|(?P<ordinal>(?:[^\w\s\"'«(]{1,4}\s*)?"
    r"(?:اولا|ثانيا|ثالثا|رابعا|خامسا|سادسا|سابعا|ثامنا|تاسعا|عاشرا)\s*[:\-)]?)"
    r"|(?P<emoji>[^\w\s\"'«(]{1,4}))\s*"
)
# A lettered item's marker: "(a)", "أ-", "ب)".
_LETTERED: Final = re.compile(r"\([a-h]\)|[\u0627-\u064a][\-)]")
# A sentence ends at "!", "?" or ";", at a full stop before a space (not after a one-letter
# abbreviation: "ج.م.", "ر.س."), or at a bullet inside a line.
# Every branch starts with a plain character, so CPython scans for them in C (guard.py).
# (a dash beside a cell divider is an empty table cell: "| Period: — | Not returnable"; a law's
# "No. 181" or "Art. 17" ends no sentence)
_SENTENCE_END: Final = re.compile(
    r"!|\?|;|•|\.(?<!(?<!\w)\w\.)(?!(?<=(?<![a-z])no\.) [0-9])(?!(?<=(?<![a-z])art\.) [0-9])"
    r"(?=\s|$)"
    r"|(?<!\|) (?:[•*]|-(?![0-9])) (?!\|)"
)
_CLAUSE_BREAK: Final = pattern(
    r",(?:(?<![0-9],)|(?![0-9]))| (?:but|while|however|whereas|لكن|ولكن|بينما|اما|ثم|\||/) |\t"
    # a consequence without its comma: "All our pieces are made to order so we can't accept …"
    r"| (?=so (?:we|you|they|it|there|no)(?![a-z]))"
)
_CELL_DIVIDER: Final = re.compile(r"[|\t]")
# A phrase cited by name, or denied, is mentioned, not stated: "ولا يُعمل بعبارة «البضاعة
# المباعة لا ترد ولا تستبدل» على أي فاتورة", 'عندنا ما فيه "البضاعة المباعة لا ترد"', 'the
# words "no returns" on a receipt'. A refusal inside its quotation marks refuses nothing.
_QUOTE_MARKS: Final = re.compile('[«“"]')
# (or named after the quotation: "«البضاعة المباعة لا ترد ولا تستبدل» جملة مش موجودة عندنا")
_CITED_BEFORE_NAME: Final = pattern(
    r"«(?P<angled>[^»\n]{1,80})» (?:جمله|عباره|لافته|شعار)|“(?P<curly>[^”\n]{1,80})” "
    r"(?:جمله|عباره|لافته|شعار)|\"(?P<straight>[^\"\n]{1,80})\" (?:جمله|عباره|لافته|شعار)"
)
_CITED: Final = pattern(
    r"(?:عباره|عبارات|جمله|لافته|لافتات|شعار|(?<![a-z])(?:phrase|words|wording|sign|notice"
    r"|statement)"
    r"|(?:ما فيه|ما في|مافيه|مافي|مفيش|مافيش|لا يوجد|لا توجد|ليس لدينا|ما عندنا|مش عندنا))"
    # (a word or two between: "خلافاً للعبارة الشائعة «…»", 'ما عندنا أبداً "…"')
    r"(?: \S+){0,2}?"
    r" (?:«(?P<angled>[^»\n]{1,80})»|“(?P<curly>[^”\n]{1,80})”|\"(?P<straight>[^\"\n]{1,80})\")"
)
# A refusal denied, which grants: "ما في شي ما يترجع", "مفيش حاجة مش بترجع", "لا نرفض أي طلب
# استرجاع", "لا يحق للمتجر رفض الإرجاع", "may not refuse a return", and, just before it,
# "never say no to a return", "not non-refundable", "No item is non-returnable".
_DENIED_REFUSAL: Final = pattern(
    r"(?:ما في|ما فيه|مافي|مفيش|مافيش|لا يوجد) (?:اي )?(?:شي|شيء|حاجه|منتج) (?:ما|مش|لا|غير)(?!\w)"
    r"|(?:لا|ما|مش|لن) (?:ن|ي|ت|بن)?رفض"
    r"|(?:لا|ليس) (?:يحق|يجوز|يمكن|من حق) (?:لل)?(?:متجر|بائع|شركه|موقع) (?:ان )?(?:ي)?رفض"
    r"|(?:not|never) refuse"
)
_DENIAL_BEFORE: Final = pattern(
    r"(?:(?<![a-z])(?:not|never)(?: say)?|(?<![a-z])no (?:item|product|order)s? (?:is|are)) $"
)
_DENIAL_REACH: Final = 20
"""How far before a refusal the negation that denies it may stand."""
# A part that goes on with the verb of the part before an aside ("Shipping fees for any
# return, even for faulty products, are paid by the customer"): it and the aside belong to
# the clause that holds their subject.
_PREDICATE: Final = re.compile(
    r"(?:is|are|was|were|will|shall|must|can|cannot|may|should|would|has|have)(?![a-z'])"
)
_ASIDE: Final = re.compile(r"(?:even|including|especially|whether|regardless)(?![a-z])")
# A period written as a value: "3-7 business days", "من ٣ إلى ٧ أيام".
_PERIOD_VALUE: Final = pattern(
    r"\d+(?:\s*-\s*\d+)?\s*(?:business\s+|working\s+)?(?:day|hour|week|month)"
    r"|\d+(?:\s*الي\s*\d+)?\s*(?:يوم|ايام|ساع|اسبوع|اسابيع|شهر|اشهر)"
)
_VALUE_WORDS: Final = 6
"""The most words of a line that is a heading's value rather than a heading."""
# Words in brackets, whose commas end no clause: "(مدى، أبل باي)".
_BRACKETED: Final = re.compile(r"\([^()\n]{1,80}\)")
_LATIN: Final = re.compile(r"[a-z]")
_ARABIC: Final = re.compile(r"[\u0621-\u064a]")
_LAST_LETTER: Final = re.compile(r"[a-z\u0621-\u064a](?=[^a-z\u0621-\u064a]*$)")
_FIRST_LETTER: Final = re.compile(r"[a-z\u0621-\u064a]")
_TRANSLATION_REACH: Final = 16
"""How far from a slash its two sides' nearest letters are looked for."""
_Key = TypeVar("_Key")
_TOPICS: Final = tuple(TOPIC_PATTERNS)
_CATEGORIES: Final = tuple(CATEGORY_PATTERNS)
SCAN_PATTERNS: Final[tuple[Lexicon | re.Pattern[str], ...]] = (
    *TOPIC_PATTERNS.values(),
    *CATEGORY_PATTERNS.values(),
    REFUSAL,
    EXCEPTION,
    CONDITION,
    ALL_GOODS,
    CHANGE_OF_MIND,
    PAST_MARKERS,
)
SCAN: Final = LexiconScan(SCAN_PATTERNS)
"""Every lexicon the reading looks up, found in one pass over the text (vocabulary.py)."""
_WORDY: Final = re.compile(r"[^\W_]")
_LEAD: Final = re.compile(r"([^:\d]{2,60}?):\s")
_LEAD_WORDS: Final = 6
_HEADING_WORDS: Final = 8
_INTRO_WORDS: Final = 14
_FINAL_PUNCTUATION: Final = ".!?"
# A reason that opens a sentence ("نظرًا لطبيعة منتجاتنا من مستحضرات التجميل، ...", "Due to the
# nature of our products (fresh coffee), ..."): the goods it names are the whole catalogue,
# not a scope the rest of the sentence is limited to.
_NATURE: Final = pattern(
    r"(?:نظرا|بسبب|due to|because of|given|owing to)\s+(?:ل)?(?:ال)?(?:طبيعه|the nature of)"
    r"|(?:because|since|as) (?:all )?our \w+ (?:are|is)"
    r"|(?:لان|نظرا لان|بما ان|حيث ان) (?:جميع |كل )?\w+نا(?!\w)"
)
# A reason given after a rule: "…، لأنها قطع تصفية", "…, because they are made to order".
_BECAUSE: Final = pattern(r"(?:و|ف)?(?:لان|لانها|لانه|لانهم)(?!\w)|because(?![a-z])")
_PERIOD_LABEL: Final = pattern(r"(?:اول|خلال|first|within) \S+ (?:ايام|يوم|ساعه|ساعات|days|hours)")
_CHROME_LENGTH: Final = 80
"""The most characters of a breadcrumb or update-date line."""
# A list item's marker inside a line: a bullet between spaces (not a dash in a range of
# numbers: "3 - 7"), or an item's number ("2)", "٣-") after a space.
_INLINE_BULLETS: Final = "•▪●◦✓✔✅❌🔹🔸📌👈➖"
"""The marks that open list items run into one line (a dash too, matched apart)."""
_RUN_ON_BULLET: Final = re.compile(rf" (?=[{_INLINE_BULLETS}] )| (?<![0-9] )(?=- (?![0-9]))")
_RUN_ON_NUMBER: Final = re.compile(r" (?=([0-9]{1,2})[)\-] )")
_RUN_ON_ANY: Final = re.compile(rf" (?:[{_INLINE_BULLETS}]|-|[0-9]{{1,2}}[)\-]) ")
"""Either marker, found by one search before the line is split (most lines hold none)."""
# What a crawler keeps of the page around the policy, which says nothing of it: a breadcrumb
# ("الرئيسية > سياسة الاسترجاع", "Home > Returns") and the date it was updated. Left out, so
# neither is taken for the page's title nor its date for a period.
_PAGE_CHROME: Final = pattern(
    r"(?:home|الرئيسيه|الصفحه الرئيسيه) ?(?:>|›|»|/)"
    r"|(?:last updated|last modified|updated on|effective date|اخر تحديث|تاريخ (?:ال)?تحديث"
    r"|تم (?:ال)?تحديث)"
)
# A clause that draws the rule from the one before: "ولذلك", "وعشان كده", "so", "therefore".
_CONSEQUENCE: Final = pattern(
    r"(?:و|ف)?(?:لذلك|لذا|بالتالي|عليه)(?!\w)|(?:و|ف)?(?:عشان|علشان) (?:كذا|كده|هيك|ذلك)"
    # "so" glued to a negation: "عطورنا منتجات شخصية، فما عندنا استرجاع"
    r"|ف(?=(?:ما|لا|مش|مفيش|مافي|مو|لن)(?!\w))"
    r"|(?:and |which is why |that is why )?(?:so|therefore|hence|thus|for this reason"
    r"|as a result)(?![a-z])"
)
# An opening that speaks of the shop's own goods as a whole: "جميع منتجاتنا", "كيكاتنا",
# "All our products are", "Our cakes are".
_OUR_GOODS: Final = pattern(
    r"(?:جميع |كل |كافه )?\w{3,}(?:نا|اتنا)(?!\w)|(?:all (?:of )?)?our \w+ (?:are|is)(?![a-z])"
)
# The rule's own words name every order: "أي طلب", "أي حاجة اتباعت", "any order".
_ANY_GOODS: Final = pattern(
    r"(?:اي|أي|كل) (?:طلب|حاجه|منتج|شي|شيء)(?!\w)|any (?:order|item|product|purchase)s?"
    r"|anything(?![a-z])"
)
# A requirement on what is granted ("الاستبدال خلال ٣ أيام بشرط إن القطعة ما انفتحت", "provided
# it is unused"): the goods or cases it names, to its clause's end, limit no other clause.
_REQUIREMENT: Final = pattern(
    r"بشرط|شرط ان|شريطه|على ان|provided|as long as|on condition"
    # and what a clause takes in, not limits: "ما نقبل إرجاعها حتى لو ما انفتحت"
    r"|" + EVEN_IF_WORDS
)
# A page title that names the shop: "لعملاء عطور الفردوس", "متجر عطور", "Oud House store".
_SHOP: Final = pattern(
    r"(?:ل)?عملاء(?!\w)|متجر\w*|محل(?:ات)?(?!\w)|معرض(?!\w)|(?:store|shop|boutique)(?![a-z])"
)
# A title that names a policy: "سياسة الاسترجاع", "الشروط والأحكام", "Returns Policy".
_POLICY_TITLE: Final = pattern(
    r"(?:ال)?سياس\w*|(?:ال)?شروط|(?:ال)?احكام|polic\w*|terms|returns?(?![a-z])"
)
_ANY_CATEGORY: Final = frozenset(Category)
# Words that make a heading introduce a list of what cannot be returned.
_LIST_WORDS: Final = pattern(
    r"حالات|منتجات|المنتجات|ما لا|التاليه|cases|items|products|what|following|below"
)


class Section(NamedTuple):
    """A heading and what stands under it (section 0 may have no heading)."""

    heading: tuple[int, int] | None
    topics: frozenset[Topic]
    headings: tuple[tuple[int, int], ...]
    """Its heading's span, and the enclosing heading's when it is a list a sentence opens."""
    introduces_exceptions: bool
    """The heading introduces what cannot be returned, or the conditions of a return: what is
    listed under it limits the right, it does not refuse it."""
    refuses: bool = False
    """The heading refuses returns over a list ("❌ مش بنقبل استرجاع"): what is listed under it
    is what cannot be returned."""


class Carveout(NamedTuple):
    """An exception inside a clause ("إلا إذا كان المنتج معيبًا", "except gift cards")."""

    start: int
    end: int
    defects: bool
    """It carves out defective, damaged or wrong items."""
    goods: bool
    """It names goods or cases (the rest of the clause then covers everything else)."""


class Clause(NamedTuple):
    """A comma-bounded part of a sentence, with what it is about and what it covers."""

    start: int
    end: int
    sentence: int
    topics: frozenset[Topic]
    """Topics of the clause's own words (its exceptions left out)."""
    context: frozenset[Topic]
    """Topics of the item's lead and of the section's heading, which the clause inherits."""
    all_goods: bool
    """The sentence names the whole catalogue ("جميع المنتجات", "all sales")."""
    refusal: tuple[int, int] | None
    """Span of a refusal of returns, refunds or exchanges in the clause (its polarity)."""
    carveouts: tuple[Carveout, ...]
    condition: tuple[int, int] | None
    """A condition the clause holds under ("If the box has been opened", "في حال الإرجاع لعدم
    الرغبة"), from the clause itself or the conditional clause before it."""
    condition_defects: bool
    """The condition is about defective, damaged or wrong items."""
    change_of_mind: bool
    """The clause or its condition is about change-of-mind returns only."""
    in_heading: bool

    @property
    def negated(self) -> bool:
        """The clause refuses a return, refund or exchange."""
        return self.refusal is not None

    @property
    def carves_defects(self) -> bool:
        """An exception of the clause takes defective items out of it."""
        return any(carveout.defects for carveout in self.carveouts)


class Sentence(NamedTuple):
    """A sentence or list item of a line."""

    start: int
    end: int
    section: int
    item: bool
    """The line is a list item."""
    lead: tuple[int, int] | None
    """An item's label before a colon ("Sale items: …", "منتجات التخفيضات: …")."""
    heading: bool
    clauses: range
    """Indices of its clauses in the document."""


class _Index(Generic[_Key]):
    """Where every lexicon of a family matches in the text, found once, for bisection."""

    def __init__(self, keys: Sequence[_Key], spans: Sequence[list[tuple[int, int]]]) -> None:
        self._starts = {
            key: [start for start, _ in found] for key, found in zip(keys, spans, strict=True)
        }
        merged = sorted(
            (start, index) for index, starts in enumerate(self._starts.values()) for start in starts
        )
        keys = list(self._starts)
        self._positions = [position for position, _ in merged]
        self._keys = [keys[index] for _, index in merged]

    def any_in(self, key: _Key, start: int, end: int) -> bool:
        """A match of ``key``'s lexicon starts in [start, end)."""
        starts = self._starts[key]
        index = bisect.bisect_left(starts, start)
        return index < len(starts) and starts[index] < end

    def keys_in(self, start: int, end: int) -> frozenset[_Key]:
        """Every key with a match starting in [start, end)."""
        first = bisect.bisect_left(self._positions, start)
        last = bisect.bisect_left(self._positions, end, first)
        return frozenset(self._keys[first:last])


class Document:
    """A policy text as sections, sentences and clauses."""

    def __init__(self, text: NormalisedText) -> None:
        self.text = text
        found = SCAN.spans(text.text)
        topics = len(_TOPICS)
        categories = topics + len(_CATEGORIES)
        self._topics = _Index(_TOPICS, found[:topics])
        self._categories = _Index(_CATEGORIES, found[topics:categories])
        self._scopes: dict[tuple[int, int], frozenset[Category]] = {}
        refusals, exceptions, conditions, all_goods, minds, past = found[categories:]
        self.mentions_the_past = bool(past) or "~~" in text.text
        """A word of superseded terms stands in the text (superseded.py reads them)."""
        if _QUOTE_MARKS.search(text.text) is not None:
            cited = [
                match.span(match.lastgroup or 0)
                for cited_form in (_CITED, _CITED_BEFORE_NAME)
                for match in cited_form.finditer(text.text)
            ]
            refusals = [
                (start, end)
                for start, end in refusals
                if not any(first <= start and end <= last for first, last in cited)
            ]
        refusals = [span for span in refusals if not _refusal_denied(text.text, span, refusals)]
        self._refusals = refusals
        self._refusal_starts = [start for start, _ in refusals]
        self._exceptions = [start for start, _ in exceptions]
        self._all_goods = [start for start, _ in all_goods]
        self._conditions = [start for start, _ in conditions]
        self._minds = [start for start, _ in minds]
        self.sections: list[Section] = []
        self._title: int | None = None
        """The section the page's title heads: its first line, when that is a heading."""
        self.sentences: list[Sentence] = []
        self.clauses: list[Clause] = []
        self._read()
        self._clause_starts = [clause.start for clause in self.clauses]

    # Queries the rules use.

    def has(self, topic: Topic, start: int, end: int) -> bool:
        """A word of ``topic`` in the span."""
        return self._topics.any_in(topic, start, end)

    def names(self, category: Category, start: int, end: int) -> bool:
        """The span names goods or cases of ``category``."""
        return self._categories.any_in(category, start, end)

    def _categories_in(self, start: int, end: int) -> frozenset[Category]:
        return self._categories.keys_in(start, end)

    def scope(self, clause: Clause) -> frozenset[Category]:
        """The goods or cases a clause is limited to, named in its sentence, its item's lead
        or its section's headings; empty means all goods. Read on first asking (only the
        rules about refusals and exclusions need it). Of two refusals in one sentence, each
        keeps its own goods and time ("البضاعة المباعة لا ترد ولا تستبدل، …، وبعد ما المندوب
        يمشي مش بنقبل أي مرتجع": the courier's leaving limits only the second)."""
        key = (clause.sentence, -1 if clause.refusal is None else clause.start)
        found = self._scopes.get(key)
        if found is None:
            sentence = self.sentences[clause.sentence]
            others: tuple[Clause, ...] = ()
            if clause.refusal is not None:
                others = tuple(
                    other
                    for other in self.clauses[sentence.clauses.start : sentence.clauses.stop]
                    if other.refusal is not None
                    and other.start != clause.start
                    # (not its translation: "No returns on boxers | لا يقبل إرجاع البوكسرات")
                    and self._arabic(other) == self._arabic(clause)
                )
            start = sentence.start
            opening = self.clauses[sentence.clauses.start]
            # A reason about all the shop's own goods ("منتجاتنا …"): a heading that names the
            # same goods ("حلويات البيت" over "منتجاتنا حلويات طازجة، وعشان كذا ما نقدر نقبل
            # إرجاعها") limits nothing either (discounted goods are never all a shop sells;
            # "نظراً لطبيعة التمور" may be about some of them).
            described: frozenset[Category] = frozenset()
            rule = self._rule_after_reason(opening) if len(sentence.clauses) > 1 else None
            if rule is not None:
                start = rule.start
                if _OUR_GOODS.search(self.text.text, opening.start, opening.end) is not None:
                    described = self._categories_in(opening.start, rule.start) - {Category.SALE}
            if clause.all_goods:
                # (a reason after the rule about every product: "جميع منتجات الموقع بيع نهائي:
                # لا ترد ولا تستبدل، لأنها قطع تصفية")
                described |= self._trailing_reasons(sentence, clause)
            section = self.sections[sentence.section]
            # (a refusal of any order refuses more than its heading's goods: "ثانياً: المنتجات غير
            # المنقوشة" / "… لا نقدم استرداداً نقدياً لأي طلب")
            any_order = clause.refusal is not None and self._ends_with_any_order(clause)
            headings = (
                frozenset()
                if any_order
                else frozenset().union(
                    *(
                        self._categories_in(*span)
                        & ({Category.SALE} if self._titles_the_goods(span) else _ANY_CATEGORY)
                        for span in section.headings
                        if not self._names_the_shop(span) and not self._describes_our_goods(span)
                    )
                )
            )
            spans = self._unrequired(sentence, start, others)
            lead = self._lead_gone_on_from(clause.sentence)
            if lead:
                spans.append(lead)
            found = headings.union(*(self._categories_in(*span) for span in spans)) - described
            self._scopes[key] = found
        return found

    def _ends_with_any_order(self, clause: Clause) -> bool:
        """The clause closes on "any order" with nothing to narrow it ("لأي طلب", "for any
        order"; not "أي منتج يُحفظ في الثلاجة")."""
        text = self.text.text
        found = _ANY_GOODS.search(text, clause.start, clause.end)
        while found is not None:
            if not text[found.end() : clause.end].strip(" .،,"):
                return True
            found = _ANY_GOODS.search(text, found.end(), clause.end)
        return False

    def _trailing_reasons(self, sentence: Sentence, clause: Clause) -> frozenset[Category]:
        """The goods named by the reasons that follow the clause in its sentence ("…،
        لأنها قطع تصفية", "…, because they are made to order")."""
        text = self.text.text
        return frozenset().union(
            *(
                self._categories_in(other.start, other.end)
                for other in self.clauses[sentence.clauses.start : sentence.clauses.stop]
                if other.start > clause.start and _BECAUSE.match(text, other.start)
            )
        )

    def _describes_our_goods(self, heading: tuple[int, int]) -> bool:
        """The heading (or a list's lead) gives the nature of the shop's own goods as the
        reason for what follows ("نظراً لطبيعة منتجاتنا من العطور والبخور ودهن العود:"): the
        goods it names are everything the shop sells."""
        text = self.text.text
        return (
            _NATURE.match(text, heading[0]) is not None
            and _OUR_GOODS.search(text, *heading) is not None
        )

    def _lead_gone_on_from(self, index: int) -> tuple[int, int] | None:
        """The item's lead of the sentence, or of the one it goes on from ("Groceries: report
        any problem within 24 hours; no change-of-mind returns")."""
        sentence = self.sentences[index]
        while sentence.lead is None:
            previous = self.goes_on_from(index)
            if previous is None:
                return None
            index, sentence = index - 1, previous
        return sentence.lead

    def _arabic(self, clause: Clause) -> bool:
        """The clause is written in Arabic letters more than in Latin ones."""
        text = self.text.text
        arabic = len(_ARABIC.findall(text, clause.start, clause.end))
        return arabic >= len(_LATIN.findall(text, clause.start, clause.end))

    def _rule_after_reason(self, opening: Clause) -> Clause | None:
        """The clause that states the rule when the sentence's opening states why, for the
        shop's goods ("نظراً لطبيعة المنتجات…، لا يمكن…", "جميع منتجاتنا طازجة، ولذلك لا يمكن
        إرجاعها", "كل الحلويات بتتعمل طازة، وعشان كده أي حاجة اتباعت مش بترجع"): the goods it
        describes are all the shop sells, or the rule names its own ("any order"). The reason
        may take two clauses ("كل منتجاتنا عطور ودهن عود، وهي منتجات عناية شخصية، فما نقبل
        إرجاعها"). None when the sentence opens with no reason."""
        text = self.text.text
        sentence = self.sentences[opening.sentence]
        following = self.clauses[sentence.clauses.start + 1]
        if _NATURE.match(text, opening.start):
            return following
        for index in range(
            sentence.clauses.start + 1, min(sentence.clauses.stop, sentence.clauses.start + 3)
        ):
            following = self.clauses[index]
            if _CONSEQUENCE.match(text, following.start) is None:
                continue
            if (
                _OUR_GOODS.match(text, opening.start) is not None
                or _ANY_GOODS.search(text, following.start, following.end) is not None
            ):
                return following
            return None
        return None

    def _names_the_shop(self, heading: tuple[int, int]) -> bool:
        """The page's title names the shop, and lists or refuses nothing itself ("تنبيه هام
        لعملاء عطور الفردوس", "Perfume House store policy"): goods in the shop's name are all
        it sells, so they limit nothing written under it, a list under a later heading
        included."""
        return self._plain_title(heading) and _SHOP.search(self.text.text, *heading) is not None

    def _titles_the_goods(self, heading: tuple[int, int]) -> bool:
        """The page's title is the policy of the goods it names ("Custom Signs – Returns
        Policy", "سياسة الاستبدال – هدايا منقوشة", "Plumbing supplies – returns"): they are
        what the page, and so the shop, sells (discounted goods are never all of it)."""
        return (
            self._plain_title(heading)
            and _POLICY_TITLE.search(self.text.text, *heading) is not None
        )

    def _plain_title(self, heading: tuple[int, int]) -> bool:
        """The heading is the page's title, and it lists and refuses nothing itself."""
        if self._title is None:
            return False
        title = self.sections[self._title]
        return heading == title.heading and not title.introduces_exceptions and not title.refuses

    def _unrequired(
        self, sentence: Sentence, start: int, others: tuple[Clause, ...] = ()
    ) -> list[tuple[int, int]]:
        """The sentence from ``start`` without its requirements (each to its clause's end)
        and without the ``others`` clauses."""
        spans = []
        for clause in self.clauses[sentence.clauses.start : sentence.clauses.stop]:
            if clause.end <= start or clause in others:
                continue
            cites_the_law = LAW_CITED.search(self.text.text, clause.start, clause.end)
            if clause.refusal is None and cites_the_law:
                # "وهذا متوافق مع نظام التجارة الإلكترونية اللي يستثني المنتجات المصنوعة حسب
                # الطلب" says what the law exempts, not what the shop's rule covers
                continue
            requirement = _REQUIREMENT.search(self.text.text, clause.start, clause.end)
            end = clause.end if requirement is None else requirement.start()
            position = max(start, clause.start)
            # An exception for defects says where the defect is, not what the clause covers
            # ("لا ترد ولا تستبدل إلا في حالة عيب في البخاخ").
            for carveout in clause.carveouts:
                if carveout.defects and position <= carveout.start < end:
                    spans.append((position, carveout.start))
                    position = carveout.end
            spans.append((position, max(position, end)))
        return spans or [(start, sentence.end)]

    def refusals(self, clause: Clause) -> list[tuple[int, int]]:
        """Spans of every refusal in the clause's own words ("exchange only, no cash
        refund" holds two); ``clause.refusal`` is the first."""
        if clause.refusal is None:
            return []
        own_end = clause.carveouts[0].start if clause.carveouts else clause.end
        first = bisect.bisect_left(self._refusal_starts, clause.refusal[0])
        last = bisect.bisect_left(self._refusal_starts, own_end, first)
        return self._refusals[first:last]

    def column_heading(self, position: int) -> tuple[int, int] | None:
        """The heading cell over a table cell after its row's first: the cell in the same
        column of the table's first row ("| الإلغاء | الإرجاع | الاسترداد |" over "| خلال ساعة
        | 10 أيام | 5-10 أيام عمل |"), if that row holds no number (it names, it does not
        set). None outside a table."""
        content = self.text.text
        line_start = content.rfind("\n", 0, position) + 1
        line_end = content.find("\n", position)
        line_end = len(content) if line_end < 0 else line_end
        if not _table_row(content[line_start:line_end]):
            return None
        column = _cells_before(content, line_start, position)
        if column <= 0:
            return None
        top = line_start
        while top > 0:
            above = content.rfind("\n", 0, top - 1) + 1
            if not _table_row(content[above : top - 1]):
                break
            top = above
        top_end = content.find("\n", top)
        if top >= line_start or any(char.isdigit() for char in content[top:top_end]):
            return None
        dividers = [match.start() for match in _CELL_DIVIDER.finditer(content, top, top_end)]
        skipped = column + content.startswith("|", top)
        if len(dividers) < skipped:
            return None
        cell_start = dividers[skipped - 1] + 1 if skipped else top
        cell_end = dividers[skipped] if len(dividers) > skipped else top_end
        return (cell_start, cell_end) if content[cell_start:cell_end].strip() else None

    def clause_at(self, position: int) -> Clause:
        """The clause holding a normalised position."""
        index = max(0, bisect.bisect_right(self._clause_starts, position) - 1)
        return self.clauses[index]

    def sentence_of(self, clause: Clause) -> Sentence:
        return self.sentences[clause.sentence]

    def section_of(self, clause: Clause) -> Section:
        return self.sections[self.sentences[clause.sentence].section]

    def goes_on_from(self, index: int) -> Sentence | None:
        """The sentence that sentence ``index`` goes on from, if it does: after a semicolon
        ("your refund is sent to your card; allow 5 to 10 days for it to appear"), or as the
        answer to the question before it on the same line ("هل يمكن إرجاع المنتج؟ نعم، خلال 3
        أيام")."""
        if index == 0:
            return None
        previous, sentence = self.sentences[index - 1], self.sentences[index]
        between = self.text.text[previous.end : sentence.start]
        return previous if between.strip() in (";", "؛") or self.answers(index) else None

    def answers(self, index: int) -> bool:
        """Sentence ``index`` answers the question right before it."""
        if index == 0:
            return False
        previous, sentence = self.sentences[index - 1], self.sentences[index]
        return self.text.text[previous.end : sentence.start].rstrip() == "?"

    def words(self, start: int, end: int) -> str:
        return self.text.text[start:end]

    @functools.cached_property
    def return_grants(self) -> tuple[Clause, ...]:
        """Clauses that grant a return or refund (not refuse it), outside exception lists."""
        return tuple(
            clause
            for clause in self.clauses
            if not clause.negated
            and not clause.in_heading
            and Topic.RETURN in clause.topics
            and not self.section_of(clause).introduces_exceptions
        )

    # Reading.

    def _read(self) -> None:
        content = self.text.text
        lines = [
            part
            for match in re.finditer(r"[^\n]+", content)
            if match.group().strip() and not _page_chrome(content, match.start(), match.end())
            for part in _run_on_items(content, match.start(), match.end())
        ]
        markers = [_MARKER.match(content, start) for start, _ in lines]
        kinds = [
            marker.lastgroup if marker and marker.group().strip() else None for marker in markers
        ]
        # Lines of a table: a cell divider on the line and on a neighbouring one, neither a
        # list item nor a line and its translation ("- Swimwear | ملابس السباحة", "Refund time
        # | مدة رد المبلغ" are no table).
        piped = [
            (" | " in content[start:end] or "\t" in content[start:end])
            and kind is None
            and not _bilingual(content[start:end])
            for (start, end), kind in zip(lines, kinds, strict=True)
        ]
        rows = [
            here and ((index > 0 and piped[index - 1]) or piped[index + 1 : index + 2] == [True])
            for index, here in enumerate(piped)
        ]
        section = self._section(None)
        title: int | None = None
        heading = False
        bare: set[int] = set()
        """Lines of a list whose markers a crawler dropped, under a heading that refuses or
        excludes ("Non-returnable" / "Underwear" / "Cosmetics once opened")."""
        for index, (start, end) in enumerate(lines):
            marker = markers[index]
            body = marker.end() if marker is not None and kinds[index] else start
            body = min(body, end)
            following = kinds[index + 1] if index + 1 < len(lines) else "none"
            if following == "number" and _heads_sub_clauses(markers[index], markers[index + 1]):
                following = "sub-clauses"
            after_heading = heading
            heading = (
                index not in bare
                and not rows[index]
                and not (heading and _period_value(content[body:end]))
                and self._is_heading(body, end, kinds[index], following)
            )
            if heading:
                leads_list = content[body:end].rstrip().endswith(":")
                if self._limits_what_follows(body, end):
                    run = list(
                        itertools.takewhile(
                            lambda line: (
                                kinds[line] is None
                                and not rows[line]
                                and _bare_item(content[lines[line][0] : lines[line][1]])
                            ),
                            range(index + 1, len(lines)),
                        )
                    )
                    # (a list of goods: "شكراً لتفهمكم" under "احنا مش بنرجع فلوس" is none)
                    if any(self._categories_in(*lines[line]) & GOODS_CATEGORIES for line in run):
                        bare.update(run)
                        leads_list = True
                section = self._section(
                    (body, end),
                    lists=following in ("bullet", "number") or leads_list,
                    title=title,
                    # "استرداد المبالغ" / "يمكنك اختيار طريقة الاسترداد:": a list's lead right
                    # under a heading stands under it.
                    parent=section if after_heading and leads_list else None,
                )
                if index == 0:
                    title = self._title = section
            self._line(
                body,
                end,
                section,
                kinds[index] == "bullet"
                or (kinds[index] == "number" and not heading)
                or index in bare,
                heading,
            )
            if (
                not heading
                and content[start:end].rstrip().endswith(":")
                and (len(content[body:end].split()) <= _INTRO_WORDS)
            ):
                # A sentence that introduces a list ("…, except the items below:") lends the
                # items its topics.
                section = self._section((body, end), lists=True, parent=section)

    def _limits_what_follows(self, start: int, end: int) -> bool:
        """The heading refuses returns or names exclusions or conditions ("Non-returnable",
        "ما نقبل إرجاعه", "شروط الإرجاع"): what stands under it is what it is about."""
        return (
            _first_in(self._refusal_starts, start, end) is not None
            or self._topics.any_in(Topic.EXCLUSIONS, start, end)
            or self._topics.any_in(Topic.CONDITIONS, start, end)
        )

    def _is_heading(self, start: int, end: int, kind: str | None, following: str | None) -> bool:
        content = self.text.text
        line = content[start:end].strip()
        if kind == "hash":
            return bool(line) and len(line.split()) <= _HEADING_WORDS
        if kind == "bullet" and following is None and line.endswith("?"):
            # an FAQ whose questions are bulleted ("- وش المدة؟" / "يومين من الاستلام")
            return len(line.split()) <= _INTRO_WORDS
        if kind == "bullet" or following == "none" or not line:
            return False
        if kind == "number" and following == "number":
            return False
        if kind == "emoji" and (following == "emoji" or re.search(r":\s*\S", line)):
            # "✅ مدة الإرجاع: 7 days" / "⚠️ ..." line after line: emoji used as bullets
            return False
        if line.endswith((":", "?")):
            # A question on a line of its own heads its answer, as FAQ pages are laid out
            # ("How long do refunds take?" / "Up to 10 business days.").
            return len(line.split()) <= _INTRO_WORDS
        if line[-1] in _FINAL_PUNCTUATION or (line[0] == "(" and line[-1] == ")"):
            return False  # (a note in brackets: "(في كل الحالات مصاريف الشحن على العميل)")
        if line.count(" | ") >= 2 or line.startswith("|") or line.endswith("|") or "\t" in line:
            # a table's row ("غيرت رأيك | على العميل | 10 ريال رسوم فحص", "| العطور | 7 أيام |")
            return False
        sides = re.split(r"\s[|/]\s", line)
        return all(len(side.split()) <= _HEADING_WORDS for side in sides)

    def _section(
        self,
        heading: tuple[int, int] | None,
        *,
        lists: bool = False,
        parent: int | None = None,
        title: int | None = None,
    ) -> int:
        """A new section under ``heading``; ``parent`` is the section whose sentence opens it
        as a list, ``title`` the page's title section, whose topics a heading that names none
        ("⏱️ المدة" under "سياسة الاسترجاع") takes."""
        headings: tuple[tuple[int, int], ...] = ()
        refuses = False
        if heading is None:
            topics: frozenset[Topic] = frozenset()
            exceptions = False
        else:
            start, end = heading
            headings = (heading,)
            topics = self._topics.keys_in(start, end)
            if not topics and title is not None:
                topics = self.sections[title].topics
                headings += self.sections[title].headings
            refuses = (
                lists
                and _first_in(self._refusal_starts, start, end) is not None
                # ("NO REFUND ONLY EXCHANGE" gives the policy: the list under it is its terms)
                and not (
                    Topic.EXCHANGE in topics and EXCHANGE_ONLY.search(self.text.text, start, end)
                )
            )
            exceptions = (
                bool(
                    topics & {Topic.EXCLUSIONS, Topic.CONDITIONS}
                    and (lists or _LIST_WORDS.search(self.text.text, start, end))
                )
                or refuses
            )
            if parent is not None:
                outer = self.sections[parent]
                topics |= outer.topics
                headings += outer.headings
                exceptions = exceptions or outer.introduces_exceptions
        self.sections.append(Section(heading, topics, headings, exceptions, refuses))
        return len(self.sections) - 1

    def _line(self, start: int, end: int, section: int, item: bool, heading: bool) -> None:
        content = self.text.text
        position = start
        first = True
        bracketed = _bracketed(content, start, end)
        for match in _SENTENCE_END.finditer(content, start, end):
            if bracketed and match.group()[0] == " " and _in_brackets(bracketed, match.start()):
                continue  # a list inside brackets: "قطع الكهربا (حساسات - طرمبات - كويلات)"
            self._sentence(
                position, match.start(), section, item=item, heading=heading, first=first
            )
            position = match.end()
            first = False
        self._sentence(position, end, section, item=item, heading=heading, first=first)

    def _sentence(
        self, start: int, end: int, section: int, *, item: bool, heading: bool, first: bool
    ) -> None:
        content = self.text.text
        while start < end and content[start].isspace():
            start += 1
        while end > start and content[end - 1].isspace():
            end -= 1
        if start >= end or _WORDY.search(content, start, end) is None:
            return
        lead = None
        if first and not heading:
            found = _LEAD.match(content, start, end)
            if (
                found is not None
                and len(found.group(1).split()) <= _LEAD_WORDS
                # (a period is no label: "أول سبع أيام من الاستلام: بترجّع المنتج" is a clause)
                and _PERIOD_LABEL.search(content, start, found.end(1)) is None
            ):
                lead = (start, found.end(1))
        index = len(self.sentences)
        first_clause = len(self.clauses)
        self._clauses(index, (start, end), section, lead=lead, heading=heading)
        self.sentences.append(
            Sentence(
                start, end, section, item, lead, heading, range(first_clause, len(self.clauses))
            )
        )

    def _clauses(
        self,
        sentence: int,
        span: tuple[int, int],
        section: int,
        *,
        lead: tuple[int, int] | None,
        heading: bool,
    ) -> None:
        content = self.text.text
        start, end = span
        parts: list[tuple[int, int]] = []
        position = lead[1] + 1 if lead else start
        # (not a comma inside brackets: "رسوم الدفع (مدى، أبل باي) ما تنرد" is one clause)
        bracketed = _bracketed(content, position, end)
        for match in _CLAUSE_BREAK.finditer(content, position, end):
            if bracketed and _in_brackets(bracketed, match.start()):
                continue
            if match.group() == " / " and _translated(content, match.start(), match.end()):
                continue
            parts.append((position, match.start()))
            position = match.end()
        parts.append((position, end))
        parts = [(s, e) for s, e in (_trim(content, s, e) for s, e in parts) if s < e]
        # The words a clause is read for, cut to this sentence once: most sentences hold none,
        # and then their clauses skip the lookups (an exception may start just past the end).
        exceptions = _within(self._exceptions, start, end + 3)
        conditions = _within(self._conditions, start, end)
        minds = _within(self._minds, start, end)
        refusals = _within(self._refusal_starts, start, end)
        # A part that starts with an exception belongs to the clause before it, and so does
        # a predicate after an aside, with the aside.
        merged: list[list[int]] = []
        for part_start, part_end in parts:
            if (
                merged
                and exceptions
                and _first_in(exceptions, part_start, part_start + 3) is not None
            ):
                merged[-1][1] = part_end
            elif (
                len(merged) >= 2
                and _PREDICATE.match(content, part_start)
                and _ASIDE.match(content, merged[-1][0])
            ):
                merged.pop()
                merged[-1][1] = part_end
            else:
                merged.append([part_start, part_end])
        outer = self.sections[section]
        context = outer.topics | (self._topics.keys_in(*lead) if lead else frozenset())
        all_goods = _first_in(self._all_goods, start, end) is not None
        # A sentence that opens with a condition ("If the box has been opened, …", "في حال
        # الإرجاع لعدم الرغبة، …") states it for every clause after it.
        leading: tuple[int, int] | None = None
        for index, (part_start, part_end) in enumerate(merged):
            carveouts = self._carveouts(part_start, part_end) if exceptions else ()
            own_end = carveouts[0].start if carveouts else part_end
            condition = leading
            inner = _first_in(conditions, part_start, own_end) if conditions else None
            if (
                index == 0
                and len(merged) > 1
                and (
                    inner == part_start
                    or _opens_with_excepted_condition(content, part_start, carveouts, conditions)
                )
            ):
                leading = (part_start, part_end)
            if condition is None and inner is not None:
                condition = (inner, own_end)
            refusal_at = _index_in(self._refusal_starts, part_start, own_end) if refusals else None
            if refusal_at is None and refusals and lead is not None and index == 0:
                # a label and its value: "الاسترجاع المالي: غير متاح", "Refunds: not available"
                refusal_at = _index_in(self._refusal_starts, lead[0], part_start)
                if refusal_at is not None and self._refusals[refusal_at][1] <= part_start:
                    refusal_at = None
            refusal = None if refusal_at is None else self._refusals[refusal_at]
            condition_words = condition or (part_start, part_start)
            change_of_mind = bool(minds) and (
                _first_in(minds, min(condition_words[0], part_start), own_end) is not None
            )
            self.clauses.append(
                Clause(
                    start=part_start,
                    end=part_end,
                    sentence=sentence,
                    topics=self._topics.keys_in(part_start, own_end),
                    context=context,
                    all_goods=all_goods,
                    refusal=refusal,
                    carveouts=carveouts,
                    condition=condition,
                    condition_defects=condition is not None
                    and self.has(Topic.DEFECTS, *condition_words)
                    and not change_of_mind,
                    change_of_mind=change_of_mind,
                    in_heading=heading,
                )
            )

    def _carveouts(self, start: int, end: int) -> tuple[Carveout, ...]:
        first = bisect.bisect_left(self._exceptions, start)
        last = bisect.bisect_left(self._exceptions, end, first)
        found = self._exceptions[first:last]
        if not found:
            return ()
        spans = list(zip(found, [*found[1:], end], strict=False))
        carveouts = []
        for s, e in spans:
            # (not an exception for change of mind: "إلا إذا كان الإرجاع لرغبته الشخصية وليس
            # لعيب في المنتج")
            defects = self.has(Topic.DEFECTS, s, e) and _first_in(self._minds, s, e) is None
            goods = not defects and bool(self._categories_in(s, e))
            carveouts.append(Carveout(s, e, defects=defects, goods=goods))
        return tuple(carveouts)


def _index_in(starts: list[int], start: int, end: int) -> int | None:
    """The index of the first of the sorted ``starts`` in [start, end), or None."""
    index = bisect.bisect_left(starts, start)
    return index if index < len(starts) and starts[index] < end else None


def _refusal_denied(text: str, span: tuple[int, int], refusals: list[tuple[int, int]]) -> bool:
    """The refusal is itself denied (``_DENIED_REFUSAL``), or a negation just before it that
    belongs to no other refusal denies it."""
    start, end = span
    if _DENIED_REFUSAL.match(text, start, end) is not None:
        return True
    before = _DENIAL_BEFORE.search(text, max(0, start - _DENIAL_REACH), start)
    return before is not None and not any(
        first <= before.start() < last for first, last in refusals if (first, last) != span
    )


def _bracketed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The bracketed asides of text[start:end] ("(مدى، أبل باي)", "(حساسات - طرمبات)"): no
    comma, dash or bullet inside one breaks its clause, sentence or line."""
    if text.find("(", start, end) < 0:
        return []
    return [match.span() for match in _BRACKETED.finditer(text, start, end)]


def _in_brackets(bracketed: list[tuple[int, int]], position: int) -> bool:
    return any(first < position < last for first, last in bracketed)


def _within(starts: list[int], start: int, end: int) -> list[int]:
    """The sorted ``starts`` in [start, end)."""
    first = bisect.bisect_left(starts, start)
    return starts[first : bisect.bisect_left(starts, end, first)]


def _opens_with_excepted_condition(
    content: str, start: int, carveouts: tuple[Carveout, ...], conditions: list[int]
) -> bool:
    """The part is an exception word and a condition ("بس لو القطعة وصلتك فيها عيب، ابعتلنا
    صورة", "But if it arrives broken, …"): the condition holds for the clauses after it."""
    if not carveouts or carveouts[0].start != start:
        return False
    opening = _first_in(conditions, carveouts[0].start, carveouts[0].end)
    return opening is not None and " " not in content[carveouts[0].start : opening].strip()


def _table_row(line: str) -> bool:
    """A line of a table: it opens with a cell divider or holds two ("## Periods | المدد" is a
    heading and its translation), or its cells are divided by tabs."""
    return line.lstrip().startswith("|") or line.count(" | ") >= 2 or "\t" in line.strip()


def _cells_before(content: str, line_start: int, position: int) -> int:
    """How many cells of its row stand before ``position`` (a leading divider opens none)."""
    dividers = content.count("|", line_start, position) + content.count("\t", line_start, position)
    return dividers - content.startswith("|", line_start)


def _heads_sub_clauses(marker: re.Match[str] | None, next_marker: re.Match[str] | None) -> bool:
    """A numbered line over its own sub-clauses ("٢- المنتجات التالفة" / "٢-١ يجب إبلاغ
    البائع …", "6. Products that cannot be returned" / "(a) underwear …") heads them."""
    if marker is None or next_marker is None:
        return False
    number, sub_clause = marker.group("number"), next_marker.group("number")
    if not number or not sub_clause:
        return False
    digits = number.strip("()-. ")
    if not digits.isdigit():
        return False
    return (
        re.match(rf"{digits}[.\-]\d", sub_clause) is not None
        or _LETTERED.fullmatch(sub_clause.strip()) is not None
    )


def _page_chrome(content: str, start: int, end: int) -> bool:
    """The line is a breadcrumb or an update date, short as they are (a page run into one line
    that opens with its date is still the page)."""
    return end - start <= _CHROME_LENGTH and _PAGE_CHROME.match(content, start) is not None


def _run_on_items(content: str, start: int, end: int) -> list[tuple[int, int]]:
    """A line, or the lines its list was run into ("حالات لا يقبل فيها الاسترجاع - إذا ظهرت …
    - إذا لم يكن …", "Non-returnable • Swimwear • Gift cards", "1) … 2) …"), as a page loses
    its line breaks when copied: each item from its marker on, the words before the first as
    a line of their own. Two markers at least, so a dash between two words splits nothing."""
    if _RUN_ON_ANY.search(content, start, end) is None:
        return [(start, end)]  # most lines: no marker inside at all
    bracketed = _bracketed(content, start, end)
    found = [
        match.start()
        for match in _RUN_ON_BULLET.finditer(content, start, end)
        if not (bracketed and _in_brackets(bracketed, match.start()))
    ]
    if len(found) < 2:
        # numbers count from one, in order ("1) … 2) …"): "(EGP 15) is" numbers nothing
        numbered = list(_RUN_ON_NUMBER.finditer(content, start, end))
        count = next(
            (n for n, match in enumerate(numbered) if int(match.group(1)) != n + 1),
            len(numbered),
        )
        found = [match.start() for match in numbered[:count]]
        if len(found) < 2:
            return [(start, end)]
    return [(s, e) for s, e in zip([start, *found], [*found, end], strict=True) if s < e]


def _bare_item(line: str) -> bool:
    """A short line without a sentence's end, as a list item is once its marker is gone
    ("Cosmetics once opened", "الشنط والإكسسوارات بعد استخدامها")."""
    line = line.strip()
    return (
        bool(line)
        and line[-1] not in _FINAL_PUNCTUATION + ":"
        and all(len(side.split()) <= _HEADING_WORDS for side in re.split(r"\s[|/]\s", line))
    )


def _period_value(line: str) -> bool:
    """A short line that is a period, the value of the heading above it ("Refund time" / "3-7
    business days"), not a heading of its own; of a line and its translation, the first."""
    if _PERIOD_VALUE.search(line) is None:
        return False
    line = line.split(" | ", maxsplit=1)[0].strip()
    return len(line.split()) <= _VALUE_WORDS and not line.endswith((":", "?"))


def _bilingual(line: str) -> bool:
    """The line is one text and its translation: two sides, one in Latin letters only and the
    other in Arabic letters only."""
    sides = line.split(" | ")
    if len(sides) != 2:
        return False
    latin = [bool(_LATIN.search(side)) for side in sides]
    arabic = [bool(_ARABIC.search(side)) for side in sides]
    return latin[0] != latin[1] and arabic[0] != arabic[1] and latin[0] != arabic[0]


def _translated(content: str, start: int, end: int) -> bool:
    """The slash stands between a text and its translation ("غير مستردة / non-refundable"):
    one side ends in Arabic letters and the other starts in Latin ones, or the other way."""
    before = _LAST_LETTER.search(content, max(0, start - _TRANSLATION_REACH), start)
    after = _FIRST_LETTER.search(content, end, end + _TRANSLATION_REACH)
    if before is None or after is None:
        return False
    return bool(_LATIN.match(before.group())) != bool(_LATIN.match(after.group()))


def _first_in(starts: list[int], start: int, end: int) -> int | None:
    """The first of the sorted ``starts`` in [start, end), or None."""
    index = _index_in(starts, start, end)
    return None if index is None else starts[index]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
