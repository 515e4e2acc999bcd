"""The tree of organization units: a province, its communes, the Front and the five
organizations in each.

A workspace's units form a forest through ``OrgUnit.parent_id``. Units that report
(``reports``) are the leaves people fill forms for; units that only group others (a
province, a commune: ``reports`` false) are prompted for nothing and counted missing for
nothing: their digests, roll-ups and completeness cover the reporting units beneath them.
A reporting unit may also have children (a provincial Front whose district Fronts report to
it): its own report and theirs all count for it.

Display order is the tree's: roots in ``sort_order``/id order, each followed by its
children in the same order, depth first. For a workspace without parents this is exactly
the flat order organizations were added in, so nothing changes for a single-level group.

The tree is built once per request from the units read in one query; it tolerates data a
careless edit could leave behind (a parent in another workspace, a cycle): such a unit is
treated as a root rather than lost or looped over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.models import OrgUnit

__all__ = ["Hierarchy", "LevelNode"]


@dataclass(frozen=True, slots=True)
class LevelNode:
    """A unit with its depth in the tree (0 for a root), for indented listings."""

    org: OrgUnit
    depth: int


def _order(o: OrgUnit) -> tuple[int, int]:
    return (o.sort_order, o.id)


class Hierarchy:
    """Read-only view of a workspace's units as a tree (see the module docstring)."""

    def __init__(self, orgs: Iterable[OrgUnit], *, stopped_since: datetime | None = None) -> None:
        """``stopped_since``: for the periods due from then on (a digest's week, a
        roll-up's span), a unit stopped at or after it still counts as active (its own
        latest stop, still open, began then or later): those periods, due before it
        stopped, expect it (``OrgUnit.expected_by`` tells which). Without it, or for a unit
        whose stop has no date (stopped before stops were recorded), a stopped unit does
        not count, as for anything about the present (prompts, listings, directives)."""
        self._by_id: dict[int, OrgUnit] = {o.id: o for o in orgs}
        self._stopped_since = stopped_since
        # Each unit's own stops, before those of the levels above are merged in.
        self._own_stops = {oid: o.stops for oid, o in self._by_id.items()}
        children: dict[int | None, list[OrgUnit]] = {}
        # The parent each unit really hangs from (None for a root, a unit whose parent is
        # unknown, or one caught in a cycle): every walk up the tree follows this map.
        self._parent: dict[int, int | None] = {}
        for org in self._by_id.values():
            parent = org.parent_id if org.parent_id in self._by_id else None
            if parent is not None and self._loops(org):
                parent = None
            self._parent[org.id] = parent
        if any(o.stops for o in self._by_id.values()):
            self._inherit_stops()
        for org in self._by_id.values():
            children.setdefault(self._parent[org.id], []).append(org)
        for kids in children.values():
            kids.sort(key=_order)
        self._children = children
        self._order: list[LevelNode] = []
        self._walk(None, 0)
        self._position = {n.org.id: i for i, n in enumerate(self._order)}
        # Whether each unit and every unit above it are active (``_active``), worked out
        # once per unit: a national tree asks it for 20,000 units several times a roll-up.
        self._active_memo: dict[int, bool] = {}
        self._name_count: dict[str, int] = {}
        for o in self._by_id.values():
            self._name_count[o.display_name] = self._name_count.get(o.display_name, 0) + 1

    def _loops(self, org: OrgUnit) -> bool:
        seen = {org.id}
        cur = org.parent_id
        while cur is not None and cur in self._by_id:
            if cur in seen:
                return True
            seen.add(cur)
            cur = self._by_id[cur].parent_id
        return False

    def _inherit_stops(self) -> None:
        """Each unit carries the stops of the levels above it too (``OrgUnit.stops``): a
        commune stopped in March and reopened in May stops expecting its units' reports for
        those months, as it stopped following them. Only when some unit was ever stopped."""
        own = {oid: o.stops for oid, o in self._by_id.items()}
        for oid, org in list(self._by_id.items()):
            above: list[tuple[datetime, datetime | None]] = []
            cur = self._parent[oid]
            while cur is not None:
                above.extend(own[cur])
                cur = self._parent[cur]
            if above:
                merged = sorted({*org.stops, *above}, key=lambda s: s[0])
                self._by_id[oid] = replace(org, stops=tuple(merged))

    def _walk(self, parent: int | None, depth: int) -> None:
        # Iterative: a deep chain of units must not hit the recursion limit.
        stack: list[tuple[OrgUnit, int]] = [
            (o, depth) for o in reversed(self._children.get(parent, []))
        ]
        while stack:
            org, d = stack.pop()
            self._order.append(LevelNode(org, d))
            stack.extend((c, d + 1) for c in reversed(self._children.get(org.id, [])))

    # -- lookups -----------------------------------------------------------------------
    def get(self, org_id: int) -> OrgUnit | None:
        return self._by_id.get(org_id)

    def __contains__(self, org_id: object) -> bool:
        return org_id in self._by_id

    @property
    def has_levels(self) -> bool:
        """Whether any unit sits under another (a multi-level workspace)."""
        return any(n.depth > 0 for n in self._order)

    def nodes(
        self, scope_id: int | None = None, *, include_inactive: bool = False
    ) -> list[LevelNode]:
        """The units of ``scope_id``'s subtree (itself first; every unit for None), in
        display order, with depths relative to the scope."""
        if scope_id is None:
            nodes = self._order
            base = 0
        else:
            start = self._position.get(scope_id)
            if start is None:
                return []
            base = self._order[start].depth
            end = start + 1
            while end < len(self._order) and self._order[end].depth > base:
                end += 1
            nodes = self._order[start:end]
        return [
            LevelNode(n.org, n.depth - base)
            for n in nodes
            if include_inactive or self._active(n.org)
        ]

    def _active(self, org: OrgUnit) -> bool:
        """A unit counts when it and every unit above it are active: stopping a commune
        stops following all its organizations."""
        known = self._active_memo.get(org.id)
        if known is None:
            known = self._active_memo[org.id] = all(
                o.active or self._stopped_lately(o.id) for o in self.path(org.id)
            )
        return known

    def _stopped_lately(self, org_id: int) -> bool:
        """Stopped at or after ``stopped_since`` (and not reopened since)."""
        since = self._stopped_since
        if since is None:
            return False
        stops = self._own_stops.get(org_id, ())
        if not stops:
            return False
        began, ended = max(stops, key=lambda s: s[0])
        return ended is None and began >= since

    def children(self, org_id: int | None) -> list[OrgUnit]:
        return [o for o in self._children.get(org_id, []) if self._active(o)]

    def reporting(self, scope_id: int | None = None) -> list[OrgUnit]:
        """The active reporting units of the subtree, in display order."""
        return [n.org for n in self.nodes(scope_id) if n.org.reports]

    def groups(self, scope_id: int | None = None) -> list[LevelNode]:
        """The units of the subtree that have active units under them (the levels that get
        a completeness line of their own), in display order."""
        return [n for n in self.nodes(scope_id) if self.children(n.org.id)]

    def path(self, org_id: int) -> list[OrgUnit]:
        """From the root down to ``org_id`` (inclusive)."""
        out: list[OrgUnit] = []
        cur: int | None = org_id if org_id in self._by_id else None
        while cur is not None:
            out.append(self._by_id[cur])
            cur = self._parent.get(cur)
        return out[::-1]

    def covers(self, scope_id: int, org_id: int) -> bool:
        """Whether ``org_id`` is ``scope_id`` or lies beneath it."""
        return any(o.id == scope_id for o in self.path(org_id))

    def parent_of(self, org_id: int) -> OrgUnit | None:
        parent = self._parent.get(org_id)
        return None if parent is None else self._by_id[parent]

    def ordered(self, orgs: Sequence[OrgUnit]) -> list[OrgUnit]:
        """``orgs`` in display order (unknown units last, by id)."""
        big = len(self._order)
        return sorted(orgs, key=lambda o: (self._position.get(o.id, big), o.id))

    def full_name(self, org: OrgUnit) -> str:
        """A unit's short name, with its parent's when another unit has the same short name
        (the Farmers' Union of every commune is "Hội ND"): "Hội ND (Xã Tân Hòa)"."""
        parent = self.parent_of(org.id)
        if parent is None or self._name_count.get(org.display_name, 0) < 2:
            return org.display_name
        return f"{org.display_name} ({parent.display_name})"
