"""Personal-data commands (Decree 13/2023/ND-CP; docs/du-lieu-ca-nhan.md, section 6):
``/dulieucuatoi`` (what the bot stores about me, with a JSON file of my own rows),
``/roikhoi`` (unbind myself from a workspace after a confirmation), ``/xuatdulieu`` (an
admin receives the workspace's full data as JSON) and ``/xoakhonggian`` (a bot owner or the
workspace's admin deletes it and everything in it after typing its name again, a backup
taken first). A mixin of the dialog
engine, like ``report_commands``; the engine hands the two confirmation dialogs here
(``PRIVACY_KINDS``).

Files go only to private chats (they hold personal data) and never on Zalo, whose bot
cannot send files (``NO_FILE_CHANNELS``): there the reason is said plainly.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core import messages_privacy as pmsg
from bot.core.events import Choice, OutboundMessage, OutDocument
from bot.core.models import Role
from bot.core.periods import Period, PeriodError
from bot.core.text import fold
from bot.core.vnformat import format_date, format_datetime
from bot.services.reports import NO_FILE_CHANNELS

if TYPE_CHECKING:
    from bot.core.events import InboundMessage
    from bot.core.models import ConversationState, Workspace
    from bot.services.dialog import Ctx, EngineConfig
    from bot.services.ports import Store

log = logging.getLogger(__name__)

# Dialog state kinds handled here.
LEAVE = "leave"
DELETE_WORKSPACE = "delete_workspace"
PRIVACY_KINDS = frozenset({LEAVE, DELETE_WORKSPACE})
_OK, _CANCEL = "ok", "cancel"
# File names of /xuatdulieu: the prefix, then the workspace's number (bot.app keeps the
# newest per workspace on the server).
EXPORT_PREFIX = "du-lieu-khong-gian-"
# The user id of report versions whose sender left (/roikhoi); never a platform's id.
PSEUDONYM_PREFIX = "da-roi-"  # the engine's choice data (bot.services.dialog.OK, CANCEL)


class PrivacyCommandsMixin:
    if TYPE_CHECKING:
        _store: Store
        _config: EngineConfig

        async def _save_state(self, ctx: Ctx, kind: str, data: dict[str, Any]) -> None: ...
        async def _clear_state(self, ctx: Ctx) -> None: ...
        async def _audit(self, ctx: Ctx, action: str, detail: str) -> None: ...

    # -- /dulieucuatoi ------------------------------------------------------------------
    async def _cmd_dulieucuatoi(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        if ctx.chat.is_group:
            return ctx.reply(pmsg.PRIVATE_ONLY.format(cmd="dulieucuatoi"))
        channel, user_id = ctx.sender.channel, ctx.sender.user_id
        zone = ZoneInfo(self._config.timezone)
        members = await self._store.members.for_user(channel, user_id)
        lines: list[str] = []
        member_rows: list[dict[str, Any]] = []
        for m in members:
            ws = await self._store.workspaces.get(m.workspace_id)
            org = await self._store.orgs.get(m.org_id) if m.org_id else None
            ws_name = ws.name if ws else str(m.workspace_id)
            org_text = f"{org.display_name} – " if org else ""
            since = format_date(m.created_at.astimezone(zone))
            lines.append(
                f"{ws_name}: {org_text}{msg.ROLE_LABELS[m.role.value]} (từ {since}),"
                f" tên hiển thị “{m.display_name}”"
            )
            member_rows.append(
                {
                    "không_gian_báo_cáo": ws_name,
                    "đơn_vị": org.name if org else None,
                    "mã_đơn_vị": org.code if org else None,
                    "vai_trò": msg.ROLE_LABELS[m.role.value],
                    "tên_hiển_thị": m.display_name,
                    "tham_gia_lúc": m.created_at.isoformat(),
                }
            )
        versions = await self._store.privacy.versions_by_user(channel, user_id)
        if versions:
            first = format_datetime(
                datetime.fromisoformat(versions[0]["submitted_at"]).astimezone(zone)
            )
            last = format_datetime(
                datetime.fromisoformat(versions[-1]["submitted_at"]).astimezone(zone)
            )
        else:
            first = last = ""
        periods = {(v["workspace_id"], v["campaign"], v["period"], v["org_code"]) for v in versions}
        states = await self._store.privacy.states_for_user(channel, user_id)
        pending = (
            ", ".join(pmsg.PENDING_KINDS.get(s.kind, s.kind) for s in states) + "."
            if states
            else pmsg.PENDING_NONE
        )
        text = pmsg.my_data(
            ctx.sender.display_name,
            channel,
            user_id,
            lines,
            pmsg.reports_summary(len(versions), len(periods), first, last),
            pending,
            self._config.raw_text_days,
        )
        if channel in NO_FILE_CHANNELS:
            return ctx.reply(text + "\n" + pmsg.NO_FILES_ZALO.format(cmd="dulieucuatoi"))
        document = {
            "người_dùng": {
                "kênh": channel,
                "mã_người_dùng": user_id,
                "tên_hiển_thị": ctx.sender.display_name,
            },
            "trích_xuất_lúc": ctx.now.isoformat(),
            "tham_gia": member_rows,
            "báo_cáo_đã_gửi": [_version_row(v) for v in versions],
            "thao_tác_đang_làm_dở": [
                {"loại": pmsg.PENDING_KINDS.get(s.kind, s.kind), "từ_lúc": s.updated_at.isoformat()}
                for s in states
            ],
        }
        doc = OutDocument(
            f"du-lieu-cua-toi-{_slug(user_id)}.json", _json(document), pmsg.MY_DATA_FILE_CAPTION
        )
        return [*ctx.reply(text), replace(ctx.reply(doc.caption)[0], document=doc)]

    # -- /roikhoi -----------------------------------------------------------------------
    async def _cmd_roikhoi(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        member, ws = ctx.member, ctx.workspace
        if member is None or ws is None:
            return ctx.reply(msg.UNKNOWN_USER)
        if await self._last_admin(member.workspace_id, member.id, member.role):
            return ctx.reply(pmsg.LAST_ADMIN.format(name=ws.name))
        org = await self._store.orgs.get(member.org_id) if member.org_id else None
        where = (
            f"{org.display_name}, {msg.ROLE_LABELS[member.role.value]}"
            if org
            else msg.ROLE_LABELS[member.role.value]
        )
        choices = [Choice(msg.CHOICE_CONFIRM, _OK), Choice(msg.CHOICE_CANCEL, _CANCEL)]
        await self._save_state(
            ctx,
            LEAVE,
            {
                "workspace_id": ws.id,
                "member_id": member.id,
                "choices": [[c.label, c.data] for c in choices],
            },
        )
        return ctx.reply(pmsg.LEAVE_CONFIRM.format(name=ws.name, where=where), choices)

    async def _last_admin(self, workspace_id: int, member_id: int, role: Role) -> bool:
        if role is not Role.ADMIN:
            return False
        admins = [m for m in await self._store.members.all(workspace_id) if m.role is Role.ADMIN]
        return [m.id for m in admins] == [member_id]

    async def _leave(self, ctx: Ctx, state: ConversationState) -> list[OutboundMessage]:
        await self._clear_state(ctx)
        ws = await self._store.workspaces.get(int(str(state.data.get("workspace_id"))))
        if ws is None:
            return ctx.reply(pmsg.DELETE_GONE)
        member = await self._store.members.get(ws.id, ctx.sender.channel, ctx.sender.user_id)
        if member is None or member.id != state.data.get("member_id"):
            return ctx.reply(pmsg.ALREADY_LEFT)
        if await self._last_admin(ws.id, member.id, member.role):
            return ctx.reply(pmsg.LAST_ADMIN.format(name=ws.name))
        await self._store.members.remove(member.id)
        # The reports stay (the unit's official records) but no longer point at the person:
        # a random pseudonym, the same for all their versions here, not derived from the id.
        pseudonym = f"{PSEUDONYM_PREFIX}{secrets.token_hex(4)}"
        kept = await self._store.privacy.pseudonymize_versions(
            ws.id, member.channel, member.user_id, pseudonym
        )
        ctx.workspace = ws
        await self._audit(ctx, "leave", f"{member.channel}:{member.user_id}")
        return ctx.reply(pmsg.left(ws.name, kept))

    # -- /xuatdulieu --------------------------------------------------------------------
    async def _cmd_xuatdulieu(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        ws = ctx.workspace
        if ws is None:
            return ctx.reply(msg.NO_WORKSPACE)
        if ctx.chat.is_group:
            return ctx.reply(pmsg.PRIVATE_ONLY.format(cmd="xuatdulieu"))
        on_server = ctx.chat.channel in NO_FILE_CHANNELS
        if on_server and self._config.save_export is None:
            return ctx.reply(pmsg.NO_FILES_ZALO.format(cmd="xuatdulieu"))
        tables = await self._store.privacy.export_workspace(ws.id)
        document = {
            "không_gian_báo_cáo": ws.name,
            "trích_xuất_lúc": ctx.now.isoformat(),
            "ghi_chú": (
                "Mỗi bảng là các dòng của cơ sở dữ liệu như đang lưu; thời gian theo giờ UTC;"
                " values_json, schedule_json, photos_json là tài liệu JSON dạng văn bản."
            ),
            "bảng": tables,
        }
        day = ctx.now.astimezone(ZoneInfo(self._config.timezone))
        name = f"{EXPORT_PREFIX}{ws.id}-{day:%Y%m%d-%H%M%S}.json"
        if on_server and self._config.save_export is not None:
            # Zalo cannot send files: the file stays on the server for the operator.
            path = await self._config.save_export(name, _json(document))
            await self._audit(ctx, "export_data", f"{ws.name} → {path}")
            return ctx.reply(pmsg.EXPORT_SAVED.format(name=ws.name, path=path))
        await self._audit(ctx, "export_data", ws.name)
        doc = OutDocument(name, _json(document), pmsg.EXPORT_CAPTION.format(name=ws.name))
        return [replace(ctx.reply(doc.caption)[0], document=doc)]

    # -- /xoakhonggian ------------------------------------------------------------------
    async def _may_delete(self, ctx: Ctx, workspace_id: int) -> bool:
        """A bot owner, or an admin of that very workspace (an admin elsewhere is nobody
        here: admins of one workspace cannot touch another)."""
        if ctx.is_owner:
            return True
        member = await self._store.members.get(workspace_id, ctx.sender.channel, ctx.sender.user_id)
        return member is not None and member.role is Role.ADMIN

    async def _cmd_xoakhonggian(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        ws: Workspace | None = None
        word = args.strip().split()[0] if args.strip() else ""
        if word.isdigit():
            ws = await self._store.workspaces.get(int(word))
            # The same answer for a number that does not exist and one that is not theirs:
            # an admin learns nothing about other workspaces.
            if ws is None or not await self._may_delete(ctx, ws.id):
                text = pmsg.DELETE_NOT_FOUND if ctx.is_owner else pmsg.DELETE_NOT_YOURS
                return ctx.reply(text.format(number=word[:12]))
        else:
            ws = ctx.workspace
        if ws is None:
            spaces = await self._store.workspaces.all()
            if not spaces:
                return ctx.reply(pmsg.DELETE_NO_WORKSPACES)
            items = "\n".join(f"{w.id}. {w.name}" for w in spaces)
            return ctx.reply(pmsg.DELETE_CHOOSE.format(items=items))
        if not await self._may_delete(ctx, ws.id):
            return ctx.reply(msg.NEED_ADMIN)
        orgs = await self._store.orgs.all(ws.id, include_inactive=True)
        members = await self._store.members.all(ws.id)
        tables = await self._store.privacy.export_workspace(ws.id)
        choices = [Choice(msg.CHOICE_CANCEL, _CANCEL)]
        await self._save_state(
            ctx,
            DELETE_WORKSPACE,
            {
                "workspace_id": ws.id,
                "name": ws.name,
                "choices": [[c.label, c.data] for c in choices],
            },
        )
        return ctx.reply(
            pmsg.DELETE_CONFIRM.format(
                name=ws.name,
                orgs=len(orgs),
                members=len(members),
                reports=len(tables.get("submission_versions", [])),
                backup=pmsg.DELETE_BACKUP_NOTE if self._config.backup_before_delete else "",
            ),
            choices,
        )

    async def _delete_workspace(
        self, ctx: Ctx, state: ConversationState, text: str
    ) -> list[OutboundMessage]:
        await self._clear_state(ctx)
        name = str(state.data.get("name", ""))
        if " ".join(fold(text).split()) != " ".join(fold(name).split()):
            return ctx.reply(pmsg.DELETE_WRONG_NAME.format(name=name))
        ws = await self._store.workspaces.get(int(str(state.data.get("workspace_id"))))
        if ws is None:
            return ctx.reply(pmsg.DELETE_GONE)
        if not await self._may_delete(ctx, ws.id):  # demoted since the question
            return ctx.reply(msg.NEED_ADMIN)
        backup = ""
        if self._config.backup_before_delete is not None:
            # Taken inside this event's transaction, before any row goes: the backup reads
            # the last committed state (WAL), which is the workspace as it was asked about.
            try:
                backup = await self._config.backup_before_delete(ctx.now)
            except Exception:
                log.exception("backup before deleting workspace %s failed", ws.id)
                return ctx.reply(pmsg.DELETE_BACKUP_FAILED.format(name=ws.name))
        counts = await self._store.privacy.delete_workspace(ws.id)
        # The audit table went with the workspace: the deletion is recorded in the log.
        log.warning(
            "workspace %s (%s) deleted by %s%s: %s",
            ws.id,
            ws.name,
            ctx.actor,
            f", backup {backup} taken before" if backup else "",
            ", ".join(f"{t}={n}" for t, n in sorted(counts.items())),
        )
        text = pmsg.DELETED.format(
            name=ws.name,
            reports=counts.get("submission_versions", 0),
            members=counts.get("members", 0),
            chats=counts.get("chat_bindings", 0),
        )
        if backup:
            text += "\n" + pmsg.DELETED_BACKUP.format(file=backup)
        return ctx.reply(text)

    # -- the engine hands the confirmations of these commands here ----------------------
    async def _privacy_choice(
        self, ctx: Ctx, state: ConversationState, data: str
    ) -> list[OutboundMessage]:
        if state.kind == LEAVE and data == _OK:
            return await self._leave(ctx, state)
        await self._clear_state(ctx)
        return ctx.reply(msg.PENDING_EXPIRED)

    async def _privacy_text(
        self, ctx: Ctx, state: ConversationState, text: str
    ) -> list[OutboundMessage]:
        if state.kind == DELETE_WORKSPACE:
            return await self._delete_workspace(ctx, state, text)
        # /roikhoi awaits a choice: anything else repeats the question.
        raw = state.data.get("choices")
        offered = [Choice(str(c[0]), str(c[1])) for c in raw] if isinstance(raw, list) else []
        return ctx.reply(msg.choose_number(len(offered)), offered)


def _version_row(v: dict[str, Any]) -> dict[str, Any]:
    try:
        period = Period.from_key(str(v["period"])).label()
    except (PeriodError, ValueError):
        period = str(v["period"])
    return {
        "không_gian_báo_cáo": v["workspace"],
        "đợt_báo_cáo": v["campaign"],
        "kỳ": period,
        "đơn_vị": v["org_name"],
        "mã_đơn_vị": v["org_code"],
        "lần_gửi": v["version"],
        "gửi_lúc": v["submitted_at"],
        "muộn": v["late"],
        "số_liệu": v["values"],
        "ảnh": v["photos"],
        "nội_dung_gốc": v["raw_text"],
    }


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)[:40] or "nguoi-dung"
