"""The scenario file format (format 1) as frozen pydantic models.

Attribute names are exactly the YAML keys of ``scenarios/FORMAT.md``. The few attributes that are
not in the YAML (``Document.content``, ``Scenario.log_rows``, ``Scenario.content_hash``) are filled
by the loader and listed in ``LOADER_FIELDS``. Checks that span several parts of a file (references,
unique ids, the final deadline) live in ``portfolio.scenarios.checks``.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: Attributes the loader fills; a YAML file that sets them has an unknown field.
LOADER_FIELDS = frozenset({"content", "log_rows", "content_hash"})

T = TypeVar("T")


def _as_tuple(value: object) -> object:
    """Let a YAML list fill a tuple field while the model stays in strict mode."""
    return tuple(value) if isinstance(value, list) else value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


def _slug(value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise PydanticCustomError(
            "slug",
            '"{value}" is not a valid id: use lower-case letters, digits and hyphens, starting '
            "with a letter or digit, at most 63 characters",
            {"value": value},
        )
    return value


def _month(value: str) -> str:
    if not MONTH_RE.fullmatch(value):
        raise PydanticCustomError(
            "month",
            '"{value}" is not a month: write it as YYYY-MM, e.g. "2026-03"',
            {"value": value},
        )
    return value


def _iso_date(value: str) -> str:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date", '"{value}" is not a date: write it as "YYYY-MM-DD"', {"value": value}
        ) from None
    return value


#: The most any amount in a scenario, or a learner's remedy, may come to (casework.remedy holds
#: the remedy to it; the upload's checks hold a scenario's amounts to it, so that every menu
#: amount can be chosen).
MAX_MONEY = 100_000
#: What an amount above it is told (by checks.py; here for amounts too long to round, which
#: would otherwise fail with a server error).
MONEY_TOO_LARGE = (
    f"must be at most {MAX_MONEY} (£{MAX_MONEY:,}): no remedy a learner chooses may come to more"
)


def _money(value: object) -> Decimal:
    # A string comes back only from our own JSON dump of a stored version (see Money below).
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d{1,2})?", value):
        value = Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError(
            "money_type", "expected an amount in pounds, a number such as 60 or 12.50"
        )
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise PydanticCustomError("money_range", "must be an amount of 0 or more")
    try:
        pence = amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        # Too many digits to round to pence (1e30, say): never a stored version's, which was
        # rounded on upload. The upload's checks say the limit (MAX_MONEY).
        raise PydanticCustomError("money_range", MONEY_TOO_LARGE) from None
    if amount != pence:
        raise PydanticCustomError("money_pence", "must be in pounds and pence (at most 2 decimals)")
    return amount


Text = Annotated[str, AfterValidator(_not_blank)]
Slug = Annotated[str, AfterValidator(_slug)]
Ref = Annotated[str, AfterValidator(_not_blank)]
Month = Annotated[str, AfterValidator(_month)]
IsoDate = Annotated[str, AfterValidator(_iso_date)]
# Stored versions keep money as a string so that the JSON round trip is exact.
Money = Annotated[Decimal, PlainValidator(_money), PlainSerializer(str, return_type=str)]
Whole = Annotated[int, Field(ge=0)]
Items = Annotated[tuple[T, ...], BeforeValidator(_as_tuple)]


class Model(BaseModel):
    """Base for every part of the format: strict types, no unknown fields, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- The criteria file ---------------------------------------------------------------------------


class Criterion(Model):
    ref: Text
    text: Text
    reconstructed: bool = False


class Outcome(Model):
    ref: Text
    title: Text
    kind: Literal["competence", "knowledge"]
    criteria: Annotated[Items[Criterion], Field(min_length=1)]


class Unit(Model):
    code: Text
    title: Text
    level: Annotated[int, Field(ge=1, le=8)]
    source_note: Text | None = None
    outcomes: Annotated[Items[Outcome], Field(min_length=1)]


class CriteriaFile(Model):
    """A unit's outcomes and assessment criteria."""

    format: Literal[1]
    unit: Unit

    @property
    def criterion_refs(self) -> frozenset[str]:
        """Every criterion reference in the unit."""
        return frozenset(c.ref for o in self.unit.outcomes for c in o.criteria)

    def criterion(self, ref: str) -> Criterion | None:
        """The criterion with this reference, or None."""
        return next((c for o in self.unit.outcomes for c in o.criteria if c.ref == ref), None)


# --- The manifest --------------------------------------------------------------------------------


class Deadline(Model):
    id: Slug
    label: Text
    day: Whole
    final: bool = False
    # A non-final deadline that a remedy meets (a dispute hold, a refund): settled when a response
    # offering that remedy is sent. The final deadline is met by the response itself.
    met_by_remedy: Ref | None = None


class Regime(Model):
    name: Text
    regulator: Text
    ombudsman: Text
    rules: Annotated[Items[Text], Field(min_length=1)]
    deadlines: Annotated[Items[Deadline], Field(min_length=1)]


class ClockCosts(Model):
    request_document: Whole
    ask_question: Whole
    request_authorisation: Whole
    send_response: Whole
    customer_reply: Whole


class Clock(Model):
    start_day: Whole
    hours_per_day: Annotated[int, Field(ge=1, le=24)]
    costs: ClockCosts
    # The calendar date of day 0 (the complaint's first receipt), so the case pages can show
    # the date the referral, documents and letters speak in.
    day_zero: IsoDate | None = None


class Person(Model):
    name: Text
    role: Text


class Referral(Model):
    referred_by: Person
    reason: Text
    trigger: Text
    history: Text | None = None


class ThirdParty(Model):
    name: Text
    relationship: Text
    authority_on_file: bool


class Customer(Model):
    name: Text
    age: Annotated[int, Field(ge=0, le=130)] | None = None
    account: Text
    contact: Text | None = None
    vulnerability: Text | None = None
    complaint: Text
    third_party: ThirdParty | None = None


DocumentKind = Literal[
    "crm-notes",
    "call-transcript",
    "statement",
    "system-log",
    "policy",
    "email",
    "letter",
    "report",
    "photo-description",
    "form",
]


class Document(Model):
    id: Slug
    title: Text
    kind: DocumentKind
    file: Text
    reveals_root_cause: bool
    dated: IsoDate | None = None
    content: str = ""  # the Markdown file's text, filled by the loader


class Question(Model):
    id: Slug
    text: Text
    answer: Text
    misleading: bool = False
    contradicted_by: Ref | None = None


class Stakeholder(Model):
    id: Slug
    name: Text
    role: Text
    intro: Text
    questions: Annotated[Items[Question], Field(min_length=3)]

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)


class Remedy(Model):
    id: Slug
    label: Text
    amount: Money
    requires_authorisation: bool
    fair: bool
    # The manager's reason for refusing any request that includes this remedy, whatever the
    # total (a write-off that ignores the rules, a payment to take a review down).
    manager_declines: Text | None = None


class Authorisation(Model):
    manager: Person
    approve_up_to: Money
    approve_message: Text
    decline_message: Text


RequirementKind = Literal["letter_mentions", "remedy_includes", "sent_by_deadline"]

#: The one extra field each requirement kind uses.
REQUIREMENT_FIELDS: dict[str, str] = {
    "letter_mentions": "any_of",
    "remedy_includes": "remedy",
    "sent_by_deadline": "deadline",
}


class Requirement(Model):
    id: Slug
    kind: RequirementKind
    any_of: Annotated[Items[Text], Field(min_length=1)] | None = None
    remedy: Ref | None = None
    deadline: Ref | None = None
    checklist: Text
    pushback: Text

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Self:
        own = REQUIREMENT_FIELDS[self.kind]
        if getattr(self, own) is None:
            raise PydanticCustomError(
                "requirement_field",
                "required when kind is {kind}",
                {"field": own, "kind": self.kind},
            )
        for other_kind, other in REQUIREMENT_FIELDS.items():
            if other != own and getattr(self, other) is not None:
                raise PydanticCustomError(
                    "requirement_field",
                    "only used when kind is {other_kind}, not {kind}",
                    {"field": other, "kind": self.kind, "other_kind": other_kind},
                )
        return self


class CustomerReply(Model):
    accept: Text
    unresolved: Text
    requirements: Annotated[Items[Requirement], Field(min_length=1)]


class Guidance(Model):
    root_cause: Text
    symptom: Text
    fair_remedies: Annotated[Items[Text], Field(min_length=1)]
    weak_answers: Annotated[Items[Text], Field(min_length=1)]
    key_documents: Annotated[Items[Ref], Field(min_length=1)]
    systemic_note: Text | None = None


class Flag(Model):
    id: Slug
    label: Text


class ComplaintLogSpec(Model):
    file: Text
    months: Annotated[Items[Month], Field(min_length=1)]
    flags: Items[Flag] = ()
    insight: Text


class LogRow(Model):
    """One row of the complaint log CSV: a group of complaints sharing month, category, flags."""

    month: str
    category: str
    count: int
    cost: Decimal
    flags: tuple[str, ...] = ()


class KnowledgeQuestion(Model):
    id: Slug
    criterion: Ref
    text: Text


class EvidenceMap(Model):
    investigation: Items[Ref] = ()
    resolution: Items[Ref] = ()
    analysis: Items[Ref] = ()
    recommendations: Items[Ref] = ()
    knowledge: Items[Ref] = ()
    reflection: Items[Ref] = ()
    case_log: Items[Ref] = ()


class Scenario(Model):
    """A scenario manifest plus what the loader reads beside it (documents, log, hash)."""

    format: Literal[1]
    slug: Slug
    title: Text
    sector: Literal[
        "telecoms", "financial-services", "energy", "retail", "insurance", "housing", "other"
    ]
    difficulty: Literal["foundation", "intermediate", "advanced"]
    summary: Text
    unit: Text
    organisation: Text
    learner_role: Text
    authority_limit: Money
    regime: Regime
    clock: Clock
    referral: Referral
    customer: Customer
    documents: Annotated[Items[Document], Field(min_length=4)]
    stakeholders: Annotated[Items[Stakeholder], Field(min_length=3)]
    remedies: Annotated[Items[Remedy], Field(min_length=1)]
    authorisation: Authorisation
    customer_reply: CustomerReply
    letter_checklist: Annotated[Items[Text], Field(min_length=1)]
    guidance: Guidance
    complaint_log: ComplaintLogSpec
    knowledge_questions: Items[KnowledgeQuestion]
    evidence_map: EvidenceMap
    # Filled by the loader, never read from the YAML.
    log_rows: tuple[LogRow, ...] = ()
    content_hash: str = ""

    def document(self, document_id: str) -> Document | None:
        """The document with this id, or None."""
        return next((d for d in self.documents if d.id == document_id), None)

    def stakeholder(self, stakeholder_id: str) -> Stakeholder | None:
        """The stakeholder with this id, or None."""
        return next((s for s in self.stakeholders if s.id == stakeholder_id), None)

    def question(self, stakeholder_id: str, question_id: str) -> Question | None:
        """A stakeholder's question by both ids, or None."""
        stakeholder = self.stakeholder(stakeholder_id)
        return stakeholder.question(question_id) if stakeholder else None

    def remedy(self, remedy_id: str) -> Remedy | None:
        """The menu remedy with this id, or None."""
        return next((r for r in self.remedies if r.id == remedy_id), None)

    @property
    def final_deadline(self) -> Deadline:
        """The deadline the response must be sent by (a valid scenario has exactly one)."""
        finals = [d for d in self.regime.deadlines if d.final]
        if len(finals) != 1:
            raise ValueError(f"scenario {self.slug} has {len(finals)} final deadlines, not 1")
        return finals[0]

    def misleading_questions(self) -> tuple[tuple[Stakeholder, Question], ...]:
        """Every (stakeholder, question) whose answer is misleading, in file order."""
        return tuple((s, q) for s in self.stakeholders for q in s.questions if q.misleading)
