"""Plain data records passed between the corpus reader, the extractor and the store."""

from __future__ import annotations

from dataclasses import dataclass, field

# The deal types in one order, most specific first: when one sentence states several
# facets, the most specific names the deal ("acquired an 18.7 pct equity interest" is a
# stake, not an acquisition; a "licence and collaboration agreement" is a licence).
# Legends, pickers and ties follow the same order.
DEAL_TYPES = (
    "settlement/litigation",
    "joint venture",
    "equity investment/stake",
    "licensing",
    "acquisition/merger",
    "alliance/consortium",
    "supply/distribution/commercialisation",
    "partnership/collaboration",
    "other",
)

ORG_KINDS = ("company", "academic", "government", "investor", "other")

# Where a deal stands, as its mention reports it: signed (or announced), done, ended.
DEAL_STATUSES = ("agreed", "completed", "terminated")
DEAL_ROLES = ("main", "background")


@dataclass(frozen=True)
class ArticleItem:
    """One news item of an article: the whole body, or one item of a digest page."""

    index: int
    text: str
    title: str | None = None
    published: str | None = None
    date_precision: str | None = None
    date_source: str = "none"


@dataclass(frozen=True)
class Article:
    """One article as read from the corpus, before any NLP.

    ``published`` is ISO text at its precision: ``2025``, ``2025-04`` or
    ``2025-12-19``; ``date_source`` says where it came from (``text``, ``url``,
    ``metadata``) and is ``"none"`` when no date is known. A date is never
    invented.
    """

    id: str
    file: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    date_precision: str | None = None
    date_source: str = "none"
    is_digest: bool = False
    items: tuple[ArticleItem, ...] = ()
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """An input that could not be read, with a one-line reason for the user."""

    path: str
    reason: str


@dataclass
class Mention:
    """An organisation mention resolved to its canonical organisation."""

    text: str
    canonical: str
    start: int
    end: int
    item_index: int = 0


@dataclass(frozen=True)
class Money:
    """An amount as the text states it: whole currency units, ISO 4217 code, the words."""

    amount: float
    currency: str
    text: str
    up_to: bool = False  # "up to $1.2 billion": a ceiling, not a sum paid


@dataclass(frozen=True)
class Stake:
    value: float  # percentage points
    text: str


@dataclass(frozen=True)
class Terms:
    """A deal's disclosed terms; ``None`` where the text states none."""

    total_value: Money | None = None
    upfront: Money | None = None
    milestones: Money | None = None
    equity_pct: Stake | None = None
    royalties: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in TERM_NAMES)


TERM_NAMES = ("total_value", "upfront", "milestones", "equity_pct", "royalties")


@dataclass
class Deal:
    parties: tuple[str, ...]
    type: str
    evidence: str
    item_index: int = 0
    therapeutic_areas: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    deal_date: str | None = None
    date_precision: str | None = None
    date_source: str = "none"
    confidence: float = 0.5
    trigger: str = ""
    also_types: tuple[str, ...] = ()
    terms: Terms = field(default_factory=Terms)
    assets: tuple[str, ...] = ()  # drugs, products, platforms, as written
    status: str = "agreed"  # one of DEAL_STATUSES
    # "main": what the article reports; "background": a deal mentioned as history
    # ("had formed a joint venture with ..."). A background deal is dated only when
    # the text dates it; otherwise ``deal_date`` is None and ``date_source`` is
    # "before-article" (shown as "before <the article's date>").
    role: str = "main"  # one of DEAL_ROLES


@dataclass
class ResolvedOrganisation:
    name: str
    country: str | None
    kind: str
    in_lexicon: bool


@dataclass
class ExtractionResult:
    article: Article
    organisations: dict[str, ResolvedOrganisation]
    mentions: list[Mention]
    deals: list[Deal]
