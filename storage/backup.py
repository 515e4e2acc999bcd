"""Online backups and restores of the SQLite database, through SQLite's backup API.

Never a file copy: copying ``bot.db`` while the bot writes can catch a half-written page
or miss what still sits in ``bot.db-wal``. The backup API reads one consistent snapshot
through a second connection of its own (in WAL mode a reader never blocks the bot's writer
and sees only committed transactions), so a backup taken in the middle of a busy cycle is
the database exactly as it was after some commit.

* ``backup_file(source, target)``: the snapshot, written to ``target`` (a temporary name
  first, renamed once complete and checked), as a single self-contained file (rollback
  journal mode, no ``-wal`` beside it), so it can be sent, copied and opened anywhere.
* ``inspect(path)``: ``PRAGMA integrity_check`` and the schema version, read-only.
* ``restore(backup, database, latest)``: refuses a damaged file, a file that is not a
  database of this bot and a file from a newer schema; otherwise writes it in place of
  the database (through the backup API again) and keeps the replaced files beside it.
* ``SqliteBackups``: the backup folder of a running bot (``bot.services.backups`` port):
  names ``bot-YYYYMMDD-HHMMSS.db`` in the bot's time zone, taken in a worker thread.

Restoring while the bot runs would pull the file from under it: the command line checks
the bot's instance lock first (``bot.ops.lock``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.services.backups import BackupFile
from storage.db import BUSY_TIMEOUT_MS

NAME_PREFIX = "bot-"
_NAME = re.compile(r"bot-(\d{8})-(\d{6})(?:-(\d+))?\.db")
GZIP_SUFFIX = ".gz"


class RestoreError(Exception):
    """Why a file cannot be restored; ``reason`` is one of the class constants."""

    NOT_FOUND = "not_found"
    NOT_A_DATABASE = "not_a_database"
    DAMAGED = "damaged"
    NOT_OURS = "not_ours"
    NEWER = "newer"

    def __init__(self, reason: str, detail: str = "", info: DatabaseInfo | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.info = info


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """What ``inspect`` found: ``integrity`` is ``("ok",)`` for a sound file."""

    path: Path
    integrity: tuple[str, ...]
    schema_version: int
    tables: tuple[str, ...]

    @property
    def sound(self) -> bool:
        return self.integrity == ("ok",)

    @property
    def ours(self) -> bool:
        """Written by this bot: a schema version and its first tables."""
        return self.schema_version >= 1 and {"workspaces", "submissions"} <= set(self.tables)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    info: DatabaseInfo
    replaced: tuple[Path, ...]  # the files moved aside (the database and its -wal/-shm)


# -- the snapshot --------------------------------------------------------------------------
def backup_file(source: Path, target: Path) -> DatabaseInfo:
    """One consistent snapshot of ``source`` written to ``target``; returns the checked
    copy's info. ``target`` appears only once complete and sound."""
    if not source.is_file():
        raise FileNotFoundError(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        info = inspect(partial)
        if not info.sound:
            raise sqlite3.DatabaseError(f"backup failed its integrity check: {info.integrity}")
        partial.chmod(0o600)  # every report and every person: for the bot's user only
        os.replace(partial, target)
        _sync_dir(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return DatabaseInfo(target, info.integrity, info.schema_version, info.tables)


def _copy(source: Path, target: Path) -> None:
    """SQLite's backup API, in one step (one read transaction: one snapshot)."""
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=-1)
            # The copy carries the source's WAL flag; a backup is one file on its own.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _sync_dir(directory: Path) -> None:
    """The rename survives a power cut (POSIX: fsync the directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- checking ------------------------------------------------------------------------------
def inspect(path: Path) -> DatabaseInfo:
    """Integrity and schema version of a database file, opened read-only.

    Raises ``RestoreError`` (NOT_FOUND, NOT_A_DATABASE) when the file cannot be read as a
    database at all."""
    if not path.is_file():
        raise RestoreError(RestoreError.NOT_FOUND, str(path))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise RestoreError(RestoreError.NOT_A_DATABASE, str(exc)) from exc
    try:
        integrity = tuple(str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)"))
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = tuple(
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        )
    except sqlite3.DatabaseError as exc:
        reason = RestoreError.DAMAGED if "malformed" in str(exc) else RestoreError.NOT_A_DATABASE
        raise RestoreError(reason, str(exc)) from exc
    finally:
        conn.close()
    return DatabaseInfo(path, integrity, version, tables)


@contextlib.contextmanager
def readable(path: Path) -> Iterator[Path]:
    """The database file itself, or a ``.gz`` backup (as ``/saoluu`` sends) unpacked to a
    temporary file for the duration."""
    if path.suffix != GZIP_SUFFIX:
        yield path
        return
    if not path.is_file():
        raise RestoreError(RestoreError.NOT_FOUND, str(path))
    with tempfile.TemporaryDirectory(prefix="bot-restore-") as tmp:
        plain = Path(tmp) / path.stem
        try:
            with gzip.open(path, "rb") as packed, plain.open("wb") as out:
                shutil.copyfileobj(packed, out)
        except (OSError, EOFError) as exc:
            raise RestoreError(RestoreError.NOT_A_DATABASE, str(exc)) from exc
        yield plain


def check_restorable(path: Path, latest_version: int) -> DatabaseInfo:
    """The checks a restore makes first; raises ``RestoreError`` when one fails."""
    info = inspect(path)
    if not info.sound:
        raise RestoreError(RestoreError.DAMAGED, "; ".join(info.integrity[:5]), info)
    if not info.ours:
        raise RestoreError(RestoreError.NOT_OURS, "", info)
    if info.schema_version > latest_version:
        raise RestoreError(RestoreError.NEWER, str(info.schema_version), info)
    return info


# -- restoring -----------------------------------------------------------------------------
def restore(backup: Path, database: Path, latest_version: int, now: datetime) -> RestoreResult:
    """Puts ``backup`` (a ``.db`` or ``.db.gz``) in place of ``database``.

    The bot must be stopped. The file is checked first (``check_restorable``); the current
    database, with its ``-wal`` and ``-shm`` files, is kept beside it as
    ``bot.db.truoc-khoi-phuc-YYYYMMDD-HHMMSS`` (nothing is deleted). An older schema is
    brought up to date when the bot next opens the file (or by the caller, at once)."""
    with readable(backup) as plain:
        info = check_restorable(plain, latest_version)
        database.parent.mkdir(parents=True, exist_ok=True)
        incoming = database.with_name(f".{database.name}.restoring")
        incoming.unlink(missing_ok=True)
        try:
            _copy(plain, incoming)
            copied = inspect(incoming)
            if not copied.sound:
                raise RestoreError(RestoreError.DAMAGED, "; ".join(copied.integrity[:5]), copied)
            replaced = _move_aside(database, now)
            os.replace(incoming, database)
            _sync_dir(database.parent)
        finally:
            incoming.unlink(missing_ok=True)
    return RestoreResult(info, replaced)


def _move_aside(database: Path, now: datetime) -> tuple[Path, ...]:
    """Renames the database and its WAL companions together (a ``-wal`` holds committed
    transactions of that file: it must keep the file's name + ``-wal``)."""
    if not database.exists():
        return ()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    base = database.with_name(f"{database.name}.truoc-khoi-phuc-{stamp}")
    moved: list[Path] = []
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{database}{suffix}")
        if path.exists():
            target = Path(f"{base}{suffix}")
            os.replace(path, target)
            moved.append(target)
    return tuple(moved)


# -- the backup folder of a running bot ----------------------------------------------------
def backup_name(taken_at: datetime, n: int = 0) -> str:
    name = f"{NAME_PREFIX}{taken_at:%Y%m%d-%H%M%S}"
    return f"{name}-{n}.db" if n else f"{name}.db"


def parse_name(name: str, zone: ZoneInfo) -> datetime | None:
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S").replace(
            tzinfo=zone
        )
    except ValueError:
        return None


class SqliteBackups:
    """Implements ``bot.services.backups.BackupStore`` over a folder of backup files.

    Only files named ``bot-YYYYMMDD-HHMMSS[-N].db`` are listed (and ever deleted); anything
    else an operator puts there is left alone."""

    def __init__(self, database: Path, directory: Path, timezone: str) -> None:
        self.database = database
        self.directory = directory
        self._zone = ZoneInfo(timezone)

    async def take(self, now: datetime) -> BackupFile:
        local = now.astimezone(self._zone)
        return await asyncio.to_thread(self._take, local)

    def _take(self, local: datetime) -> BackupFile:
        self.directory.mkdir(parents=True, exist_ok=True)
        n = 0
        while (self.directory / backup_name(local, n)).exists():
            n += 1
        target = self.directory / backup_name(local, n)
        backup_file(self.database, target)
        return BackupFile(
            name=target.name, location=str(target), taken_at=local, size=target.stat().st_size
        )

    async def all(self) -> list[BackupFile]:
        return await asyncio.to_thread(self._list)

    def _list(self) -> list[BackupFile]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.iterdir():
            taken = parse_name(path.name, self._zone)
            if taken is None or not path.is_file():
                continue
            found.append(
                BackupFile(
                    name=path.name, location=str(path), taken_at=taken, size=path.stat().st_size
                )
            )
        found.sort(key=lambda b: (b.taken_at, len(b.name), b.name))  # …-9 before …-10
        return found

    async def delete(self, backup: BackupFile) -> None:
        path = self.directory / backup.name
        if parse_name(path.name, self._zone) is None:  # never anything but our own files
            return
        await asyncio.to_thread(path.unlink, True)

    async def packed(self, backup: BackupFile) -> tuple[str, bytes]:
        """The file gzip-compressed, for sending (``bot-….db.gz``)."""
        path = self.directory / backup.name

        def pack() -> bytes:
            with path.open("rb") as raw:
                return gzip.compress(raw.read(), compresslevel=6, mtime=0)

        return f"{backup.name}{GZIP_SUFFIX}", await asyncio.to_thread(pack)


@dataclass(frozen=True, slots=True)
class Contents:
    """A few figures to recognise a backup by before restoring it."""

    workspaces: int
    members: int
    reports: int  # submission versions
    last_report_at: datetime | None


def contents(path: Path) -> Contents:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:

        def count(table: str) -> int:
            # Table names come from the fixed tuple below, never from input.
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608

        figures = {t: count(t) for t in ("workspaces", "members", "submission_versions")}
        last = conn.execute("SELECT max(submitted_at) FROM submission_versions").fetchone()[0]
    finally:
        conn.close()
    return Contents(
        figures["workspaces"],
        figures["members"],
        figures["submission_versions"],
        datetime.fromisoformat(last) if last else None,
    )
