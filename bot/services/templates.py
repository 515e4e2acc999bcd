"""Loading templates from storage, with a small cache.

Every reply needs the campaign's template; parsing the JSON document and validating it with
pydantic for each message would dominate ingest, so the parsed template is cached per
(workspace, key) and replaced when a new version is saved through this service. One process
owns the database (SQLite), so no other writer can make the cache stale.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.template import Template, TemplateError
from bot.services.ports import Store


class TemplateMissingError(LookupError):
    pass


class TemplateService:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[tuple[int, str], tuple[int, Template]] = {}

    async def get(self, workspace_id: int, key: str) -> Template:
        hit = self._cache.get((workspace_id, key))
        if hit is not None:
            return hit[1]
        record = await self._store.templates.latest(workspace_id, key)
        if record is None:
            raise TemplateMissingError(key)
        template = Template.model_validate_json(record.document)
        self._cache[(workspace_id, key)] = (record.version, template)
        return template

    async def version(self, workspace_id: int, key: str) -> int:
        await self.get(workspace_id, key)
        return self._cache[(workspace_id, key)][0]

    async def save(self, workspace_id: int, template: Template, actor: str, now: datetime) -> int:
        record = await self._store.templates.save(
            workspace_id, template.key, template.to_json(), actor, now
        )
        self._cache[(workspace_id, template.key)] = (record.version, template)
        return record.version


__all__ = ["TemplateError", "TemplateMissingError", "TemplateService"]
