"""The emulation registry ("sổ điển hình"): good models, exemplary collectives and persons
taken from the narrative items of reports, kept across periods for the year-end review.

The practice (seed 003, the "Dân vận khéo" movement; seed 000, commendation of exemplary
collectives and individuals): each unit builds and reports good models during the year; at
the year's end the standing board gathers them, evaluates them and proposes the best for
commendation at the review conference ("hội nghị tổng kết"). Reports already carry the
words; what was missing is the list, so it was compiled by hand from a year of messages.

Rules decided here (the services, the chat commands and the exports rely on them):

* **What can be marked**: a text field of a report with real content (``is_trivial``
  refuses "Không có", "chưa có", "-") that tells of results or good models (the narrative
  kinds ``RESULT`` and ``MODEL``; difficulties, proposals and next tasks are not models). The item is (campaign, period, unit, field); an item
  can be in the registry once per kind (a text may tell of a model *and* of the person
  behind it).
* **By the reporter, when reporting**: a template field of good models (the ``MODEL``
  narrative kind of ``bot.core.rollup``, e.g. "Mô hình hay, cách làm hiệu quả") is the
  reporter's own marking: its content enters the registry as a good model when the report
  is saved. Other items, or another kind, with ``/danhdau`` right after.
* **By the leadership, afterwards**: ``/danhdau`` shows the items of a period with
  numbers; ``/danhdau 3 tập thể`` marks the third.
* **Which year**: an entry belongs to the span that holds its period by the roll-ups' rule
  (``Span.includes``: a week by its Thursday), so the year-end list of 2026 holds exactly
  the weeks the 2026 roll-up holds.
* **Order**: by kind (models, collectives, persons), then by the unit's place in the tree,
  then by period, then by number.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core.models import OrgUnit, SubmissionVersion
from bot.core.periods import Period
from bot.core.rollup import NarrativeKind, Span, narrative_kind
from bot.core.template import FieldType, Template, TemplateField
from bot.core.text import fold

__all__ = [
    "EmulationEntry",
    "EntryFilter",
    "EntryKind",
    "Registry",
    "ReportItem",
    "is_trivial",
    "kind_from_word",
    "model_items",
    "report_items",
]


class EntryKind(enum.StrEnum):
    """What an entry is put forward as (the three lists of a review conference)."""

    MODEL = "model"
    COLLECTIVE = "collective"
    PERSON = "person"

    @property
    def label(self) -> str:
        """The heading of its part of the year-end list."""
        return {
            EntryKind.MODEL: "Mô hình hay, điển hình “Dân vận khéo”",
            EntryKind.COLLECTIVE: "Tập thể tiêu biểu",
            EntryKind.PERSON: "Cá nhân tiêu biểu",
        }[self]

    @property
    def word(self) -> str:
        """The word typed in commands: "/dienhinh tập thể"."""
        return {
            EntryKind.MODEL: "mô hình",
            EntryKind.COLLECTIVE: "tập thể",
            EntryKind.PERSON: "cá nhân",
        }[self]

    @property
    def short(self) -> str:
        """The words in a sentence: "đã ghi vào sổ là mô hình hay"."""
        return {
            EntryKind.MODEL: "mô hình hay",
            EntryKind.COLLECTIVE: "tập thể tiêu biểu",
            EntryKind.PERSON: "cá nhân tiêu biểu",
        }[self]


# Words people type for each kind, folded (no diacritics, lower case).
_KIND_WORDS: dict[str, EntryKind] = {
    "mohinh": EntryKind.MODEL,
    "mo hinh": EntryKind.MODEL,
    "mo hinh hay": EntryKind.MODEL,
    "mohinhhay": EntryKind.MODEL,
    "dienhinh": EntryKind.MODEL,
    "dien hinh": EntryKind.MODEL,
    "model": EntryKind.MODEL,
    "tapthe": EntryKind.COLLECTIVE,
    "tap the": EntryKind.COLLECTIVE,
    "tap the tieu bieu": EntryKind.COLLECTIVE,
    "collective": EntryKind.COLLECTIVE,
    "canhan": EntryKind.PERSON,
    "ca nhan": EntryKind.PERSON,
    "ca nhan tieu bieu": EntryKind.PERSON,
    "person": EntryKind.PERSON,
}


def kind_from_word(words: str) -> EntryKind | None:
    """ "tập thể", "tapthe", "Cá nhân tiêu biểu" -> the kind; None when not a kind."""
    return _KIND_WORDS.get(" ".join(fold(words).split()))


def take_kind(words: Sequence[str]) -> tuple[EntryKind | None, list[str]]:
    """The first kind named among ``words`` (one to three words long) and the other words."""
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            kind = kind_from_word(" ".join(words[i : i + size]))
            if kind is not None:
                return kind, [*words[:i], *words[i + size :]]
    return None, list(words)


# "Không có", "chưa có mô hình", "-", "0", "k": what a reporter writes when there is nothing.
_NOTHING = re.compile(
    r"^(?:khong|ko|k|chua|chua co|khong co|kco|khong co gi|nothing|none|na|n a|0|x)"
    r"(?: (?:mo hinh|dien hinh|gi|noi dung|y kien|phat sinh|moi))*$"
)


def is_trivial(text: str) -> bool:
    """True for a text that says there is nothing to report (no model this week)."""
    t = " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())
    return not t or len(t) < 3 or bool(_NOTHING.match(t))


@dataclass(frozen=True, slots=True)
class EmulationEntry:
    """One entry of the registry (see ``storage/migrations/0008_emulation.sql``)."""

    id: int
    workspace_id: int
    number: int
    org_id: int
    campaign_id: int
    period: Period
    field_key: str
    kind: EntryKind
    title: str
    text: str
    photos: tuple[str, ...]
    source: str  # "report" (the template's field of good models) | "command" (/danhdau)
    marked_by: str
    marked_by_name: str
    marked_at: datetime
    updated_at: datetime
    shortlisted_at: datetime | None = None
    shortlisted_by: str | None = None
    shortlisted_by_name: str = ""
    shortlist_note: str = ""
    removed_at: datetime | None = None
    removed_by: str | None = None

    @property
    def shortlisted(self) -> bool:
        return self.shortlisted_at is not None

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def item(self) -> tuple[int, str, int, str]:
        """The report item it came from: (campaign, period key, unit, field)."""
        return (self.campaign_id, self.period.key, self.org_id, self.field_key)


@dataclass(frozen=True, slots=True)
class ReportItem:
    """A text item of a stored report that can be marked."""

    campaign_id: int
    period: Period
    org: OrgUnit
    field: TemplateField
    text: str
    photos: tuple[str, ...]

    @property
    def key(self) -> tuple[int, str, int, str]:
        return (self.campaign_id, self.period.key, self.org.id, self.field.key)


_MARKABLE = frozenset({NarrativeKind.RESULT, NarrativeKind.MODEL})


def report_items(template: Template, version: SubmissionVersion, org: OrgUnit) -> list[ReportItem]:
    """The text items of one report with real content that tell of results or good models,
    in form order (difficulties, proposals and next tasks are not put forward)."""
    out: list[ReportItem] = []
    for f in template.fields_for(org.code):
        if f.type is not FieldType.TEXT or narrative_kind(f) not in _MARKABLE:
            continue
        value = version.values.get(f.key)
        if not isinstance(value, str) or is_trivial(value):
            continue
        out.append(
            ReportItem(version.campaign_id, version.period, org, f, value.strip(), version.photos)
        )
    return out


def model_items(items: Iterable[ReportItem]) -> list[ReportItem]:
    """The items the reporter wrote in the template's field of good models."""
    return [i for i in items if narrative_kind(i.field) is NarrativeKind.MODEL]


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """What a list or an export holds: a span (by the entry's period), a unit and what lies
    beneath it, a kind, only the shortlist."""

    span: Span | None = None
    scope_ids: frozenset[int] | None = None  # None: every unit
    kind: EntryKind | None = None
    shortlisted_only: bool = False

    def accepts(self, e: EmulationEntry) -> bool:
        if not e.active:
            return False
        if self.span is not None and not self.span.includes(e.period):
            return False
        if self.scope_ids is not None and e.org_id not in self.scope_ids:
            return False
        if self.kind is not None and e.kind is not self.kind:
            return False
        return not (self.shortlisted_only and not e.shortlisted)


_KIND_ORDER = {k: i for i, k in enumerate(EntryKind)}


@dataclass(frozen=True, slots=True)
class Registry:
    """A selection of entries ready to show or export: ordered (see the module docstring),
    with the names of their units and of the scope."""

    title_span: str  # "năm 2026", "quý IV/2026", "từ 01/10/2026 đến 15/11/2026", "" (all)
    scope_name: str | None
    kind: EntryKind | None
    shortlisted_only: bool
    entries: tuple[EmulationEntry, ...]
    unit_names: Mapping[int, str]  # org id -> name shown (parent added when ambiguous)
    marked_names: Mapping[int, str]  # entry number -> who marked, as shown
    unit_order: tuple[int, ...] = ()  # org ids in display order (the tree's)
    # Entry number -> every period of the same item the unit repeated (see ``build``).
    repeats: Mapping[int, tuple[Period, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        entries: Iterable[EmulationEntry],
        flt: EntryFilter,
        *,
        order: Sequence[int],
        unit_names: Mapping[int, str],
        scope_name: str | None = None,
    ) -> Registry:
        """``order`` lists org ids in display order (the tree's)."""
        position = {org_id: i for i, org_id in enumerate(order)}
        # A unit that writes the same good model week after week ("Tủ bánh mì 0 đồng" in
        # five reports) is one model: one line, with the periods it was reported in. The
        # line kept is the shortlisted one, else the first marked.
        groups: dict[tuple[int, EntryKind, str], list[EmulationEntry]] = {}
        for e in entries:
            if flt.accepts(e):
                groups.setdefault((e.org_id, e.kind, _same(e)), []).append(e)
        kept: list[EmulationEntry] = []
        repeats: dict[int, tuple[Period, ...]] = {}
        for group in groups.values():
            group.sort(key=lambda e: (not e.shortlisted, e.number))
            kept.append(group[0])
            if len(group) > 1:
                repeats[group[0].number] = tuple(sorted({e.period for e in group}))
        chosen = sorted(
            kept,
            key=lambda e: (
                _KIND_ORDER[e.kind],
                position.get(e.org_id, len(position)),
                e.period.start,
                e.number,
            ),
        )
        return cls(
            title_span=flt.span.label() if flt.span is not None else "",
            scope_name=scope_name,
            kind=flt.kind,
            shortlisted_only=flt.shortlisted_only,
            entries=tuple(chosen),
            unit_names=dict(unit_names),
            marked_names={e.number: e.marked_by_name or e.marked_by for e in chosen},
            unit_order=tuple(order),
            repeats=repeats,
        )

    def when(self, e: EmulationEntry) -> str:
        """The period of an entry, or of all its repeats ("tuần 12/2026 – tuần 17/2026, 5 kỳ")."""
        periods = self.repeats.get(e.number)
        if not periods:
            return e.period.short_label()
        return f"{periods[0].short_label()} – {periods[-1].short_label()}, {len(periods)} kỳ"

    def first_day(self, e: EmulationEntry) -> date:
        periods = self.repeats.get(e.number)
        return periods[0].start if periods else e.period.start

    def last_day(self, e: EmulationEntry) -> date:
        periods = self.repeats.get(e.number)
        return periods[-1].last_day if periods else e.period.last_day

    def by_kind(self) -> list[tuple[EntryKind, list[EmulationEntry]]]:
        """The parts of the list, each kind that has entries (all three when none has)."""
        parts: list[tuple[EntryKind, list[EmulationEntry]]] = []
        for kind in EntryKind:
            if self.kind is not None and kind is not self.kind:
                continue
            parts.append((kind, [e for e in self.entries if e.kind is kind]))
        return parts

    @property
    def shortlisted(self) -> int:
        return sum(1 for e in self.entries if e.shortlisted)

    def unit(self, e: EmulationEntry) -> str:
        return self.unit_names.get(e.org_id, f"đơn vị {e.org_id}")

    def subject(self) -> str:
        """ "Mô hình hay, điển hình “Dân vận khéo”, tập thể và cá nhân tiêu biểu năm 2026"."""
        what = (
            self.kind.label
            if self.kind is not None
            else "Mô hình hay, điển hình “Dân vận khéo”, tập thể và cá nhân tiêu biểu"
        )
        if self.shortlisted_only:
            what += " được đề nghị khen thưởng"
        parts = [what]
        if self.title_span:
            parts.append(self.title_span)
        if self.scope_name:
            parts.append(f"({self.scope_name})")
        return " ".join(parts)


def _same(e: EmulationEntry) -> str:
    """What makes two entries the same item: their words, without case, accents or signs."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(f"{e.title} {e.text}")).split())
