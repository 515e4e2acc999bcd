"""The emulation registry's use cases: entries from reports, marking, the shortlist, the
year-end list and its files. The rules are in ``bot.core.emulation``; the chat commands in
``bot.services.emulation_commands``.

The report stays the source of an entry: when a report is corrected, its entries take the
new words and photos; when the reporter empties the field of good models, the entry that
field made is taken out of the registry (unless a leader has already put it forward for
commendation, which only a leader undoes).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from bot.core.emulation import (
    EmulationEntry,
    EntryFilter,
    EntryKind,
    Registry,
    ReportItem,
    model_items,
    report_items,
)
from bot.core.events import OutDocument
from bot.core.hierarchy import Hierarchy
from bot.core.letterhead import Letterhead
from bot.core.models import Campaign, OrgUnit, SubmissionVersion, Workspace
from bot.core.periods import Period
from bot.core.text import fold
from bot.services.exports.offload import Offload, in_thread
from bot.services.ports import PickedItem, Store
from bot.services.templates import TemplateMissingError, TemplateService

__all__ = ["SYSTEM_ACTOR", "EmulationService", "RegistryFile"]

# Who removes an entry when the reporter empties the field that made it.
SYSTEM_ACTOR = "bot (báo cáo được sửa)"
SOURCE_REPORT = "report"
SOURCE_COMMAND = "command"


class RegistryFile(enum.StrEnum):
    WORD = "word"
    EXCEL = "excel"

    @property
    def label(self) -> str:
        return {RegistryFile.WORD: "Danh sách Word", RegistryFile.EXCEL: "Bảng tính Excel"}[self]


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in fold(text))
    return "-".join(p for p in out.split("-") if p)


class EmulationService:
    def __init__(
        self, store: Store, templates: TemplateService, *, offload: Offload = in_thread
    ) -> None:
        self._store = store
        self._templates = templates
        # Where the Word and Excel lists are made: the roll-ups' choice (a child process in
        # the running bot, see bot/services/exports/offload.py).
        self._offload = offload

    async def hierarchy(self, workspace_id: int) -> Hierarchy:
        return Hierarchy(await self._store.orgs.all(workspace_id, include_inactive=True))

    async def _items_of(
        self, campaign: Campaign, version: SubmissionVersion, org: OrgUnit
    ) -> list[ReportItem]:
        try:
            template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        except TemplateMissingError:
            return []
        return report_items(template, version, org)

    # -- entries made and kept in step by reports -----------------------------------------
    async def on_report_saved(
        self,
        campaign: Campaign,
        version: SubmissionVersion,
        org: OrgUnit,
        *,
        actor: str,
        actor_name: str,
        now: datetime,
    ) -> list[EmulationEntry]:
        """Keeps the registry in step with a report just saved; returns the entries the
        report's field of good models added (for the reporter's confirmation)."""
        items = await self._items_of(campaign, version, org)
        if not items and version.version == 1:
            # A unit's first report of the period, with no item to put forward (most weekly
            # reports): nothing to add, and nothing of this report to take out or update,
            # since entries made from reports come from its earlier versions (reports are
            # never deleted but with their workspace). Spares a read on every first report.
            return []
        by_field = {i.field.key: i for i in items}
        existing = await self._store.emulation.for_report(campaign.id, version.period.key, org.id)
        for e in existing:
            if not e.active:
                continue
            item = by_field.get(e.field_key)
            if item is None:
                if e.source == SOURCE_REPORT and not e.shortlisted:
                    await self._store.emulation.remove(e.id, SYSTEM_ACTOR, now)
                continue
            if item.text != e.text or item.photos != e.photos:
                await self._store.emulation.update_content(e.id, item.text, item.photos, now)
        added: list[EmulationEntry] = []
        for item in model_items(items):
            known = [
                e for e in existing if e.field_key == item.field.key and e.kind is EntryKind.MODEL
            ]
            if any(e.active for e in known):
                continue
            if any(e.text == item.text for e in known):
                continue  # taken out of the registry by someone: the same words stay out
            added.append(
                await self._store.emulation.add(
                    workspace_id=campaign.workspace_id,
                    org_id=org.id,
                    campaign_id=campaign.id,
                    period_key=version.period.key,
                    field_key=item.field.key,
                    kind=EntryKind.MODEL,
                    title="",
                    text=item.text,
                    photos=item.photos,
                    source=SOURCE_REPORT,
                    marked_by=actor,
                    marked_by_name=actor_name,
                    now=now,
                )
            )
        return added

    async def register_reports(
        self, campaign: Campaign, first: Period, last: Period, now: datetime
    ) -> int:
        """Brings the registry in step with reports stored without the dialog (a data
        import, the province demo's simulated year): as if each had just been saved by its
        reporter. Returns the number of entries added."""
        versions = await self._store.submissions.current_in_range(campaign.id, first, last)
        tree = await self.hierarchy(campaign.workspace_id)
        added = 0
        for v in versions:
            org = tree.get(v.org_id)
            if org is None:
                continue
            made = await self.on_report_saved(
                campaign, v, org, actor=f"{v.channel}:{v.user_id}", actor_name="", now=now
            )
            added += len(made)
        return added

    # -- the numbered list of items and marking --------------------------------------------
    async def items(
        self, campaign: Campaign, period: Period, scope: frozenset[int] | None
    ) -> list[ReportItem]:
        """The markable items of a period's reports in the units of ``scope`` (None: all),
        in the tree's order then form order."""
        versions = await self._store.submissions.current(campaign.id, period)
        tree = await self.hierarchy(campaign.workspace_id)
        out: list[ReportItem] = []
        orgs = {v.org_id: tree.get(v.org_id) for v in versions}
        ordered = tree.ordered([o for o in orgs.values() if o is not None])
        by_org = {v.org_id: v for v in versions}
        for org in ordered:
            if scope is not None and org.id not in scope:
                continue
            out.extend(await self._items_of(campaign, by_org[org.id], org))
        return out

    async def entries_by_item(
        self, items: Iterable[ReportItem]
    ) -> dict[tuple[int, str, int, str], list[EmulationEntry]]:
        out: dict[tuple[int, str, int, str], list[EmulationEntry]] = {}
        seen: set[tuple[int, str, int]] = set()
        for item in items:
            report = (item.campaign_id, item.period.key, item.org.id)
            if report in seen:
                continue
            seen.add(report)
            for e in await self._store.emulation.for_report(*report):
                if e.active:
                    out.setdefault(e.item, []).append(e)
        return out

    async def remember(
        self, channel: str, chat_id: str, user_id: str, items: Sequence[ReportItem], now: datetime
    ) -> None:
        picked: list[PickedItem] = [i.key for i in items]
        await self._store.emulation.save_pick(channel, chat_id, user_id, picked, now)

    async def picked(
        self, channel: str, chat_id: str, user_id: str, number: int
    ) -> tuple[ReportItem | None, int | None]:
        """The item numbered ``number`` in the list last shown to this person in this chat,
        with the list's length (None: no list was shown). The item is None when the number
        is outside the list or the report no longer holds it (it was corrected)."""
        picks = await self._store.emulation.pick(channel, chat_id, user_id)
        if picks is None:
            return None, None
        if not 1 <= number <= len(picks):
            return None, len(picks)
        campaign_id, period_key, org_id, field_key = picks[number - 1]
        campaign = await self._store.campaigns.get(campaign_id)
        org = await self._store.orgs.get(org_id)
        if campaign is None or org is None:
            return None, len(picks)
        period = Period.from_key(period_key)
        version = await self._store.submissions.current_for_org(campaign_id, period, org_id)
        if version is None:
            return None, len(picks)
        for item in await self._items_of(campaign, version, org):
            if item.field.key == field_key:
                return item, len(picks)
        return None, len(picks)

    async def mark(
        self,
        workspace_id: int,
        item: ReportItem,
        kind: EntryKind,
        *,
        title: str,
        photos: Sequence[str],
        actor: str,
        actor_name: str,
        now: datetime,
    ) -> tuple[EmulationEntry, bool]:
        """The entry for ``item`` as ``kind`` (made now, or the one already there: then
        True, and a new title or photos are added to it)."""
        existing = await self._store.emulation.for_report(
            item.campaign_id, item.period.key, item.org.id
        )
        for e in existing:
            if e.active and e.field_key == item.field.key and e.kind is kind:
                if title and title != e.title:
                    e = await self._store.emulation.set_title(e.id, title, now)
                if photos:
                    merged = [*e.photos, *(p for p in photos if p not in e.photos)]
                    e = await self._store.emulation.update_content(e.id, e.text, merged, now)
                return e, True
        entry = await self._store.emulation.add(
            workspace_id=workspace_id,
            org_id=item.org.id,
            campaign_id=item.campaign_id,
            period_key=item.period.key,
            field_key=item.field.key,
            kind=kind,
            title=title,
            text=item.text,
            photos=[*item.photos, *(p for p in photos if p not in item.photos)],
            source=SOURCE_COMMAND,
            marked_by=actor,
            marked_by_name=actor_name,
            now=now,
        )
        return entry, False

    # -- the list and its files -------------------------------------------------------------
    async def registry(
        self, workspace_id: int, flt: EntryFilter, *, scope_name: str | None = None
    ) -> Registry:
        first: date | None = None
        end: date | None = None
        if flt.span is not None:
            # A week belongs to the span holding its Thursday: it may start 3 days before.
            first, end = flt.span.start - timedelta(days=6), flt.span.end
        entries = await self._store.emulation.in_range(workspace_id, first, end)
        tree = await self.hierarchy(workspace_id)
        order = [o.id for o in tree.ordered(list(tree_orgs(tree, entries)))]
        names = {o.id: tree.full_name(o) for o in tree_orgs(tree, entries)}
        return Registry.build(entries, flt, order=order, unit_names=names, scope_name=scope_name)

    async def file(
        self,
        kind: RegistryFile,
        reg: Registry,
        workspace: Workspace,
        letterhead: Letterhead,
        *,
        issued_on: date,
        tz: str,
    ) -> OutDocument:
        """The list as a Word document or an Excel workbook, made where the roll-ups' files
        are (a worker thread, or a child process in the running bot)."""
        stem = "danh-sach-dien-hinh" if not reg.shortlisted_only else "de-nghi-khen-thuong"
        parts = [stem]
        if reg.title_span:
            parts.append(_slug(reg.title_span))
        if reg.scope_name:
            parts.append(_slug(reg.scope_name))
        if kind is RegistryFile.EXCEL:
            from bot.services.exports.emulation import registry_workbook

            data = await self._offload(registry_workbook, reg, workspace_name=workspace.name, tz=tz)
            return OutDocument(f"{'-'.join(parts)}.xlsx", data)
        from bot.services.exports.emulation import registry_document

        data = await self._offload(
            registry_document,
            reg,
            letterhead,
            issued_on=issued_on,
            workspace_name=workspace.name,
            tz=tz,
        )
        return OutDocument(f"{'-'.join(parts)}.docx", data)


def tree_orgs(tree: Hierarchy, entries: Iterable[EmulationEntry]) -> list[OrgUnit]:
    out: dict[int, OrgUnit] = {}
    for e in entries:
        org = tree.get(e.org_id)
        if org is not None:
            out[org.id] = org
    return list(out.values())
