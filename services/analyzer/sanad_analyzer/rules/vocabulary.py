"""The words the document model and the return rules read, on the matching form (normalised.py).

Written in natural Arabic spelling (``pattern`` folds it) and lower-case English. Arabic comes
in the forms Saudi and Egyptian shops write: MSA, Gulf ("ما تنرد", "بس", "تقدر") and
Egyptian ("مبترجعش", "مفيش", "الفلوس بترجع"). Each group answers one question the model
asks of a clause: what it is about (topics), which goods it covers (categories), whether it
refuses something (negators), what it carves out (exceptions), and what it costs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from typing import Final

from sanad_analyzer.rules.guard import any_of, following_characters, leading_branches
from sanad_analyzer.rules.normalised import pattern


def words(*alternatives: str) -> str:
    """One non-capturing alternation."""
    return "(?:" + "|".join(alternatives) + ")"


_PREFIXES: Final = frozenset(
    {"", "و", "ف", "ب", "ل", "ك", "ال", "لل", "وال", "فال", "بال", "كال", "ولل", "فلل", "وب", "ول"}
)
"""What may stand before a word inside the same run of letters: a conjunction or a
preposition, then the article ("والعروض", "للمنتجات")."""
_LONGEST_PREFIX: Final = max(map(len, _PREFIXES))


def at_word_start(text: str, position: int) -> bool:
    """``position`` starts a word, or follows only an Arabic prefix within its word."""
    if position == 0 or not text[position - 1].isalpha():
        return True
    start = position
    while start > 0 and text[start - 1].isalpha() and position - start <= _LONGEST_PREFIX:
        start -= 1
    return (start == 0 or not text[start - 1].isalpha()) and text[start:position] in _PREFIXES


class Lexicon:
    """Words of one meaning, matched only where a word starts (after an Arabic prefix at most).

    The regex holds the words themselves, so the first-character guard lets through only the
    positions where one of them can start; the word start is then checked in Python. Putting
    the prefix into the regex instead ("(?:و|ب|ل)?(?:ال)?…") would let every ا, ل and و
    through, and scan several times slower.
    """

    def __init__(self, *alternatives: str, not_after: tuple[str, ...] = ()) -> None:
        core = [
            alternative.removeprefix(r"(?<!\w)").removeprefix(r"\b").removeprefix("(?:ال)?")
            for alternative in alternatives
        ]
        self.regex = pattern(words(*core) + r"(?![a-z])")
        self._not_after = tuple(word + " " for word in not_after)

    def valid(self, text: str, position: int) -> bool:
        """A match of the regex at ``position`` counts: a word starts there, and no word of
        ``not_after`` stands right before it (before its prefix: "الشروط التالية")."""
        if not at_word_start(text, position):
            return False
        if not self._not_after:
            return True
        word_start = position
        while word_start > 0 and text[word_start - 1].isalpha():
            word_start -= 1
        return not text.endswith(self._not_after, 0, word_start)

    def finditer(
        self, text: str, start: int = 0, end: int | None = None
    ) -> Iterator[re.Match[str]]:
        """Matches at word starts in text[start:end], one after another. A match that is not
        at a word start takes no text from the next: "غير" inside "صغير" does not hide the
        "مش" of "صغير ومش بنرجع"."""
        stop = len(text) if end is None else end
        position = start
        while (found := self.search(text, position, stop)) is not None:
            yield found
            position = max(found.end(), found.start() + 1)

    def starts(self, text: str) -> list[int]:
        """Where the matches at word starts begin, in the whole text (what an index keeps)."""
        return [match.start() for match in self.finditer(text)]

    def search(self, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        """The first match at a word start in text[start:end]."""
        stop = len(text) if end is None else end
        found = self.regex.search(text, start, stop)
        while found is not None and not self.valid(text, found.start()):
            found = self.regex.search(text, found.start() + 1, stop)
        return found

    def match(self, text: str, position: int) -> re.Match[str] | None:
        """A match starting at ``position``, if a word starts there."""
        found = self.regex.match(text, position)
        return found if found is not None and self.valid(text, position) else None


class LexiconScan:
    """The matches of many lexicons and patterns in one text, found together.

    Each pattern's own scan stops at every letter one of its words starts with, about a
    thousand per lexicon on a 4,000-character policy, and most lead nowhere. Here one scan per
    first letter (led by it, so the engine skips to it in C) finds the places where any of
    the patterns matches, and each place is tried only with the patterns that have a word
    starting with its first three letters. The matches are exactly those of each pattern's
    own ``finditer`` (non-overlapping, in order; a lexicon's only at word starts): a pattern
    is tried at a place only once its previous match has ended.
    """

    def __init__(
        self, patterns: Sequence[Lexicon | re.Pattern[str]], *, one_scan: bool = False
    ) -> None:
        """``one_scan``: the first letters in one alternation, scanned once, for short spans,
        where a scan per letter would cost more in calls than it saves in stops."""
        self._patterns = tuple(patterns)
        regexes = [item.regex if isinstance(item, Lexicon) else item for item in self._patterns]
        self._match_at = tuple(regex.match for regex in regexes)
        self._lexicons = tuple(item if isinstance(item, Lexicon) else None for item in patterns)
        """Each pattern's lexicon, whose matches count only at word starts; None for a plain
        pattern."""
        self._alone: list[int] = []
        """Patterns not led by plain characters, or with flags: each is scanned by itself."""
        rests: dict[str, list[str]] = {}
        # Which patterns can match at a place, by as many of its first three letters as tell.
        by_one: dict[str, set[int]] = {}
        by_two: dict[str, set[int]] = {}
        by_three: dict[str, set[int]] = {}
        for index, regex in enumerate(regexes):
            branches = leading_branches(regex.pattern)
            if branches is None or regex.flags & ~re.UNICODE:
                self._alone.append(index)
                continue
            for first, rest in branches:
                rests.setdefault(first, []).append(rest)
                following = following_characters(rest) if rest else None
                if following is None:
                    by_one.setdefault(first, set()).add(index)
                    continue
                for second, thirds in following.items():
                    if thirds is None:
                        by_two.setdefault(first + second, set()).add(index)
                    for third in thirds or ():
                        by_three.setdefault(first + second + third, set()).add(index)
        finders = [
            re.escape(first) + "(?=" + any_of(alternatives) + ")"
            for first, alternatives in rests.items()
        ]
        self._finders = tuple(
            re.compile(finder) for finder in (["|".join(finders)] if one_scan else finders)
        )
        self._by_one = {start: tuple(sorted(indexes)) for start, indexes in by_one.items()}
        """Patterns whose second letter cannot be told, by the first letter."""
        self._by_two = {
            start: tuple(sorted(indexes | by_one.get(start[0], set())))
            for start, indexes in by_two.items()
        }
        """Patterns whose third letter cannot be told, by the first two, with those above."""
        self._by_three = {
            start: tuple(
                sorted(indexes | by_two.get(start[:2], set()) | by_one.get(start[0], set()))
            )
            for start, indexes in by_three.items()
        }
        """Every pattern that can match, by the first three letters."""

    @property
    def scanned_alone(self) -> tuple[Lexicon | re.Pattern[str], ...]:
        """The patterns not led by plain characters (or with flags), each scanned by itself:
        a whole pass of the text apiece, which the one-pass scan is there to avoid."""
        return tuple(self._patterns[index] for index in self._alone)

    def spans(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[list[tuple[int, int]]]:
        """The spans of each pattern's matches in text[start:end] (as ``finditer(text, start,
        end)`` finds them), in the patterns' order."""
        stop = len(text) if end is None else end
        found: list[list[tuple[int, int]]] = [[] for _ in self._patterns]
        for index in self._alone:
            found[index] = [
                match.span() for match in self._patterns[index].finditer(text, start, stop)
            ]
        ends = [start] * len(self._patterns)
        match_at, lexicons = self._match_at, self._lexicons
        places = sorted(
            match.start()
            for finder in self._finders
            for match in finder.finditer(text, start, stop)
        )
        for place in places:
            indexes = self._by_three.get(text[place : place + 3])
            if indexes is None:
                indexes = self._by_two.get(text[place : place + 2])
            if indexes is None:
                indexes = self._by_one.get(text[place], ())
            for index in indexes:
                if place < ends[index]:
                    continue
                match = match_at[index](text, place, stop)
                if match is None:
                    continue
                lexicon = lexicons[index]
                # (a match not at a word start takes no text from the next, as in finditer)
                if lexicon is None or lexicon.valid(text, place):
                    end = ends[index] = match.end()
                    found[index].append((place, end))
        return found


class Topic(enum.StrEnum):
    """What a clause (or a heading) is about."""

    CANCELLATION = "cancellation"
    """Cancelling an order before it ships."""
    RETURN = "return"
    EXCHANGE = "exchange"
    REFUND = "refund"
    """Paying money (or credit) back."""
    DEFECTS = "defects"
    """Defective, damaged or wrong items."""
    DAMAGE_REPORT = "damage_report"
    SHIPPING = "shipping"
    WARRANTY = "warranty"
    CONTACT = "contact"
    INSPECTION = "inspection"
    COSTS = "costs"
    EXCLUSIONS = "exclusions"
    """What cannot be returned (a heading that introduces a list of exceptions)."""
    CONDITIONS = "conditions"
    """Conditions a return must meet."""


# Egyptian Arabic in Latin letters (Franco-Arabic), as some shops' pages are written: its
# digits stand for letters ("terga3" is ترجع, "3eib" is عيب), so no English word holds these.
FRANCO_RETURN: Final = (
    r"r[ae]?g+[ae]*3[a-z]*|(?:t|y|n|bt|by|bn|ha|han|hat|hay|a|e|est)e?r[ae]?g+[ae]*3[a-z]*"
    r"|bey-?return\w*"
)
"""Return verbs: "rag3", "trag3", "terga3", "btrga3", "araga3", "estergaa3", "bey-return"."""
FRANCO_EXCHANGE: Final = (
    r"b[ae]?dd?el[a-z]*|(?:t|y|n|bt|by|bn|ha|han|hat|hay)e?t?b[ae]?dd?el[a-z]*|estebdal|tabdeel"
)
"""Exchange verbs and nouns: "tbaddel", "btetbedel", "nebadel", "estebdal"."""
FRANCO_NEGATORS: Final = ("msh", "mish", "mafesh", "mafeesh", "mafish")

_TOPIC_WORDS: Final = {
    Topic.CANCELLATION: (
        r"(?:ال)?الغاء\w*",
        r"[تين]?لغي\w*",
        r"يلغي",
        r"cancel\w*",
        r"(?:tl|l|tal)a?gh[yi](?![a-z])",
    ),
    Topic.RETURN: (
        r"(?:ال)?(?:ارجاع|استرجاع|ترجيع|مرتجع|مرتجعات|رجوع)\w*",
        r"(?:[اتين]|بت|بي|هت|ين)?رجع\w*",
        r"(?:ت|ين)?نرد",
        r"فسخ",
        r"(?:ال)?عدول",
        r"return\w*",
        r"(?:send|sent|sending) (?:\w+ ){0,2}back",
        r"withdraw\w*",
        FRANCO_RETURN,
    ),
    Topic.EXCHANGE: (
        r"(?:ال)?(?:استبدال|تبديل)\w*",
        r"(?:[تين]|بت|بي|هت)?(?:ت)?بدل\w*",
        r"(?:[تين]|بت|هت)?ستبدل\w*",
        r"البدل(?!\w)",
        r"exchang\w*",
        r"swap\w*",
        FRANCO_EXCHANGE,
    ),
    Topic.REFUND: (
        r"(?:ال)?(?:استرداد|مسترد)\w*",
        r"(?:ال)?(?:مبلغ|مبالغ|فلوس|اموال|نقود)\w*",
        r"refund\w*",
        r"reimburs\w*",
        r"money back",
        r"(?:store )?credit(?:ed)?",
        r"(?:ال)?رصيد",
        r"(?:ال)?تعويض",
        r"(?:ب)?(?:نفس )?(?:ال)?قيم(?:ه|ت)\w*",
        r"(?:for |of )?the (?:full )?value",
        r"(?:ال)?باقي (?:ال)?مبلغ",
        r"(?:flos|floos|feloos|mablagh)(?![a-z])",
    ),
    Topic.DEFECTS: (
        # (not "القابلة للتلف", "سريعة التلف": perishable goods, not damaged ones)
        r"(?:ال)?(?:ت(?<!قابل للت)(?<!قابله للت)(?<!سريع الت)(?<!سريعه الت)لف|تالف|عيب|عيوب"
        r"|معيب|كسر|مكسور|خلل|متضرر|خدش|ناقص|مصنعي)\w*",
        r"(?:ال)?(?:خطا|خاطي|غلط)\w*",
        r"(?:ال)?(?:خربان|بايظ|عطلان|معطل)\w*",
        # a fault, faults, broke down (not "عطله", a holiday)
        r"(?:ال)?(?:عطل|اعطال|عطلت)(?!\w)",
        # an incomplete order: "نقص في مكونات الطلب"
        r"(?:ال)?نقص(?!\w)",
        r"(?:خرب|باظ|اتكسر|انكسر)(?:ت)?(?!\w)",
        r"(?:غير|مش) مطابق\w*",
        r"غير (?:ال)?مطلوب",
        # not a size or colour chosen instead: "استبداله بمقاس مختلف" is an exchange
        r"م(?<!مقاس م)(?<!لون م)(?<!حجم م)(?<!موديل م)(?<!مقاسات م)(?<!الوان م)ختلف\w*",
        r"مخالف\w*",
        # not a size or colour that does not suit: "لو في مشكلة في المقاس" is change of mind
        r"فيه? مشكله(?! (?:في|ب) (?:ال)?(?:مقاس|لون|حجم|قياس))",
        r"damag\w*",
        r"defect\w*",
        r"faulty",
        r"faults",
        r"a fault",
        r"broken",
        r"wrong",
        r"incorrect",
        r"missing",
        r"not (?:as|what) (?:described|you ordered)",
        r"(?:غير|مش) (?:الذي|اللي|الي) (?:طلب|طلبت|طلبه|طلبها|طلبته|طلبتها|طلبتيه)\w*",
        r"our (?:fault|mistake)",
        r"mistake",
        r"(?:3eib|3ayeb|3oyoob|ma3yoob|maksour|maksoor|ghalat|na2es|bayez|bayza|damaged)(?![a-z])",
    ),
    Topic.DAMAGE_REPORT: (
        r"(?:ال)?(?:ابلاغ|تبليغ|اخطار|اشعار|اعلام)\w*",
        r"(?:ب|ال|بال)?بلاغ(?:ا|ات)?(?!\w)",
        r"[يت]?بلغ(?:نا|ونا)\w*",
        r"تبلغ\w*",
        r"report\w*",
        r"notify\w*",
        r"tell us",
        r"let us know",
        r"inform us",
    ),
    Topic.SHIPPING: (
        r"(?:ال)?(?:شحن|توصيل|تسليم|مندوب|شحنه)\w*",
        r"ship\w*",
        r"deliver\w*",
        r"courier\w*",
        r"postage",
        r"dispatch\w*",
        r"(?:tawseel|mandoob|shahn)(?![a-z])",
    ),
    Topic.WARRANTY: (
        r"(?:ال)?ضمان\w*",
        r"warrant\w*",
        r"guarantee\w*",
        # where a warranty repairs: "ship it to our service centre", "مركز الصيانة"
        r"(?:ال)?(?:مركز|مراكز) (?:ال)?صيانه",
        r"(?:service|repair) cent(?:re|er)s?",
    ),
    Topic.CONTACT: (
        r"(?:ال)?(?:تواصل|اتصال|استفسار|استفسارات|شكوي|شكاوي)\w*",
        r"خدمه العملاء",
        r"كلمنا",
        r"راسلنا",
        r"واتساب",
        r"whatsapp",
        r"contact\w*",
        r"complain\w*",
        r"e-?mail",
        r"customer (?:care|service)",
        r"questions?",
        r"kall?emna",
    ),
    Topic.INSPECTION: (r"(?:ال)?فحص\w*", r"[ينت]فحص\w*", r"معاينه", r"inspect\w*"),
    Topic.COSTS: (
        r"(?:ال)?(?:رسوم|رسم|مصاريف|مصروفات|تكلفه|تكاليف|اجور|اجره|نفقه|نفقات|ضريبه|عموله|عمولات)",
        r"(?:masareef|masarif|masaref|rosoom|rsoom|rosom)(?![a-z])",
        # a deposit kept: "بعد كده العربون (٢٠٠ جنيه) مش بيرجع"
        r"(?:ال)?(?:عربون|عربونه)(?!\w)",
        r"deposits?",
        # the money paid for shipping: "فلوس الشحن اللي دفعتها أول مرة مش بترجع"
        r"(?:ال)?(?:فلوس|قيمه|تمن|ثمن) (?:ال)?(?:شحن|توصيل)",
        # "at your expense", not "onto your account" ("رصيد على حسابك في الموقع")
        r"(?:علي|على) (?:نفقه\w*|حساب (?:ال)?(?:عميل|مشتري|زبون)\w*"
        r"|حسابك(?! (?:في|ب\w*|الخاص|لدي\w*|عندنا|علي|على)))",
        r"vat",
        r"tax\w*",
        r"(?:customs )?duties",
        r"(?:ال)?(?:جمارك|جمركي\w*)",
        r"[0-9][0-9]*(?:[.,][0-9]+)? ?%",
        # a percentage in words: "عشرين في المية", "عشرة بالمئة", "ten percent"
        r"في (?:ال)?(?:مائه|مئه|ميه|مايه)(?!\w)",
        r"بال(?:مائه|مئه|ميه|مايه)(?!\w)",
        r"percent",
        r"fee\w*",
        r"commission\w*",
        r"cost\w*",
        r"expens\w*",
        r"charges?",
        r"postage",
    ),
    Topic.EXCLUSIONS: (
        r"غير (?:ال)?قابل\w*",
        r"لا (?:يمكن|يقبل|تقبل|نقبل|يشمل|تشمل|ترد|يرد)\w*",
        r"ما لا",
        r"حالات لا",
        r"مستثنا\w*",
        r"استثناء\w*",
        r"non-?returnable",
        r"not (?:accepted|returnable|eligible|covered)",
        r"cannot",
        r"can'?t",
        r"exclu\w*",
        r"final sale",
        r"not returnable",
    ),
    # (not a whole page's title: "شروط البيع", "الشروط والأحكام", "Terms and Conditions",
    # "Conditions of Sale" head every section, not a list of a return's conditions)
    Topic.CONDITIONS: (
        # (nor the terms printed on an invoice, "شروط الفاتورة")
        r"(?:ال)?شروط(?!\s+(?:و\s*)?(?:ال)?(?:احكام|بيع|استخدام|فاتوره|شراء))",
        r"شرط",
        r"c(?<!terms and c)(?<!terms & c)onditions?(?! of (?:sale|use|service))",
        r"requirements?",
        r"eligib\w*",
    ),
}
TOPIC_PATTERNS: Final = {topic: Lexicon(*regexes) for topic, regexes in _TOPIC_WORDS.items()}


class Category(enum.StrEnum):
    """A kind of goods (or of case) that narrows what a clause covers."""

    SALE = "sale"
    HYGIENE = "hygiene"
    PERISHABLE = "perishable"
    CUSTOM = "custom"
    DIGITAL = "digital"
    INTERNATIONAL = "international"
    CONDITION = "condition"
    """Used, opened or damaged-by-the-customer goods."""
    LISTED = "listed"
    """"the following items", "the items below": a list names them."""
    SOME = "some"
    """A hedge: "some products", "بعض الفروع"."""
    PAYMENT_METHOD = "payment_method"
    """A clause for one way of paying ("Cash on delivery: ...")."""
    TIME = "time"
    """After the period, or after the courier left."""
    NAMED = "named"
    """Other goods named by kind (furniture, electronics, abayas...)."""


GOODS_CATEGORIES: Final = frozenset(
    {
        Category.SALE,
        Category.HYGIENE,
        Category.PERISHABLE,
        Category.CUSTOM,
        Category.DIGITAL,
        Category.INTERNATIONAL,
        Category.NAMED,
    }
)
"""The categories that name goods by their kind (not a case, a time, a list or a hedge)."""


_CATEGORY_WORDS: Final = {
    Category.SALE: (
        r"(?:ال)?(?:مخفض|تخفيض|تخفيضات|عروض|خصومات|تصفيه|اوكازيون)\w*",
        # Egyptian "السيل" and "الأوفر" (the sale, the offer)
        r"ال(?:سيل|اوفر)(?!\w)",
        r"(?:عليها|عليه|ب)\s?خصم",
        r"المخصومه",
        r"البلاك فرايدي",
        r"black friday",
        r"(?:flash|seasonal|clearance|promotional|holiday|summer|winter|mid-season) sales?",
        r"during (?:the |a )?sales?",
        r"white friday",
        r"cyber monday",
        r"الجمعه البيضاء",
        # "البيع نهائي" says every sale is final; the look-behind follows the "ب" (and
        # looks back over it) so the lexicon stays led by plain letters (guard.py)
        r"ب(?<!الب)يع نهائي",
        # not the predicate "are final sale" ("International orders are final sale" refuses
        # them, it names no sale goods)
        r"s(?<!are final s)(?<!is final s)(?<!of s)(?<!for s)ale(?! of )",
        # (but "return for sale items" names them)
        r"s(?<!are final s)(?<!is final s)ale (?:items?|products?|goods|pieces)",
        r"clearance",
        r"discount\w*",
        r"promo\w*",
        r"special offers?",
        r"on offer",
        # Franco-Arabic: "el pieces el 3aleha offer"
        r"3aleh(?:a|om|oum)? (?:offer|discount|khasm|5asm|sale)",
        r"reduced",
        r"outlet",
    ),
    Category.HYGIENE: (
        r"(?:ال)?(?:ملابس )?(?:ال)?داخلي\w*",
        r"(?:ال)?(?:بوكسر|شراب|جوارب|كلوت|اندروير|مايوه)\w*",
        r"(?:ل|ب)اسباب صحيه",
        r"(?:ال)?سباحه",
        r"(?:ال)?(?:عطور|عطر|مستحضرات|مكياج|حلق|اقراط|برفان|بيرفيوم)\w*",
        r"(?:ال)?عنايه (?:ال)?شخصيه",
        r"(?:ال)?(?:ميكب|ميك اب|ماكياج|ميكاب)\w*",
        r"(?:ال)?عنايه (?:بال)?(?:بشره|شعر)",
        # baby care: "الحليب والحفاضات ومنتجات الاستحمام ما تنرجع"
        r"(?:ال)?(?:حفاضات|حفاظات|حفاض|بامبرز|رضاعات|رضاعه|سكاتات|استحمام)(?!\w)",
        r"diapers?",
        r"nappies",
        r"skin ?care",
        r"underwear",
        r"boxers?",
        r"socks",
        r"lingerie",
        r"swimwear",
        r"earrings?",
        r"cosmetics?",
        r"perfumes?",
        r"fragrances?",
        r"hygien\w*",
        r"personal care",
        r"make-?up",
    ),
    Category.PERISHABLE: (
        r"(?:ال)?(?:اطعمه|اكل|غذائي|غذائيه|مجمد|مجمده|مبرد|مبرده|طازج|طازجه|تمور|حلويات|زهور|ورد)\w*",
        r"(?:ال)?(?:اغذيه|بقاله|سوبرماركت|سوبر ماركت|حليب|البان)(?!\w)",
        r"milk",
        r"(?:baby|infant) formula",
        r"dairy",
        r"supermarket",
        r"(?:سريع|قابل)\w* (?:لل)?تلف",
        r"المكملات",
        r"food\w*",
        r"perishable\w*",
        r"fresh",
        r"chilled",
        r"frozen",
        r"groceries",
        r"flowers?",
        r"bouquets?",
        r"cakes?",
        r"pastries",
    ),
    Category.CUSTOM: (
        r"(?:ال)?(?:مخصص|تفصيل|مفصل|تتفصل|يتفصل|متفصل)\w*",
        r"مقاس (?:مخصوص|خاص)",
        r"حسب (?:ال)?طلب",
        r"بمقاسات خاصه",
        r"مطبوع\w*",
        r"(?:ال)?(?:محفور|منقوش|محفوره|منقوشه)(?!\w)",
        r"custom(?!er)\w*",
        r"personali[sz]ed",
        r"monogram\w*",
        r"engraved",
        r"(?:hand-?)?embroidered",
        r"made[- ]to[- ](?:order|measure)",
        r"bespoke",
        r"pre-?orders?",
    ),
    Category.DIGITAL: (
        r"(?:ال)?(?:رقمي|برامج|بطاقات)\w*",
        # recharge and game cards: "كروت الشحن وكروت الألعاب", "Top-up & gaming cards"
        r"(?:ال)?كروت (?:ال)?(?:شحن|العاب|هدايا|رصيد|جوجل|ايتونز|بلايستيشن|ستيم)\w*",
        r"top-?ups?",
        r"(?:gaming|game|prepaid|recharge|scratch) cards?",
        # not a discount code given as credit: "نعطيك كود خصم بنفس قيمة القطعة"
        r"(?:ال)?(?:اكواد|كود)\w*(?!\s+(?:ال)?(?:خصم|تخفيض|شراء|استرداد))",
        r"(?:ال)?العاب (?:ال)?الكترونيه",
        r"digital",
        r"software",
        r"gift ?cards?",
        r"c(?<!discount c)(?<!promo c)(?<!coupon c)(?<!voucher c)(?<!credit c)odes?",
        r"subscriptions?",
    ),
    Category.INTERNATIONAL: (
        r"خارج (?:ال)?(?:مملكه|دوله|مصر|البلاد|سعوديه)",
        r"international\w*",
        r"(?:ال)?دولي(?:ه)?(?!\w)",
        r"outside (?:of )?(?:the )?(?:country|kingdom|saudi(?: arabia)?|ksa|egypt|uae|gcc)",
        r"abroad",
    ),
    Category.CONDITION: (
        # how it is sent back: "لا نقبل المرتجعات المرسلة بالبريد", "returns sent by post"
        r"بالبريد",
        r"by (?:post|mail|courier of your choice)",
        r"(?:عبر|عن طريق|من خلال) (?:ال)?(?:تطبيق|بريد)",
        r"(?:through|via|in) (?:the |our )?app",
        r"(?:ال)?(?:مستعمل|مستخدم|استعمال|استخدام|مفتوح|فتح|فتحها|فتحه|ممزق|ازاله|ملبوس)\w*",
        r"(?:انلبس|اتلبس|اتفتح|انفتح)\w*",
        # what the customer did to it: "بعد غسلها أو تعديلها", "اتغسل"
        r"(?:غسل|تعديل|اتغسل|اتعدل)(?:ه|ها|هم)?(?!\w)",
        r"(?:سوء|اساءه) (?:ال)?استخدام",
        r"used",
        r"opened",
        r"worn",
        r"washed",
        r"misuse",
        r"damaged by (?:the )?(?:customer|buyer|user|you)",
        # fitted or set to work by the customer: "Parts damaged by incorrect fitting", "الأطقم
        # اللي اتركبت", "الماكينات اللي اتشغلت أو اتفكت", "بعد التركيب"
        r"damaged by (?:incorrect|improper|wrong|faulty|poor|unauthori[sz]ed) \w+",
        r"(?:installed|fitted|assembled|mounted)",
        r"(?:انركب|اتركب|اتشغل|انشغل|اتفك|انفك)\w*",
        r"(?:بعد|تم|جري) (?:ال)?(?:تركيب|تشغيل|فك)(?:ه|ها|هم)?(?!\w)",
        r"customer[- ]damaged",
        r"(?:تلف|اتلاف|كسر)\w* (?:من|بسبب|بفعل) (?:ال)?عميل",
        r"seal\w*",
        r"signs of use",
        # lost on its way back: "we cannot refund parcels lost on the way back"
        r"lost (?:in transit|in the post|on (?:the|its|their) way)",
        r"(?:ال)?(?:طرود|طرد|شحنات|شحنه|مرتجعات) (?:ال)?(?:ضايع|ضائع|مفقود)\w*",
    ),
    Category.LISTED: (
        # (not the terms that follow, "the following terms apply": see _CATEGORY_NOT_AFTER)
        r"(?:ال)?تاليه",
        r"(?:ال)?اتيه",
        r"ادناه",
        r"following(?! (?:terms|conditions|rules|steps))",
        r"below",
        r"listed",
    ),
    Category.SOME: (r"بعض", r"some", r"certain", r"select(?:ed)?", r"specific"),
    Category.PAYMENT_METHOD: (
        r"(?:ال)?دفع (?:عند الاستلام|نقدا|كاش|بالبطاقه)",
        r"(?:ال)?مدفوعه? (?:كاش|نقدا|عند الاستلام|بالبطاقه)",
        r"paid (?:in|by) cash",
        r"cash orders?",
        r"cash on delivery",
        r"\bcod\b",
        r"card payments?",
        r"paid (?:by|with|in) (?:card|cash)",
    ),
    Category.TIME: (
        r"بعد (?:انتهاء|انقضاء|مرور|مضي|فوات)",
        # with its pronoun: "ولا تقبل الطلبات بعد انقضائها"
        r"بعد (?:انتهائ|انقضائ)(?:ها|ه|هم)(?!\w)",
        # (the unit also written on the number or hyphened: "7days", "7-days ago")
        r"(?:more|older) than \d+[- ]?(?:days?|hours?|weeks?)",
        r"\d\d*[- ]?(?:days?|weeks?) ago",  # "\d+" would not lead by plain digits
        r"(?:اكثر|أكثر) من \d+ ?(?:يوم|ايام|ساعه|اسبوع)\w*",
        r"بعد (?:ال)?(?:مده|فتره)",
        r"بعد ما (?:ال)?مندوب",
        # "بعد ما تخلص الثلاث أيام": once the days are over
        r"بعد ما (?:ت|ي)?(?:خلص|نتهي|عدي)\w*",
        r"بعد\s+(?:ال\s?)?\d+",
        # "ومن تاني يوم مفيش استرجاع": from the day after
        r"من (?:تاني|ثاني|تالت|ثالث) يوم",
        r"from the (?:second|next|third) day",
        r"after (?:the )?(?:\d+(?:[- ]?(?:days?|hours?|weeks?))?|period|deadline|\w+ days)",
        r"after (?:the |your )?(?:return |refund |exchange )?(?:period|window|deadline) "
        r"(?:has |have )?(?:expired|ended|passed|lapsed)",
        r"after (?:that|this)",
        r"once the (?:driver|courier)",
        r"بعد (?:ذلك|كده|كذا|هذه المده)",
        r"(?:و|ف)?بعدها",
        r"بعد (?:قبول|اتمام|تنفيذ|اجراء) (?:ال)?(?:استبدال|تبديل|طلب|ارجاع)",
        r"after (?:an |the |your )?(?:exchange|replacement) (?:is|has been|was) "
        r"(?:accepted|made|done|approved)",
    ),
    Category.NAMED: (
        # the one product a page or a note is about: "This item is non-returnable", "Non-returnable
        # item." under a product, "هذا المنتج غير قابل للإرجاع"
        r"this (?:item|product)",
        r"non-returnable item(?!s)",
        r"(?:هذا|هذه) (?:ال)?(?:منتج|صنف|قطعه|سلعه)(?!\w)",
        r"testers?",
        r"samples?",
        r"limited[- ]edition",
        r"raffle",
        # (not the verbs "تسترجع", "تسترد": "لا تسترجع ولا تبدل" names no tester)
        r"(?:ال)?(?:عينات|تستر(?!جع|د))\w*",
        r"(?:ال)?(?:اثاث|كنب|اجهزه|الكترونيات|عبايات|العبايات|ملابس|احذيه|نظارات|ساعات)\w*",
        r"(?:ال)?(?:كراسات|كشاكيل|مجلات|روايات)\w*",
        r"(?:ال)?(?:ادويه|اسره|خزائن|دواليب)(?!\w)",
        r"(?:ال)?دواء(?!\w)",
        r"medicines?",
        r"medications?",
        r"wardrobes?",
        r"(?:ال)?(?:تكييفات|مكيفات|ثلاجات|غسالات|بوتاجازات)"
        r"(?!\w)",
        r"الكتب(?!\w)",
        r"(?:note)?books",
        r"furniture",
        r"abayas?",
        r"sofas?",
        r"wardrobes?",
        r"electronics?",
        r"devices?",
        r"laptops?",
        r"phones?",
        r"appliances?",
        r"items marked",
        r"services (?:already )?(?:rendered|provided|performed)",
        r"(?:installation|assembly) services?",
        r"(?:purchased|bought|ordered) (?:from|at|in|through) (?:other|another|third[- ]party)"
        r" (?:retailers?|stores?|shops?|sellers?|websites?)",
        r"(?:المشتراه|المشتراة|اللي اشتريتها) من (?:متاجر|محلات|مواقع) (?:اخري|أخرى|تانيه)",
    ),
}
_CATEGORY_NOT_AFTER: Final = {
    # "تسري على منتجات هذا البائع الشروط التالية": the terms that follow, not goods listed
    Category.LISTED: ("شروط", "الشروط", "احكام", "الاحكام", "خطوات", "الخطوات"),
}
CATEGORY_PATTERNS: Final = {
    category: Lexicon(*regexes, not_after=_CATEGORY_NOT_AFTER.get(category, ()))
    for category, regexes in _CATEGORY_WORDS.items()
}

# Words that mean the whole catalogue: a refusal about them is about all goods.
ALL_GOODS: Final = pattern(
    words(
        r"(?:جميع|كل|كافه) (?:ال)?(?:منتجات|مبيعات|سلع|بضائع|طلبات|قطع)",
        r"(?:ال)?بضاعه",
        r"all (?:sales|items|products|purchases|orders)",
        r"any (?:item|product)",
        r"kol el (?:mabe3at|products|7agat|pieces)",
    )
)

# A refusal: a negator shortly before a return, refund or exchange word, or a word that is a
# refusal by itself. The negator may be MSA, Gulf or Egyptian; Egyptian also wraps the verb
# (م...ش: "مبترجعش").
_RETURN_STEM: Final = r"(?:[وفبلك]?(?:ال|لل)?)" + words(
    r"(?:ال)?(?:ارجاع|استرجاع|ترجيع|مرتجعات|مرتجع|استرداد|استبدال|تبديل|رد|رجوع)\w*",
    r"(?:[تين]|بت|بي|تن|ين)?(?:ت)?(?:رجع|رد|سترد|سترجع|ستبدل|بدل)\w*",
    r"(?:ت|ي)?(?:نرد|نرجع|تبدل)\w*",
    r"returns?",
    r"returned",
    r"returnable",
    r"refunds?",
    r"refunded",
    r"refundable",
    r"exchanges?",
    r"exchanged",
    r"take (?:\w+ )?back",
    # "Goods once sold will not be taken back or exchanged"
    r"taken back",
    r"money back",
    FRANCO_RETURN,
    FRANCO_EXCHANGE,
)
_NEGATOR: Final = words(
    r"لا",
    r"ولا",
    r"مش",
    r"مو",
    r"مب",
    r"لن",
    r"ليس",
    r"ليست",
    r"غير",
    # (not a requirement: "بشرط عدم استخدامه … وإرجاعه في علبته" asks that it be unused;
    # the look-behinds follow the first letter, so the lexicon stays led by plain letters)
    r"ع(?<!شرط ع)(?<!شريطه ع)دم",
    r"مفيش",
    r"مافي",
    r"مافيه",
    r"ما في",
    r"ما فيه",
    r"ممنوع",
    r"يمنع",
    r"no",
    r"not",
    r"non",
    r"cannot",
    r"can'?t",
    r"never",
    r"don'?t",
    r"do not",
    r"won'?t",
    r"will not",
    r"unable to",
    *FRANCO_NEGATORS,
)
NOT_AVAILABLE_WORDS: Final = r"(?:غير|مش|مو|ليس|مب) (?:متاح|متوفر|ممكن|مسموح|مقبول|وارد)\w*"
"""A thing denied by its predicate: "غير متاح", "مش ممكن" (the refusal of a refund, or of
money back, written after what it refuses)."""
_CAN: Final = r"(?:\s+(?:[نيتا]?قدر|[نيتا]ستطيع|يمدي(?:نا|ك)?))?"
"""Gulf "can" between "ما" and the verb it negates ("ما نقدر نقبل ترجيع")."""
_MA: Final = r"م(?:(?<!\wم)|(?<=(?<!\w)[وف]م))ا"
"""The negator "ما" as a word of its own or after "و" / "ف", not the end of "لما", "عندما",
"طالما" (led by its letter, so its lexicons stay led by plain letters: guard.py)."""
REFUSAL: Final = Lexicon(
    *(
        # "لا ترد ولا تستبدل", "ما تنرد ولا تتبدل", "cannot be returned", "no refunds"; a
        # conjunction ends the negation: "at no cost and we refund you" refuses nothing
        r"(?<!\w)"
        + _NEGATOR
        # not a negated liking or fit, which is the case a return is for: "لو المنتج مش
        # عاجبك تقدر ترجعه", "not satisfied? return it within 14 days"; nor a meaning denied
        # ("الشحن المجاني لا يعني استرداد قيمة شحن إضافية")
        + r"[\s-]+(?!(?:ال)?(?:عاجب|بيعجب|يعجب|تعجب|عجب|راضي|مناسب|مطابق|يعني|تعني|satisf|happy"
        + r"|like|suit|fit|mean|faulty|defective|كذا|كده|ذلك|هذا"
        # nor what a marketplace leaves to its sellers: "does not set return periods", "does
        # not guarantee that any item can be returned"
        + r"|set|define|determine|guarantee|control|decide)\w*)"
        # (a hyphened word is one: "do not accept change-of-mind returns"; one "or" more
        # may join a refused verb to the one before: "لا يمكن إلغاء الطلب أو استرداد قيمته")
        + r"(?:(?!(?:and|then|but|so) )(?:\w+(?:-\w+)*|\w+'\w+)\s+){0,3}?(?:(?:او|or)\s+)?"
        + _RETURN_STEM
        + r"(?!\w)",
        # Gulf "ما تنرد", "ما ترجع": "ما" right before the verb ("ما الذي يرد" asks; after
        # "من", "بعد" or "عند" it means "since", "after", "when")
        # (or "ما" before "can": "ما نقدر نرجع", "ما نقدر نقبل ترجيع")
        _MA + _CAN + r"\s+(?:[تين]|تن|ين|ب)?(?:نرد|رد|رجع|نرجع|سترد|ستبدل|تبدل|بدل|سترجع)\w*",
        # Gulf "ما نقبل أي إرجاع", "ما نسمح بالاسترجاع", "ما نسوي استرجاع": "ما" before
        # accepting, allowing or doing
        _MA
        + _CAN
        + r"\s+(?:[نيت]|ب[نيت])?(?:قبل|سمح|وفر|سوي)\w*\s+(?:\w+\s+){0,2}?"
        + _RETURN_STEM
        + r"(?!\w)",
        # Gulf "ما عندنا استرجاع فلوس", "ما فيه استبدال": none on offer
        _MA + r"\s+(?:عندنا|عندنا\s+اي|لدينا|فيه|في)\s+" + _RETURN_STEM + r"(?!\w)",
        # Egyptian "مبترجعش", "مبتتبدلش", "متترجعش"
        r"(?<!\w)م(?:ب|بي|بت)?(?:ت|ي|تت|يت)?(?:رجع|رد|بدل|سترد)\w*ش(?!\w)",
        r"(?:جميع|كل) (?:ال)?مبيعات\s+(?:\w+\s+)?نهائي\w*",
        r"kol el mabe3at (?:\w+ )?neha2?[ei]y+a",
        r"sales? (?:(?:on|at|from|made on|made at|through) (?:\w+ ){1,2}?)?(?:are |is )?final",
        # (not "orders are final once placed", which is about cancelling)
        r"purchases (?:are )?(?:all )?final",
        # the refused thing first: "Refunds will not be given for ...", "Returns are only
        # accepted for items that arrived damaged"
        r"(?:returns?|refunds?|exchanges?) (?:will|shall|would|are|is|can) not (?:be )?"
        r"(?:given|issued|made|accepted|offered|provided|possible|granted)",
        r"(?:returns?|refunds?|exchanges?) (?:are |is |will be )?only (?:be )?(?:accepted|possible"
        r"|allowed|available|offered|issued) (?:for|if|when|in case of) (?:\w+ ){0,4}?"
        r"(?:damaged|defective|faulty|broken|wrong|incorrect)",
        r"(?:we|the (?:store|shop|seller)) (?:will |can )?only (?:accept|take(?: back)?|refund)"
        r" (?:\w+ ){0,8}?(?:damaged|defective|faulty|broken|wrong|incorrect)",
        # "only" after what is accepted: "Returns are accepted only for faulty items", "We
        # accept returns only when an item arrives faulty"
        r"(?:(?:returns?|refunds?|exchanges?) (?:are |is |will be )?(?:accepted|possible|allowed"
        r"|available|offered|issued)|(?:we|the (?:store|shop|seller)) (?:will |can )?(?:accept"
        r"|take back|refund) (?:returns?|items?|goods|products|orders?)) only"
        r" (?:for|if|when|in case of) (?:\w+ ){0,5}?(?:damaged|defective|faulty|broken|wrong"
        r"|incorrect)",
        # "يقتصر استرجاع المبلغ على المنتجات التي يثبت بها عيب": returns for defects only
        r"(?:ي|ت)قتصر\s+(?:\w+\s+){0,3}?على\s+(?:\w+\s+){0,6}?(?:ال)?(?:عيب|معيب\w*|تالف\w*|خلل|تلف"
        r"|مختلف\w*|خاطئ\w*|غلط)",
        r"final sale",
        # "الاسترجاع فقط للمنتجات التي بها عيب مصنعي", "الإرجاع بس للقطع اللي فيها عيب"
        r"(?:ال)?(?:استرجاع|ارجاع|استرداد|مرتجعات)(?:\s\w+){0,2}?\s(?:فقط|بس)\s(?:\w+\s){0,5}?"
        r"(?:ال)?(?:عيب|معيب\w*|تالف\w*|خلل|تلف|مختلف\w*|خاطي\w*|غلط)",
        # "ويقتصر حق العميل على الاستبدال": an exchange and nothing else
        r"(?:ي|ت)قتصر\s+(?:\w+\s+){0,3}?على\s+(?:ال)?(?:استبدال|تبديل)",
        r"exchanges? only",
        r"(?:el )?exchange (?:el \w+ )?bas(?![a-z])",
        r"only (?:an )?exchanges?",
        # (not "الاستبدال بسبب المقاس")
        r"(?:ال)?(?:استبدال|تبديل) (?:فقط|بس)(?!\w)",
        # the refused thing first, then its predicate: "الاسترجاع المالي: غير متاح", "Refunds:
        # not available"
        r"(?:ال)?(?:استرجاع|استرداد|ارجاع|استبدال|تبديل|مرتجعات)(?: [^\s:|]+){0,2}?"
        r"(?::| \|)? " + NOT_AVAILABLE_WORDS,
        r"(?:returns?|refunds?|exchanges?):? (?:are |is )?(?:not |un)(?:available|accepted"
        r"|possible|allowed|offered)",
        r"(?:فقط|بس) (?:ال)?(?:استبدال|تبديل)",
        r"(?:بتتبدل|تتبدل|يتبدل|نبدل) (?:فقط|بس)(?!\w)",
        r"(?:ما|لا) (?:تشمل|يشمل|تشملها|يشملها)\w*",
        r"(?:not|never) covered",
    ),
    not_after=("من", "بعد", "عند"),
)
# The law named as the source of what a clause says ("يمنح نظام التجارة الإلكترونية المستهلك
# حق فسخ العقد خلال سبعة أيام", "Under the Saudi E-Commerce Law, consumers may withdraw
# within 7 days", "قانون حماية المستهلك بيدّي العميل حق يرجّع خلال ١٤ يوم").
LAW_CITED: Final = Lexicon(
    r"نظام التجاره الالكترونيه",
    r"نظام حمايه المستهلك",
    r"(?:ال)?لايحه التنفيذيه",
    r"قانون حمايه المستهلك",
    r"(?:ال)?قانون (?:رقم )?181",
    r"جهاز حمايه المستهلك",
    r"e-?commerce (?:law|regulations?|system)",
    r"consumer protection (?:law|act|regulations?)",
    r"law (?:no\.? |number )?181",
)
# "Even if", which takes a case in rather than limiting to it: "ما نقبل إرجاعها حتى لو ما
# انفتحت", "حتى لو كان البائع لا يقبل الإرجاع".
EVEN_IF_WORDS: Final = r"حتي (?:و)?لو|(?<![a-z])even (?:if|when|though)"
EVEN_IF: Final = pattern(EVEN_IF_WORDS)
# Exceptions that carve something out of a clause.
EXCEPTION: Final = Lexicon(
    *(
        r"(?<!\w)(?:ا|و)?لا (?:اذا|في|لو|ان|عند|حال|بعد)",
        r"(?<!\w)(?:ا|و)?لا(?= \w+ (?:كان|يكون|تكون|المنتج|السلعه))",
        # (not "(في)ما عدا ذلك", "عدا كده": "otherwise", a condition)
        r"ما عدا(?! (?:ذلك|كده|كذا|هذا)(?!\w))",
        r"ماعدا(?! (?:ذلك|كده|كذا|هذا)(?!\w))",
        r"باستثناء",
        r"(?<!\w)عدا(?! (?:ذلك|كده|كذا|هذا)(?!\w))",
        r"ما لم",
        r"الا لو",
        r"(?:فقط|بس) (?:اذا|في حال|لو|عند)(?!\w)",
        r"only (?:when|if|where|for)",
        r"غير (?:العيب|حالات|في حال|لو|اذا|لما)(?!\w)",
        r"unless",
        r"except(?:ion)?\w*",
        r"other than",
        r"excluding",
        r"apart from",
        r"save (?:for|where)",
        # Franco-Arabic: "ella law el order kan ghalat"
        r"(?:ella|ela|illa) (?:law|lw|lo|fe|iza|eza)(?![a-z])",
    )
)
# A condition that opens a clause ("if", "in case of", "for change-of-mind returns").
CONDITION: Final = Lexicon(
    *(
        r"(?<!\w)(?:و|ف)?(?:اذا|لو|عندما|متي)(?!\w)",
        # not "في أي حال" (in any case), which narrows nothing (the look-behinds follow the
        # first letter, so the lexicon stays led by plain letters: guard.py)
        r"ح(?<!\wح)(?<!اي ح)(?<!كل ح)(?<!جميع ح)(?<!كافه ح)اله?(?!\w)",
        r"[وف](?<!\w[وف])حاله?(?!\w)",
        r"(?:في|ب) (?:حال|حاله|حالات)",
        r"\bif\b(?<!even if)",
        r"\bwhen\b",
        # not "once delivered" or "once sold": every return comes after them, so that narrows
        # nothing ("Goods once sold will not be taken back or exchanged")
        r"\bonce\b(?! (?:(?:it|they|(?:the |your |an |a )?(?:orders?|items?|products?|parcels?))"
        r"(?:'s| is| are| has been| have been| was| were| gets?)? )?(?:been )?"
        r"(?:delivered|received|sold|purchased|bought))"
        # nor "once your order leaves our warehouse", earlier still
        r"(?! (?:the |your )?(?:orders?|items?|parcels?|it|they) (?:leaves?|has left|have left))",
        r"\bwhere\b",
        r"\bfor change[- ]of[- ]mind",
        # only where it opens its clause: "Returns are only accepted for items that arrived
        # damaged" names what is accepted, it narrows no refusal (the look-behinds follow the
        # "f", so the lexicon stays led by plain letters: guard.py)
        r"f(?:(?<=^f)|(?<=\nf)|(?<=[.,;:!?] f))or (?:any )?(?:items|products|goods|orders"
        r"|parcels) (?:that|which) (?:arrive|arrived|are|were|come|came)\b",
        r"\bfor (?:any |all )?other\b",
        r"\botherwise\b",
        r"(?<!\w)(?:غير|عدا|فيما عدا) (?:كده|كذا|ذلك|هذا)(?!\w)",
        r"\bin (?:case|the case) of",
        # What a return needs: "not accepted without the original invoice" refuses only
        # the returns that lack it.
        r"\bwithout (?:the |a |an |its |your |any )?(?:original |valid |prior |written )?"
        r"(?:invoice|receipt|proof|tags?|labels?|packaging|box|approval|authori[sz]ation|rma"
        r"|order (?:number|id|reference)|accessories)",
        r"(?<!\w)(?:بدون|دون|من غير|بغير) (?:ال)?(?:فاتوره|ايصال|كرتونه|كرتون|تغليف|غلاف|علبه"
        r"|موافقه|تيكت|اتيكيت|ملصق|ملحقات|رقم (?:ال)?طلب)",
        # A restrictive clause that lacks or fails something: "المرتجعات التي لا تحتوي على
        # الملصق", "items that fail inspection", "returns that are not in their packaging".
        r"(?<!\w)(?:التي|الذي|اللي|اللتي) (?:لا|لم|ما|مش|مو) ",
        r"\b(?:that|which) (?:do not|don'?t|does not|doesn'?t|are not|aren'?t|is not|isn'?t"
        r"|have been|has been|fail\w*|lack\w*|show\w*)\b",
    ),
    # not "even if", which takes in: "ما نقبل إرجاعها حتى لو ما انفتحت"
    not_after=("حتي",),
)
# Change of mind, stated as the case a clause is for.
CHANGE_OF_MIND: Final = pattern(
    words(
        r"لعدم (?:ال)?رغبه",
        r"رغب(?:ه|ته|تك|تها|تهم) (?:ال)?شخصيه",
        r"عدم (?:ال)?رغبه",
        r"غيرت(?:ي|وا|و)? (?:ال)?راي\w*",
        r"لتغيير (?:ال)?راي",
        r"تغيير (?:ال)?راي",
        r"(?:لم|ما) (?:يرغب|يعجب|عاجب)\w*",
        r"(?:ما|مو|لم) (?:ت)?عجب\w*",
        r"مش عاجب\w*",
        r"change[- ]of[- ]mind",
        r"personal (?:reasons?|preference)",
        r"changed? your mind",
        r"no longer want",
        r"simply",
        r"لغير عيب",
        # "وليس لعيب في المنتج", the ordinary return: "الاسترجاع العادي"
        r"(?:ليس|مش|مو) (?:ل|ب)(?:سبب )?(?:ال)?(?:عيب|خطا|خلل|تلف|عطل)",
        # "لأسباب لا تتعلق بعيب في المنتج", "for reasons unrelated to a defect"
        r"(?:لا|لم|ليس|مش|ما) (?:ت|ي)?(?:تعلق|رتبط|خص)\w* (?:ب|ل)(?:وجود )?(?:اي )?(?:ال)?"
        r"(?:عيب|خطا|خلل|تلف|عطل)",
        r"(?:unrelated|not related|not linked) to (?:a |any )?(?:defect|fault|damage)",
        r"(?:ال)?(?:ارجاع|استرجاع|مرتجعات|استبدال) (?:ال)?عادي\w*",
        # a size or colour the customer chose amiss: "اختيار مقاس خاطئ", "ordered the wrong size"
        r"(?:اختيار|اختار\w*|طلب|طلبت|طلبك) (?:ال)?(?:مقاس|لون|حجم|قياس|موديل)\w* (?:ال)?"
        r"(?:خاطي|غلط|خطا)\w*",
        r"(?:خطا|غلط)\w* (?:في|ب) (?:ال)?(?:اختيار|طلب) (?:ال)?(?:مقاس|لون|حجم|قياس|موديل)",
        r"(?:chose|chosen|choosing|ordered|ordering|picked|selected) (?:the |a )?wrong "
        r"(?:size|colou?r|model|fit)",
        r"wrong (?:size|colou?r|model|fit) (?:ordered|chosen|picked|selected)",
        r"دون (?:وجود )?عيب",
        # "if it is not defective" (not "ما لم يكن معيبا", which is "unless")
        r"(?:ان|اذا|لو|في حال|في حاله) (?:لم|ما|مش|مو) (?:يكن|تكن|يكون|تكون|كان|كانت) "
        r"(?:\w+\s+){0,2}?"
        r"(?:فيه\s+|به\s+)?(?:ال)?(?:معيب|تالف|عيب|خلل|تلف|عطل)\w*",
        # a reason other than a defect: "الإرجاع لغير سبب العيب", "لسبب غير الخلل", "returns
        # that are not due to a fault on our side"
        r"(?:ل|ب)(?:غير|سبب غير|اسباب غير) (?:سبب |وجود )?(?:ال)?(?:عيب|عيوب|خلل|تلف|عطل|خطا)",
        # "لأي سبب غير العيوب", "لأي سبب آخر غير العيب"
        r"(?:ل)?اي سبب (?:اخر )?غير (?:ال)?(?:عيب|عيوب|خلل|تلف|عطل|خطا)",
        r"without (?:a |any )?(?:defects?|faults?)",
        # "إذا كان السبب غير متعلق بعيب مصنعي"
        r"غير (?:متعلق|مرتبط|ناتج|راجع|عائد|ناشئ)\w* (?:عن |الى |ل|ب)?(?:ال)?"
        r"(?:عيب|خلل|تلف|عطل|خطا)",
        # "لو الجهاز اتفتح واتشغل من غير عيب", "بدون أي عيب", "من غير ما يكون فيه عيب"
        r"(?:من غير|بدون|بلا) (?:(?:ما|ان) (?:يكون|تكون|يكن|تكن|كان) )?(?:فيه |فيها |به |بها )?"
        r"(?:اي |وجود )?(?:ال)?(?:عيب|خلل|عطل)",
        r"not defective",
        # a return not caused by a defect or the store's error: "كل عملية استرجاع لا يكون
        # سببها خطأ من المتجر"
        r"(?:لا|لم|ليس|مش) (?:يكون |تكون )?(?:سبب\w*|ناتج\w* عن|بسبب) (?:ال)?(?:عيب|خطا|خلل)\w*",
        # "كل عملية استرجاع لا ترجع لعيب في المنتج", "returns not due to a defect"
        r"(?:لا|لم|مش) (?:ت|ي)?(?:رجع|عود)\w* (?:ل|الي|إلى )(?:ال)?(?:عيب|خطا|خلل|تلف|عطل)",
        r"not (?:due|owing) to (?:a |any |the )?(?:defect|fault|damage)",
        # a claimed defect that inspection does not find: "وتبين بعد الفحص عدم وجود عيب"
        r"عدم (?:وجود|ثبوت) (?:ال)?(?:عيب|خلل|عطل)",
        r"(?:لم|لا) (?:يثبت|يتبين|يظهر) (?:وجود )?(?:ال)?(?:عيب|خلل|عطل)",
        # inspection finds the item sound: "إذا تبين أن الجهاز سليم ولا يوجد به أي عيب"
        r"(?:تبين|ثبت|اتضح|ظهر)\w*\s+(?:\w+\s+){0,3}?(?:ان\s+)?(?:ال)?(?:جهاز|منتج|قطعه|سلعه"
        r"|بضاعه)\w*\s+سليم\w*",
        r"(?:لا|ما|مفيش|مافي) (?:يوجد |فيه |فيها |به |بها ){1,2}(?:اي )?(?:عيب|خلل|عطل)",
        r"(?:م|ما\s)في(?:هوش|هاش|ش|هوش) (?:اي )?(?:عيب|خلل|عطل)",
        # inspection turns up none: "إذا ما طلع فيه أي عيب", "لو مظهرش فيه عطل"
        r"(?:لا|ما|لم|مش) (?:طلع|يطلع|ظهر|يظهر|بان|يبان|اتضح|يتضح|تبين|يتبين)\w* (?:\S+ ){0,2}?"
        r"(?:اي )?(?:ال)?(?:عيب|خلل|عطل)",
        # a return not owed to a defect: "في حالات الاسترجاع التي لا تعود إلى عيب في المنتج"
        r"(?:لا|لم|ما|مش|ليس) (?:ت|ي)?(?:عود|رجع)\w* (?:الي|ل) (?:وجود )?(?:اي )?(?:ال)?"
        r"(?:عيب|خطا|خلل|تلف|عطل)",
        r"non-?(?:faulty|defective|damaged)",
        r"(?:no|not) (?:a )?(?:fault|defect) (?:is |was )?found",
        r"(?:finds?|found|shows?|showed|reveals?) no (?:\w+ )?"
        r"(?:faults?|defects?|issues?|problems?)",
        r"(?:no|not) (?:\w+ )?(?:faults?|defects?|issues?|problems?) (?:is |are |was |were )?"
        r"(?:found|detected)",
        r"found to be (?:in )?(?:good |full |perfect )?(?:working order|working|fine)",
        r"(?:not|isn'?t|is not) (?:found to be |actually )?(?:faulty|defective)",
        r"not (?:due to|caused by|because of|the result of|for) (?:a |an |any |our |the store's )?"
        r"(?:fault|defect|error|mistake|damage)",
        r"(?:any |all )?o(?<![a-z]o)ther returns?",
        r"(?:for )?(?:any )?o(?<![a-z]o)ther reasons?",
        r"o(?<![a-z]o)therwise",
        r"لاي سبب اخر",
        r"لاسباب اخري",
        r"(?:المرتجعات|الحالات) الاخري",
        r"(?:غير|عدا|فيما عدا) (?:كده|كذا|ذلك|هذا)",
    )
)
# Every case: "in all cases", "في كل الأحوال", "regardless of the reason".
# A word every form of superseded terms holds (superseded.py): found in the document's one
# pass, it tells the checker whether to look for them at all.
PAST_MARKERS: Final = Lexicon(
    r"سابق\w*",
    r"قديم\w*",
    r"سجل",
    r"لم (?:ي|ت)عد",
    r"بدل(?:ا)?(?!\w)",
    r"عوضا",
    r"قبل (?:ال)?(?:تعديل|تحديث)",
    r"(?:تعدلت|تغيرت|قللنا|مددنا|غيرنا|عدلنا)",
    r"تم (?:تعديل|تقليل|تمديد|تغيير)",
    r"previous\w*",
    r"former\w*",
    r"earlier",
    r"old (?:polic|terms|version)\w*",
    r"change ?log",
    r"(?:version|revision) history",
    r"used to",
    r"in the past",
    r"no longer",
    r"instead of",
    r"before the update",
    r"(?:shortened|extended|reduced|increased|changed|cut|moved)",
)
# A heading that gives the policy itself rather than what a list under it refuses: "NO REFUND
# ONLY EXCHANGE", "لا استرجاع، استبدال فقط" (the list under it is the exchange's terms).
EXCHANGE_ONLY: Final = pattern(
    r"(?<![a-z])(?:only exchanges?|exchanges? only)(?![a-z])"
    r"|(?<!\w)(?:استبدال|الاستبدال|تبديل|التبديل|بدل) (?:فقط|بس)(?!\w)"
    r"|(?<!\w)(?:فقط|بس) (?:ال)?(?:استبدال|تبديل)(?!\w)"
)
ALL_CASES: Final = pattern(
    words(
        # (not the cases of one reason: "في جميع حالات الإرجاع لعدم الرغبة")
        r"(?:في|ب)\s*(?:جميع|كل|كافه|اي)\s+(?:ال)?(?:حالات|حاله|حال|الاحوال|احوال)(?!\w)"
        r"(?!\s+(?:\S+\s+)?(?:(?:لعدم|بسبب عدم|بسبب) (?:ال)?رغبه|لرغبه|للرغبه))",
        r"(?:مهما|ايا)\s+كان\s+(?:ال)?سبب",
        r"لاي سبب(?! اخر)",
        r"بغض النظر عن (?:ال)?سبب",
        r"in (?:all|any|every) cases?(?! of change)",
        r"regardless of (?:the )?reason",
        r"irrespective of (?:the )?(?:reason|cause)",
        r"(?:دون|بدون|بلا|من غير) (?:اي )?استثناء",
        r"without (?:any )?exception",
        r"no exceptions?",
        r"for any reason",
        r"whatever the reason",
        r"(?:fe )?kol el (?:7alat|a7wal)",
        r"every (?:return|exchange)",
        r"in (?:both|either) cases?",
        r"(?:في|ب) (?:كلتا |كلا )?(?:ال)?حالتين",
        r"on all returns",
        r"under any circumstances?",
        r"(?:تحت|في|ب) (?:اي|كل) (?:ظرف|الظروف|حال من الاحوال)",
        r"in all circumstances",
        r"دائما",
        r"always",
    )
)
# A clause that holds in the case stated before it ("في هذه الحالة", "وفي الحالة دي",
# "ساعتها", "in those cases"). Each branch is led by a letter, its word start checked just
# after it, so a search of a whole policy stays fast.
THIS_CASE: Final = pattern(
    r"(?:[وف](?<!\w[وف])(?:في|ب)|ف(?<!\wف)ي|ب(?<!\wب))\s*"
    r"(?:(?:هذه|تلك|هذي)\s+(?:ال)?(?:حاله|حالات)|(?:ال)?(?:حاله|حالات)\s+(?:دي|ده|دى|هذه|هذي))"
    r"|(?:[وف](?<!\w[وف])(?:وقتها|ساعتها)|و(?<!\wو)قتها|س(?<!\wس)اعتها)(?!\w)"
    r"|i(?<![a-z]i)n (?:this|that|such|these|those|which) cases?(?![a-z])"
)
# Defects expressly included: "including damaged items", "حتى لو المنتج فيه عيب".
DEFECTS_INCLUDED: Final = pattern(
    words(
        r"(?:حتي|ولو|حتى) (?:لو|اذا|ان|في)?\s*(?:\w+\s+){0,4}?"
        r"(?:(?:ال)?(?:تلف|تالف|عيب|معيب|مشكله|خلل|متضرر|مكسور|خطا|غلط|خربان|بايظ|معطل|عطلان)\w*"
        r"|(?:ال)?عطل(?!\w)"
        # English inside Arabic: "حتى لو المنتج كان defective"
        r"|defect\w*|damaged|faulty|broken)",
        r"بما (?:فيها|فيه|في ذلك) (?:\w+\s+){0,3}?(?:ال)?(?:تلف|تالف|عيب|معيب|خلل|متضرر)\w*",
        r"(?:سليم|سليمه|سليما)\s+(?:او|ولا|أو)\s+(?:تالف|معيب|مكسور|فيه عيب|خربان|بايظ)\w*",
        r"including (?:\w+\s+){0,6}?(?:damaged|defective|faulty|broken|wrong|defects?|faults?)",
        r"even (?:if|when|for) (?:\w+\s+){0,4}?(?:damaged|defective|faulty|broken|wrong)",
        r"(?:damaged|defective|faulty|broken) (?:\w+ ){0,3}included",
        r"whether (?:\w+\s+){0,4}?(?:damaged|defective|faulty|broken)",
        r"(?:damaged|defective|faulty|broken) or not",
        # "سواء ثبت وجود عيب مصنعي أم لم يثبت", "سواء كان المنتج معيبا أو سليما"
        r"سواء\s+(?:\w+\s+){0,4}?(?:(?:ال)?(?:عيب|معيب|تلف|تالف|عطل|خلل|مكسور|سليم)\w*"
        r"|defect\w*|damaged|faulty|broken)",
        r"whether or not (?:\w+\s+){0,6}?(?:damaged|defective|faulty|broken|defects?|faults?)",
    )
)
# "عليك" / "على حضرتك" before a duty that is no payment ("عليك تختار شركة الشحن", "عليك
# التأكد من المنتج") says what the customer must do, not what they pay.
_NO_DUTY: Final = (
    r"(?!\s+(?:ان\s+)?(?:ت|ي)?(?:ختار|حدد|تاكد|اكد|راجع|تواصل|رسل|بعت|قرا|حافظ|صور|التاكد"
    r"|الاحتفاظ|الحفاظ|مراجعه|اختيار|تحديد|التواصل|ارسال|تصوير)\w*)"
)
# Who bears a cost.
CUSTOMER_PAYS: Final = Lexicon(
    *(
        # (or in a heading over cases: "الحالات التي يتحمل فيها العميل رسوم الشحن")
        r"(?:يتحمل|تتحمل|يدفع|تدفع|بيدفع|بتدفع|بيتحمل)\w*\s+(?:(?:فيها|فيه|بها)\s+)?"
        r"(?:ال)?(?:عميل|مشتري|زبون|مستهلك|طرف (?:ال)?ثاني)\w*",
        # bound to pay, not to report: "يلتزم العميل بدفع …", not "يلتزم العميل بالإبلاغ"
        r"(?:يلتزم|تلتزم)\w*\s+(?:ال)?(?:عميل|مشتري|زبون|مستهلك|طرف (?:ال)?ثاني)\w*\s+"
        r"ب(?:ال)?(?:دفع|سداد|تحمل|رسوم|مصاريف|تكلف|تكاليف)",
        r"(?:ال)?(?:عميل|مشتري|زبون|مستهلك|طرف (?:ال)?ثاني)\w*\s+(?:هو\s+)?"
        r"(?:(?:اللي|الي|الذي)\s+)?(?:يتحمل|يدفع|بيدفع|بيتحمل|ملزم)",
        r"(?:على|ب)\s*(?:حساب|نفقه|عاتق)\s+(?:ال)?(?:عميل|مشتري|زبون|مستهلك|طرف (?:ال)?ثاني)\w*",
        # not onto the customer's account: "تحويل على حسابك البنكي"
        r"(?:على|ب)\s*(?:حسابك|نفقتك|عاتقك|حساب حضرتك)"
        r"(?!\s+(?:(?:ال)?بنك\w*|في (?:ال)?(?:بنك|موقع|متجر|تطبيق)|لدي\w*|عندنا|الخاص))",
        r"(?<!\w)علي\s+حضرتك(?!\w)" + _NO_DUTY,
        r"(?:ستتحمل|تتحمل|هتدفع|تدفع)\s+(?:انت\s+)?(?:رسوم|تكلف|مصاريف|الشحن)",
        # the customer addressed as the subject: "وحضرتك تتحمل النص التاني"
        r"(?<!\w)و?(?:انت|حضرتك)\s+(?:ب|ه)?(?:تتحمل|تدفع)(?!\w)",
        # the courier who charges the customer: "المندوب بياخد ٥٠ جنيه في أي مرتجع"
        r"(?:ال)?مندوب\s+(?:ب|ه)?(?:ياخد|ياخذ|يحصل|يتقاضي)\s+(?:منك\s+)?"
        r"(?:\d|رسوم|فلوس|مصاريف|تمن|قيمه)",
        # the cost named before, paid by "you": "مصاريف الشحن انت بتدفعها", "تدفعها للمندوب"
        r"(?<!ما )(?<!مش )(?<!لا )(?<!مو )(?<!لن )(?:ب|ه|س)?تدفع(?:ها|ه|هم|يها|يه)(?!\w)",
        r"(?<!\w)علي\s+(?:ال)?(?:عميل|عميله|مشتري|زبون|مستهلك|طرف (?:ال)?ثاني)(?!\w)",
        # an English noun in an Arabic sentence: "الـ return shipping على الـ customer"
        r"(?<!\w)علي\s+(?:ال\s?)?(?:customer|buyer|client)s?(?![a-z])",
        # not "ما عليك أي رسوم" (you owe nothing)
        r"(?<!\w)(?<!ما )(?<!مو )(?<!مش )(?<!لا )عليك(?:ي|و|م)?(?!\w)" + _NO_DUTY,
        r"(?:customer|buyer|purchaser|client|second party)s? (?:\w+ )?(?:pays?|bears?|covers?"
        r"|must pay|will pay|is charged)",
        # "Return shipping on customer", "shipping fees on client" (not "depends on the customer")
        r"o(?<!depends o)(?<!depending o)(?<!based o)(?<!relies o)n (?:the )?"
        r"(?:customers?|clients?|buyers?)(?![a-z'])",
        r"charged (?:on|for) (?:every|all|each|any) (?:return|item|order)",
        r"(?:customer|buyer)s? (?:is|are) responsible for",
        # Franco-Arabic: "masareef el shipping 3alek", "3ala el 3ameel", "btedfa3hom lel mandoob"
        r"3alek[iy]?(?![a-z])",
        r"3ala el (?:3ameel|3amil|customer|client)",
        r"b?t(?:e)?dfa3(?:ha|hom|o|aha)(?![a-z])",
        r"(?:the )?(?:customer|buyer)'s responsibility",
        r"at (?:the customer's|the buyer's|your|his|her|their) (?:own )?(?:cost|expense)",
        r"you (?:pay|bear|cover|are responsible for)",
        # the store that does not pay: "We do not cover return postage", "ما نتحمل رسوم الشحن"
        r"we (?:do not|don'?t|will not|won'?t|cannot|can'?t) (?:cover|pay for|pay|bear|refund)"
        r" (?:the |any )?(?:return |original )?(?:postage|shipping|courier|delivery)",
        r"(?:لا|ما|مش|لن)\s+(?:ن|ي|ت|بن)(?:تحمل|دفع)\w*\s+(?:(?:ال)?(?:متجر|شركه|موقع)\s+)?"
        r"(?:اي\s+)?(?:ال)?(?:تكلف\w*|تكاليف|رسوم|مصاريف|شحن)",
        r"(?:paid|borne|covered|charged|payable) (?:for )?by (?:the )?(?:customer|buyer|you)",
        r"(?:charged|billed|invoiced) to (?:the )?(?:customer|buyer|you)",
        r"(?:دفع|سداد|تحمل)\w*\s+(?:\S+\s+){0,3}?(?:من (?:قبل|طرف|جهه)|على) "
        r"(?:ال)?(?:عميل|مشتري|زبون)",
        r"charged to (?:the )?(?:customer|buyer|you)",
        r"(?:is|are) (?:yours|on you|on the (?:customer|buyer))(?![a-z])",
        r"(?:customer|buyer)'s (?:responsibility|expense|cost)",
        r"(?:لا|لن|ما)\s+(?:يتحمل|تتحمل|يدفع|تدفع)\w*\s+(?:ال)?(?:متجر|شركه|موقع|محل)",
        r"(?:لا|لن|ما)\s+(?:نتحمل|ندفع)\w*",
        r"(?:we|the (?:store|shop|company)) (?:do(?:es)? not|don'?t|doesn'?t|will not|won'?t) "
        r"(?:pay|cover|bear)",
    )
)
# Damage the customer caused: a cost for it is not a cost put on the customer for a defect
# ("إذا كان العيب ناتجاً عن سوء الاستخدام يتحمل العميل الشحن", "damage caused by misuse").
CUSTOMER_FAULT: Final = pattern(
    words(
        r"(?:سوء|اساءه) (?:ال)?(?:استخدام|استعمال)",
        r"(?:ال)?(?:استخدام|استعمال) (?:ال)?(?:خاطئ|خاطي|غير (?:ال)?صحيح|غلط)",
        r"(?:بسبب|بفعل|ناتج\w* عن|نتيجه) (?:ال)?(?:عميل|مشتري|مستخدم)",
        # "من قبل العميل" is damage the customer did only after a damage word: "دفع الرسوم من
        # قبل العميل" is a cost put on the customer
        r"(?:تلف|اتلاف|ضرر|كسر|خدش)\w*\s+(?:\w+\s+)?(?:من قبل|من جهه) (?:ال)?(?:عميل|مشتري|مستخدم)",
        r"misus\w*",
        r"improper(?:ly)? (?:use|used|handl\w*)",
        r"mishandl\w*",
        r"(?:caused|done|damaged) by (?:the )?(?:customer|buyer|user)",
        r"customer[- ](?:caused|damage)",
        r"accidental damage",
        r"wear and tear",
        # the packaging the customer sends back, not a fault of the goods: "لو الكرتون مفتوح
        # أو الغلاف متضرر، ينخصم 10%", "if the box is damaged or missing"
        r"(?:ال)?(?:غلاف|تغليف|علبه|كرتون|كرتونه|عبوه|كيس)\w*\s+(?:ال)?(?:متضرر|تالف|ممزق|مقطوع"
        r"|مفقود)\w*",
        r"(?:damaged|torn|missing) (?:original )?(?:packaging|box|packing)",
        r"(?:packaging|box|packing) (?:is |was )?(?:damaged|torn|missing)",
    )
)

STORE_PAYS: Final = pattern(
    words(
        # not after a negator: "لا يتحمل المتجر" puts the cost on the customer
        r"(?:ب|ه)?ن(?<!لا ن)(?<!لن ن)(?<!ما ن)(?<!مش بن)تحمل\w*",
        r"ي(?<!لا ي)(?<!لن ي)(?<!ما ي)(?:تحمل المتجر|تحملها المتجر)\w*",
        r"ت(?<!لا ت)(?<!لن ت)(?<!ما ت)تحمل الشركه\w*",
        r"فنتحملها",
        # the store as the subject first: "ساعتها الشركة بتتحمل مصاريف الشحن كلها"
        r"(?:ال)?(?:شركه|متجر|محل|موقع)\s+(?:هي\s+|هو\s+)?(?:اللي\s+|الي\s+)?(?:ب|ه|س)?"
        r"(?:تتحمل|يتحمل|تدفع|يدفع)\w*",
        r"(?:ف|ب|ه)?ن(?<!لا ن)(?<!لن ن)(?<!ما ن)(?<!مش بن)تكفل\w*",
        r"(?:لا|دون|بدون|مش)\s+(?:ان\s+)?(?:يتحمل|تتحمل|بيدفع|يدفع|تدفع|هتدفع|بتدفع|هيدفع)\w*"
        r"(?!\s+(?:ال)?(?:متجر|شركه|موقع|اداره|محل))",
        r"(?:على|ب)\s*(?:حساب|نفقه)\s*(?:نا|المتجر|الشركه)",
        r"على حسابنا",
        # the cost "on us": "ومصاريف الشحن كلها علينا احنا", "الغلط علينا"
        r"(?:ال)?(?:شحن|توصيل|مصاريف|رسوم|تكلف\w*|تكاليف|غلط|خطا|مندوب)\w*(?:\s+\S+){0,3}?"
        r"\s+علينا(?!\w)",
        r"مجان\w*",
        r"ببلاش",
        r"(?:بدون|دون|مفيش|لا|بلا)\s+(?:اي\s+)?(?:رسوم|مصاريف|تكلف\w*)",
        r"free(?: of charge)?",
        r"at (?:our|no) (?:cost|expense|extra)",
        r"we (?:pay|cover|bear|collect)",
        r"no (?:fee|charge|cost)",
        r"shipping included",
        r"in full",
        r"كامل\w*",
        r"3alena|3aleina|3ala 7esabna",
        r"e7na (?:elly |elli )?(?:bnsheel|bnshil|hanshil|hansheel|bnet7amel)",
    )
)
# A cost named as the subject of a clause.
COST: Final = TOPIC_PATTERNS[Topic.COSTS]
SHIPPING_COST: Final = pattern(
    words(
        r"(?:ال)?(?:شحن|توصيل|ارسال|نقل|مندوب)\w*",
        # the courier's collection: "تخصم 15 ريال تكلفة الاستلام"
        r"(?:تكلفه|رسوم|مصاريف) (?:ال)?استلام",
        # sending the item back at one's own cost: "ابعته على حسابك"
        r"(?:ابعت|ارسل|اشحن|ترسل|تبعت|تشحن|يرسل|يشحن)\w*\s+(?:\w+\s+)?(?:على|ب)\s*(?:حساب|نفقه)\w*",
        r"ذهابا",
        r"رايح جاي",
        r"shipping",
        r"delivery",
        r"postage",
        r"courier",
        r"pickup",
        r"(?:return|shipping|postage|prepaid|courier) labels?",
        r"label (?:cost|fee|charge)s?",
        r"transport\w*",
        r"both ways",
    )
)
# Fees that are not the return's own shipping: a store may not pass them on in Saudi Arabia.
# A warranty bought with the goods, whose price is a fee, not the cost of a claim under it:
# "extended warranty charges are non-refundable".
WARRANTY_BOUGHT_WORDS: Final = (
    r"extended warrant\w*|warranty (?:plan|package|extension)s?|(?:ال)?ضمان (?:ال)?(?:ممتد|اضافي)"
)
WARRANTY_BOUGHT: Final = pattern(WARRANTY_BOUGHT_WORDS)
OTHER_FEE: Final = pattern(
    words(
        r"(?:ال)?اداري\w*",
        # duties paid on an import: "Customs duties paid on delivery are not refunded"
        r"customs",
        r"(?:ال)?(?:جمارك|جمركي\w*)",
        r"بوابه",
        r"(?:ال)?دفع عند الاستلام",
        r"(?:رسوم|رسم) (?:ال)?(?:دفع|خدمه|الغاء|تحويل|معالجه|تجهيز|تغليف|تركيب|فحص|تعقيم)",
        # the second of two fees: "رسوم الشحن والدفع الإلكتروني غير مستردة"
        r"(?:رسوم|رسم) (?:ال)?\w+ و(?:ال)?(?:دفع|خدمه|تحويل|معالجه|تجهيز|تغليف|تركيب|فحص)",
        r"(?:مصاريف|تكلفه) (?:ال)?(?:تجهيز|تغليف|تركيب)",
        r"(?:ال)?(?:عموله|تخزين|تحويل بنكي)",
        r"(?:ال)?خدمه",
        r"(?:ال)?بنك\w*",
        r"نصف",
        r"نص (?:ال)?مبلغ",
        r"\d(?<![0-9]\d)\d*(?:[.,]\d+)?\s?%",
        r"نسبه",
        r"restocking",
        r"gift[- ]?wrap\w*",
        r"packaging (?:fee|charge)s?",
        r"inspection",
        r"handling",
        r"processing",
        r"administrative",
        r"admin",
        r"payment",
        r"gateway",
        # not the courier's own service: "If you use our pickup service, a fee of SAR 25 …"
        r"(?<!pickup )(?<!collection )(?<!courier )(?<!delivery )(?<!shipping )service",
        r"cash[- ]on[- ]delivery",
        r"c(?<![a-z]c)od(?![a-z])",
        r"cancellation fee",
        r"bank",
        r"half",
        r"assembly",
        r"installation",
        WARRANTY_BOUGHT_WORDS,
        r"percent",
        # Buy-now-pay-later and instalment providers' fees are payment fees.
        r"tabby",
        r"tamara",
        r"valu",
        r"fawry",
        r"تابي",
        r"تمارا",
        r"فاليو",
        r"(?:ال)?تقسيط",
        r"(?:ال)?اقساط",
        r"instal+ments?",
    )
)
# A VAT rate: "ضريبة القيمة المضافة (15%)", "15% VAT". Its percentage is not a fee.
VAT: Final = pattern(
    words(
        r"(?:ضريبه(?: (?:ال)?قيمه (?:ال)?مضافه)?|vat|value added tax)\s*\(?\s*(?:بنسبه\s*)?"
        r"\d+(?:[.,]\d+)?\s?%\s*\)?",
        r"\d\d*(?:[.,]\d+)?\s?%\s*(?:vat|ضريبه)",
    )
)
DEDUCTION: Final = Lexicon(
    *(
        r"(?<!\w)(?:و|ف)?(?:يتم|سيتم|هيتم|حيتم|بيتم|يجري|بعد|مع|ب|يشمل)\s*(?:ال)?"
        # (not a bonus: "كوبون شراء بقيمة المنتج مع خصم إضافي 5%")
        r"(?:خصم|استقطاع|اقتطاع|حسم)(?!\s+اضافي)\s+(?:\w+\s+){0,3}?"
        # English fee nouns inside Arabic: "بعد خصم الـ shipping fees"; "بعد خصم الرسوم"
        r"(?:ال)?(?:رسوم|رسم|تكلف\w*|تكاليف|مصاريف|قيمه|مبلغ|نسبه|\d+\s*%|اجور|عموله|fees?|charges?"
        r"|costs?)",
        r"(?<!\w)(?:و|ف)?(?:يخصم|تخصم|نخصم|ينخصم|تنخصم|بتتخصم|بيتخصم|هيتخصم|يستقطع|تستقطع"
        r"|نستقطع|يقتطع|يحسم|تحسم|سنخصم|يتخصم|تتخصم|(?:ه|ب|ح)(?:ن|ي|ت|تت)خصم)\w*",
        r"(?<!\w)خصم\s+(?:رسوم|رسم|تكلف\w*|تكاليف|مصاريف|قيمه|نسبه|\d+\s*%|عموله)",
        # the amount paid back "مخصوم منه رسوم بوابة الدفع", "مخصوماً منها الشحن"
        r"(?<!\w)(?:و)?مخصوم(?:ا|ه)?\s+(?:منه|منها|من\s+(?:ال)?(?:مبلغ|قيمه)\w*)",
        r"deduct\w*",
        r"subtract\w*",
        r"taken (?:off|out of|from)",
        r"minus",
        # "بنرجعلك المبلغ ناقص ١٠٪ مصاريف إدارية"
        r"(?<!\w)ناقص\s+(?:\w+\s+)?(?:\d|رسوم|مصاريف|نسبه|قيمه)",
        r"less (?:a |the )?(?:fee|\d+\s*%|shipping)",
        # Franco-Arabic: "hatetkhesem men el refund", "btetkhesem men kol refund"
        r"(?:ha|bt|by|hay|hat|y|t)e?t?(?:kh|5)ese?m[a-z]*",
    )
)
# A cost that is kept back: "غير مستردة", "مش بترجع", "not refunded", "not included".
# A cost paid back in one case only ("refunded only if the item was defective"): kept in
# every other.
_REFUNDED_ONLY_WORDS: Final = (
    r"refunded only (?:when|if|for)",
    r"(?:ترد|تسترد|يسترد|يرد) فقط (?:اذا|في حال|عند)",
)
REFUNDED_ONLY: Final = pattern(words(*_REFUNDED_ONLY_WORDS))
NOT_REFUNDED: Final = Lexicon(
    *(
        # (or an English word in an Arabic sentence: "الـ shipping fees مش refundable")
        r"(?:غير|مش|مو) (?:non-?)?refundable",
        # (not a negated liking: "لو مش عاجبك ترجعه مع المندوب وتدفع مصاريف الشحن")
        r"(?:غير|لا|ما|مش)\s+(?!(?:عاجب|بيعجب|يعجب|تعجب|عجب|راضي|مناسب)\w*)(?:\w+\s+)?"
        r"(?:مسترد\w*|قابل\w* للاسترداد|[تي]سترد|[تي]رد|ترجع|بترجع"
        r"|بيرجع|يرجع|[تي]عاد|تنرد|ترد|(?:ب|ه)[تي]{1,2}(?:رد|رجع)|(?:ب|ه)?ن(?:رجع|رد)\w*)",
        r"(?<!\w)(?:لا|ما)\s+(?:[تي])?(?:سترد|رد|ترد|يرد|تعاد|يعاد)\s+(?:ال)?(?:رسوم|رسم|مصاريف|تكلف\w*"
        r"|تكاليف|قيمه|ضريبه)",
        # "لا يتم استرداد رسوم الدفع عند الاستلام", "لن يتم رد الرسوم"
        r"(?<!\w)(?:لا|لن|ما)\s+(?:ي|س)?تم\s+(?:ال)?(?:استرداد|رد|ارجاع|اعاده|استرجاع)\s+(?:ال)?"
        r"(?:رسوم|رسم|مصاريف|تكلف\w*|تكاليف|قيمه|ضريبه)",
        r"ما\s?(?:ب|ه)?[يت]{1,2}(?:رجع|رد|سترد|عاد)\w*ش(?!\w)",
        # (Egyptian also drops the alef: "مبتترجعش", "متتردش")
        r"(?<!\w)م(?:ب|ه)?[يت]{1,2}(?:رجع|رد|سترد|عاد)\w*ش(?!\w)",
        r"non[\s-]?refundable",
        r"(?:not|never) (?:be )?refund(?:ed|able)",
        # "the cash on delivery fee is no longer refunded", "ولم تعد رسوم الشحن تسترد"
        r"no longer (?:be )?refund(?:ed|able)",
        r"(?:لم|ما) (?:ي|ت)?عد (?:\w+ ){0,3}?(?:ي|ت)?(?:سترد|رد|رجع)\w*",
        r"(?:msh|mish) (?:" + FRANCO_RETURN + ")",
        r"(?:is|are) not (?:included|returned)",
        r"(?:is|are) (?:kept|retained)",
        *_REFUNDED_ONLY_WORDS,
        # "Refunds exclude the COD charge", "excluded from the refund": left out of the money.
        r"refunds? (?:will |do |does )?(?:\w+ )?exclud\w*",
        r"exclud\w* from (?:the |your |any )?refund\w*",
        r"refund\w* (?:\w+ ){0,4}?excluding",
        r"(?:لا|ما|مش|لن)\s+(?:ي|ت)شمل\w*",
    )
)
# A named fee charged on a return ("a 20% restocking fee applies", "تطبق رسوم إدارية").
FEE_CHARGED: Final = pattern(
    words(
        r"(?:fee|charge)s?\s+(?:of\s+\S+(?:\s+\S+)?\s+)?(?:applies|apply|is charged"
        r"|will be charged|is applied|will apply)",
        r"incur\w*\s+(?:a |an |the )?(?:\S+\s+){0,3}?(?:fee|charge)",
        r"(?:we|will) charge (?:a |an )?(?:\S+\s+){0,3}?(?:fee|charge)",
        r"subject to (?:a |an )?(?:\S+\s+){0,3}?(?:fee|charge)",
        r"(?:يخضع|تخضع)\w*\s+ل(?:ل)?(?:رسوم|رسم)",
        r"(?:تستحق|يستحق|تستوفى|يستوفى)\s+(?:ال)?(?:رسوم|رسم)",
        r"(?:تطبق|تفرض|تحتسب|يتم احتساب|يتم تطبيق|نطبق|نفرض)\s+(?:ال)?(?:رسوم|رسم|نسبه)",
        # the fee as the subject: "رسوم إعادة التخزين 15% تطبق على المرتجعات"
        r"(?:ال)?(?:رسوم|رسم)\s+(?:\S+\s+){0,4}?(?:تطبق|تفرض|تحتسب|يطبق|يفرض|يحتسب)\w*",
        # a fee of the return's handling with its amount: "Opened items: 15% restocking fee"
        # (not an inspection fee, which a warranty repair may cost without touching a refund)
        r"\d+(?:[.,]\d+)?\s?%?\s+(?:restocking|handling|processing|admin\w*) (?:fee|charge)",
        r"(?:restocking|handling|processing|admin\w*) (?:fee|charge)s?\s+(?:of\s+)?\d",
        r"(?:رسوم|رسم)\s+(?:اعاده\s+)?(?:ال)?(?:تخزين|معالجه|مناوله|اداريه)\s+(?:بنسبه\s+|قدرها\s+)?\d",
    )
)
# Where a fee is paid with the order, not on its return: "A cash-on-delivery handling fee
# applies and is shown at checkout".
AT_CHECKOUT: Final = pattern(
    words(
        r"(?:at|during|on) (?:the )?check-?out",
        r"عند (?:اتمام|تاكيد|تنفيذ) (?:ال)?طلب",
    )
)
# A part of the price kept back: "half the amount is refunded".
PARTIAL_REFUND: Final = pattern(
    words(
        # (not all of it: "refund 100% of amount")
        r"(?:half|a quarter|a third|(?<![0-9.,])(?!100\s?%)\d\d*\s?%) (?:of )?(?:the |your )?"
        r"(?:\w+ )?(?:amount|price|value|cost|total)",
        # (not an offer's price: "القطعة التانية بنص التمن")
        r"(?:ن(?<!بن)صف|ن(?<!بن)ص|ربع|ثلث|\d\d*\s?%\s*(?:فقط\s+|بس\s+)?من)\s+(?:ال)?(?:مبلغ|قيمه|قيمت"
        r"|ثمن|تمن"
        r"|سعر)\w*",
    )
)
# A fee that is waived or not charged.
NO_FEE: Final = pattern(
    words(
        # a word of its own: not the end of "ريالا" in "بعد خصم 20 ريالا رسوم فحص"
        r"(?<!\w)(?:بدون|دون|من غير|مفيش|بلا|ولا|لا)\s+(?:اي\s+)?(?:رسوم|مصاريف|تكلف\w*|خصم)",
        # (not "بعد ما نخصم", "after we deduct": the look-behinds follow the "م")
        r"(?<!\w)(?:و|ف)?(?:لا|لن|مش|م(?<!بعد م)(?<!من م)(?<!عند م)ا|مو)\s+(?:ب|ه)?(?:ن|ي|ت)(?:ت)?"
        r"خصم",
        # "لا يتم خصم أي رسوم", "لن يتم استقطاع"
        r"(?<!\w)(?:و|ف)?(?:لا|لن|مش|ما|مو)\s+(?:ي|س|ه|ب)?(?:يتم|تم)\s+(?:ال)?(?:خصم|استقطاع|اقتطاع|حسم)",
        r"ما\s?(?:ب|ه)?(?:ن|ي|ت)(?:ت)?خصم\w*ش",
        # "دون أن يُقتطع منه ولو جنيه واحد", "من غير ما نخصم": without a deduction
        r"(?:بدون|دون|من غير)\s+(?:ان\s+|ما\s+)?(?:[يتن]|يتم\s+|تم\s+)?(?:ت)?(?:خصم|قتطع|ستقطع|حسم"
        r"|اقتطاع|استقطاع)\w*",
        r"without deduct\w*",
        r"مجان\w*",
        r"ببلاش",
        r"free(?: of charge)?",
        r"no (?:\w+ )?(?:fee|charge|cost|deduction)s?",
        r"waived",
        r"without (?:any )?(?:fee|charge|deduction)",
        r"(?:don'?t|do not|never|won'?t|will not|doesn'?t|does not) deduct",
        r"nothing (?:\w+ ){0,2}deduct\w*",
        r"not (?:be )?deducted",
        r"(?:refunded|paid back) in full",
        r"full refund",
        r"(?:is|are) refunded (?:together|along|with)",
    )
)
# Credit in the store rather than money.
CREDIT: Final = pattern(
    words(
        r"(?:ال)?رصيد",
        r"(?:ال)?محفظ\w*(?!\s+(?:ال)?(?:موبايل|الكترونيه|الجوال|فودافون|اتصالات|اورنج|بنكي))",
        r"(?:ال)?(?:قسيم|قسائم|كوبون|فاوتشر)\w*",
        r"كود خصم",
        # a code worth the item: "a one-time promo code worth the full item price"
        r"(?:ال)?كود (?:\w+ )?بقيمه",
        r"(?:promo|discount|credit|voucher|coupon) codes? (?:\w+ )?worth",
        r"(?:ال)?نقاط",
        r"store[- ]credit",
        r"(?:account|site|app|wallet|in-store) credit",
        r"credit note",
        r"(?:account|store|site|app|wallet) balance",
        # "The amount is kept as a balance on your account for your next order"
        r"balance (?:on|in|to) (?:your |the )?(?:account|profile)",
        r"(?:e-|e|-)?vouchers?",
        r"(?:in-app |store[- ]|site )?w(?<!mobile w)allet(?! transfer)",
        r"gift cards?",
        r"coupons?",
    )
)
# Credit handed to a customer for a return ("returned items receive a gift voucher", "بنديك
# كوبون"): a return clause that says so names how the refund is paid.
CREDIT_GIVEN: Final = pattern(
    words(
        r"receives?",
        r"get",
        r"earn",
        r"(?:be|is|are) (?:issued|given|offered|awarded|added)",
        r"(?:is |are )?(?:kept|held) as",
        r"(?:we )?add",
        r"we (?:issue|give|offer)",
        r"(?:يحصل|تحصل|تاخد|بتاخد|ياخد|يمنح|تمنح|نمنح|نعطي|بنديك|هنديك|نديك|يصرف|تصرف|نصرف)\w*",
        r"(?:يضاف|تضاف|نضيف|ينضاف)\w*",
        r"يتم (?:اصدار|منح|اضافه|صرف)",
        # Gulf "تاخذين قسيمة", and what comes back to the customer: "يرجع لك نقاط"
        r"(?:ت|ي|بت)اخذ\w*",
        r"(?:ب|ه)?[يتن]رجع ?(?:لك|لكم|لكي)(?!\w)",
    )
)
MOBILE_MONEY: Final = pattern(
    words(
        # (not the store's own: "رصيد في المحفظة الإلكترونية للعميل على الموقع")
        r"محفظ\w* (?:ال)?(?:موبايل|الجوال|فودافون)"
        r"|محفظ\w* (?:ال)?الكترونيه(?! (?:لل?عميل |الخاصه بك |الخاصه بالعميل )?(?:علي|في|ب)"
        r" ?(?:ال)?(?:موقع|متجر|تطبيق|حساب))",
        r"mobile (?:money|wallet)",
        r"instapay",
        r"انستاباي",
        r"stc ?pay",
        r"urpay",
        r"(?:اس تي سي|اس تى سى) باي",
    )
)
NOT_CASHED_WORDS: Final = (
    r"(?:cannot|can'?t|may not) be (?:withdrawn|exchanged|converted|cashed|paid out)"
    r"(?: (?:\w+ )?(?:in|for|into|as) (?:cash|money))?",
    r"(?:لا|ما) (?:يمكن |يتم |تقدر )?(?:سحب|صرف)\w*",
)
"""Credit that cannot become money: "It cannot be withdrawn, transferred or paid out in cash",
"ولا يمكن سحب الرصيد نقداً" (a mark of credit only, and no money refund)."""
CREDIT_ONLY: Final = pattern(
    words(
        r"ف(?<!\wف)قط(?!\w)",
        r"ب(?<!\wب)س(?!\w)",
        r"only",
        r"exclusively",
        r"solely",
        r"(?:على شكل|في صوره|على هيئه|بشكل|ك)\s*(?:ال)?(?:رصيد|قسيم|كوبون|فاوتشر|بطاق\w* هدي"
        r"|(?:e-?)?gift ?cards?|vouchers?|store credit)",
        # the accusative of manner: "يعاد المبلغ رصيداً في محفظة العميل"
        r"ر(?<!\wر)صيدا(?!\w)",
        r"(?:no|not) (?:available )?(?:in )?(?:cash|money)",
        r"cash refunds? (?:are|is) not",
        *NOT_CASHED_WORDS,
        r"instead of",
        r"بدلا من",
        r"(?:issued|given|provided|refunded|paid|made|added) (?:as|in|via|through|to)",
        r"issue\w* (?:a |an )?(?:gift card|voucher|store credit|credit note|coupon)",
        r"in the form of",
        r"(?:نعطي|نمنح|نصدر|يمنح|يصدر|تمنح|تصدر)\w*\s+(?:\w+\s+)?(?:قسيم|كوبون|رصيد|بطاق)",
        r"(?:التعويض|يعوض|نعوض)\s*ب",
        r"(?:ينضاف|يضاف|تضاف|يتحول)\w*",
    )
)
# A way of paying money back (to the card, the account, in cash, by transfer).
MONEY_METHOD: Final = pattern(
    words(
        r"(?:نفس|ذات)\s+(?:ال)?(?:طريقه|وسيله|الكارت|البطاقه|الحساب)",
        r"(?:ال)?(?:طريقه|وسيله) (?:ال)?دفع",
        # (not gift or greeting cards: "بطاقات الإهداء", "بطاقة المعايدة")
        r"(?:ال)?(?:بطاقه|بطاقات)(?! (?:ال)?(?:هديه|هدايا|شرائيه|اهداء|معايده|تهنئه))",
        r"(?:ال)?(?:كارت|كروت)\w*",
        r"بطاقت(?:ك|كم|ه|ها|هم)(?!\w)",
        r"(?:ال)?حساب (?:ال)?بنكي",
        r"حسابك (?:ال)?بنكي",
        r"حسابك في (?:ال)?بنك",
        r"(?:ال)?تحويل (?:ال)?بنكي",
        r"(?:ال)?(?:بنك|ايبان)\w*",
        r"نقدا",
        r"نقدي\w*",
        r"كاش",
        r"iban",
        r"original payment",
        r"payment method",
        r"bank\w*",
        r"(?:credit |debit )?c(?<!gift c)ards?",
        r"cash",
        r"the (?:same )?account",
        # (not money that comes back as credit: "Money back as balance in your account")
        r"money back(?! (?:as|in|into) (?:a |an |your )?(?:store |account |site |wallet )?"
        r"(?:credit|balance|vouchers?|coupons?|gift cards?|points))",
        r"mada",
        r"visa",
        r"mastercard",
        r"apple pay",
        r"فيزا",
        r"(?:ا|أ)بل باي",
    )
)
CHOICE: Final = pattern(
    words(
        r"حسب (?:رغبه|اختيار|رغبتك)",
        r"(?:او|or) (?:يمكنك |you (?:can|may) )?(?:اختيار|choose)",
        r"(?:at|of) (?:your|the customer's) (?:choice|option)",
        r"if you prefer",
        r"you choose",
        r"as you prefer",
        r"بحسب رغبتك",
        r"[تي]ختار",
        r"(?:ال)?خيار بين",
        # "يا إما store credit …، يا إما refund كاش", "either credit or your money back"
        r"يا (?:اما|ام)(?!\w)",
        r"(?<![a-z])either (?:\w+ ){0,3}?or(?![a-z])",
        r"(?:يمكنك|تقدر|بامكانك) (?:\w+ ){0,3}?(?:اختيار|تختار)",
        r"على كيفك",
        r"براحتك",
        r"زي ما تحب",
        # the credit offered if the customer wants it: "وإذا تبي بدال الفلوس كوبون", "الخيار لك"
        r"(?:اذا|لو|ان) (?:تبي|تبغي|تبغا|تحب|حبيت|بغيت|تريد|اردت|عايز|عاوز|حابب|حابه)"
        r" (?:\w+ )?(?:بدال|بدل|بدلا|عوض|عوضا|كوبون|رصيد|قسيمه|فاوتشر)",
        r"if you (?:want|wish|would like|'d like|prefer) (?:\w+ )?(?:store credit|a voucher"
        r"|a coupon|credit|a gift card|instead)",
    )
)
IMMEDIATE: Final = pattern(
    words(
        r"فورا",
        r"فوري\w*",
        r"فور (?:ما|وصول|استلام)",
        r"في (?:نفس|ذات) اليوم",
        r"مباشره",
        r"على طول",
        r"immediately",
        r"instant\w*",
        r"same day",
        r"right away",
    )
)
