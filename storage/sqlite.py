"""The SQLite ``Store``: the repositories of ``storage.repositories`` over one ``Database``.

Usage::

    store = await open_store("data/bot.db")      # creates the file, runs migrations
    try:
        async with store.transaction():          # optional: group writes atomically
            if await store.cycle.mark(campaign.id, period, CycleStep.OPEN, 0, now):
                await store.outbox.enqueue(...)
    finally:
        await store.close()
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from bot.services.ports import (
    AuditRepo,
    CalendarRepo,
    CampaignRepo,
    ChatRepo,
    ConversationRepo,
    CycleRepo,
    DirectiveRepo,
    EmulationRepo,
    InboundLog,
    IndicatorValueRepo,
    InviteRepo,
    MemberRepo,
    OrgRepo,
    OutboxRepo,
    PrivacyRepo,
    SettingsRepo,
    SubmissionRepo,
    TemplateRepo,
    TotalsRepo,
    UsageRepo,
    WorkspaceRepo,
)
from storage.db import Database, RowCache, Transaction, open_database
from storage.directives import SqliteDirectiveRepo
from storage.emulation import SqliteEmulationRepo
from storage.privacy import SqlitePrivacyRepo
from storage.repositories import (
    SqliteAuditRepo,
    SqliteCalendarRepo,
    SqliteCampaignRepo,
    SqliteChatRepo,
    SqliteConversationRepo,
    SqliteCycleRepo,
    SqliteInboundLog,
    SqliteIndicatorValueRepo,
    SqliteInviteRepo,
    SqliteMemberRepo,
    SqliteOrgRepo,
    SqliteOutboxRepo,
    SqliteSettingsRepo,
    SqliteSubmissionRepo,
    SqliteTemplateRepo,
    SqliteTotalsRepo,
    SqliteUsageRepo,
    SqliteWorkspaceRepo,
)


class SqliteStore:
    """Implements ``bot.services.ports.Store``.

    The attributes are typed as the port protocols (the ``Store`` protocol declares them
    as plain, hence invariant, attributes). ``inbound_log`` and ``outbox_repo`` give the
    concrete classes for their extra maintenance methods.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.inbound_log = SqliteInboundLog(db)
        self.outbox_repo = SqliteOutboxRepo(db)
        self.workspaces: WorkspaceRepo = SqliteWorkspaceRepo(db)
        orgs, members = SqliteOrgRepo(db), SqliteMemberRepo(db)
        self.orgs: OrgRepo = orgs
        self.members: MemberRepo = members
        self.invites: InviteRepo = SqliteInviteRepo(db)
        self.chats: ChatRepo = SqliteChatRepo(db)
        self.templates: TemplateRepo = SqliteTemplateRepo(db)
        self.campaigns: CampaignRepo = SqliteCampaignRepo(db)
        self.cycle: CycleRepo = SqliteCycleRepo(db)
        self.submissions: SubmissionRepo = SqliteSubmissionRepo(db)
        self.audit: AuditRepo = SqliteAuditRepo(db)
        self.outbox: OutboxRepo = self.outbox_repo
        conversations = SqliteConversationRepo(db)
        self.conversations: ConversationRepo = conversations
        self._warm = (members.warm, orgs.warm, conversations.warm)
        self._org_repo = orgs
        self.inbound: InboundLog = self.inbound_log
        self.calendar: CalendarRepo = SqliteCalendarRepo(db)
        self.usage: UsageRepo = SqliteUsageRepo(db)
        self.totals: TotalsRepo = SqliteTotalsRepo(db)
        self.settings: SettingsRepo = SqliteSettingsRepo(db)
        self.emulation: EmulationRepo = SqliteEmulationRepo(db)
        self.directives: DirectiveRepo = SqliteDirectiveRepo(db)
        self.indicator_values: IndicatorValueRepo = SqliteIndicatorValueRepo(db)
        self.privacy: PrivacyRepo = SqlitePrivacyRepo(db, self._drop_caches)

    async def warm(self) -> None:
        """Reads at once what every reply reads a piece of: memberships, units, and which
        dialogs are in progress (the bot calls it when it starts, before serving)."""
        for warm in self._warm:
            await warm()

    def _drop_caches(self) -> None:
        """Forgets every repository's cached rows (after writes past the repositories:
        the deletion of a workspace)."""
        self._org_repo.forget()
        for repo in vars(self).values():
            for value in vars(repo).values() if hasattr(repo, "__dict__") else ():
                if isinstance(value, RowCache):
                    value.drop()

    def transaction(self, alone: bool = False) -> Transaction:
        """Everything awaited inside commits together or not at all (see storage.db)."""
        return self.db.transaction(alone)

    def after_commit(self, fn: Callable[[], None]) -> None:
        self.db.after_commit(fn)

    async def close(self) -> None:
        await self.db.close()

    async def __aenter__(self) -> SqliteStore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def open_store(path: str | Path) -> SqliteStore:
    """Opens the database file (creating it and its directory), migrates, returns a store."""
    return SqliteStore(await open_database(path))
