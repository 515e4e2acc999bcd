"""One bot process per database: an advisory lock on ``<database>.lock``.

Two processes polling the same bot would take updates from each other, and a restore under
a running bot would pull the file from under it. The lock is ``flock`` on a small file
beside the database: the kernel releases it when the process ends, however it ends (a
crash or SIGKILL leaves no stale lock), and it is only advisory (reading the database, a
backup or ``python -m bot check`` never need it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, as before
    fcntl = None  # type: ignore[assignment]


class AlreadyRunning(RuntimeError):
    """Another process holds the database's lock."""


def lock_path(database: Path) -> Path:
    return database.with_name(f"{database.name}.lock")


@contextlib.contextmanager
def instance_lock(database: Path) -> Iterator[None]:
    """Held for the ``with`` block; raises ``AlreadyRunning`` at once if taken."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning(str(path)) from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_running(database: Path) -> bool:
    """Whether a bot process holds the lock of ``database`` now."""
    try:
        with instance_lock(database):
            return False
    except AlreadyRunning:
        return True


def foreign_owner(folder: Path) -> int | None:
    """The owner's uid when this process runs as root and ``folder`` (existing) belongs to
    another user: files root creates there (a new database, its -wal, a restored file, a
    backup) would be unreadable by the bot's own user. None when all is well."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None or geteuid() != 0:
        return None
    try:
        owner = folder.stat().st_uid
    except OSError:
        return None
    return owner if owner != 0 else None
