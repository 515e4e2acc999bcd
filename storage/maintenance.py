"""Housekeeping queries for operations: health figures and the retention of raw messages.

Kept apart from the repositories (``storage.repositories``) because nothing in the dialog
or the cycle uses them; the operations runtime (``bot.ops.runtime``) and the command line
call them on the one ``Database`` of the process.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from storage.codec import encode_dt
from storage.db import Database


async def ping(db: Database, within: float = 2.0) -> bool:
    """The database answers a query within ``within`` seconds."""
    try:
        row = await asyncio.wait_for(db.fetchone("SELECT 1"), within)
    except Exception:
        return False
    return row is not None and row[0] == 1


async def outbox_backlog(db: Database) -> int:
    """Messages waiting to be sent (not sent, not failed for good), due or not."""
    row = await db.fetchone(
        "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_permanently = 0"
    )
    return int(row[0]) if row else 0


async def clear_raw_text(db: Database, before: datetime) -> int:
    """Empties the raw message text of report versions submitted before ``before``;
    the values read from it, the photos and who sent what when are kept. Returns how many
    versions were cleared."""
    rows = await db.fetchall(
        "UPDATE submission_versions SET raw_text = ''"
        " WHERE submitted_at < ? AND raw_text <> '' RETURNING 1",
        (encode_dt(before),),
    )
    return len(rows)
