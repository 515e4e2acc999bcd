"""``python -m bot backup`` and ``python -m bot restore``: for the IT officer at the console.

``backup`` takes an online backup now (the bot may be running): into the backup folder,
with the retention applied, or to ``--to FILE`` (outside the rotation, e.g. before an
upgrade or for a copy kept off the server).

``restore FILE`` (a ``.db`` from the backup folder, or the ``.db.gz`` that ``/saoluu``
sends) checks the file first (``PRAGMA integrity_check``, a database of this bot, a schema
no newer than this code knows) and prints what it holds; ``--check`` stops there. Then,
only with the bot stopped (its instance lock free) and after a confirmation (``--yes``
when not at a terminal), it replaces the database, keeps the replaced files beside it
(``bot.db.truoc-khoi-phuc-…``) and brings the schema up to date.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.messages_ops import file_size
from bot.core.vnformat import format_datetime
from bot.ops.lock import AlreadyRunning, instance_lock
from bot.ops.runtime import backup_policy
from bot.services.backups import BackupService
from storage.backup import (
    RestoreError,
    SqliteBackups,
    backup_file,
    check_restorable,
    contents,
    readable,
    restore,
)
from storage.db import load_migrations, open_database

STOP_FIRST = (
    "Bot đang chạy với cơ sở dữ liệu này. Dừng bot trước (sudo systemctl stop reporting-bot), "
    "khôi phục, rồi khởi động lại (sudo systemctl start reporting-bot)."
)


def run_backup(settings: Settings, to: Path | None, out: TextIO, err: TextIO) -> int:
    database = settings.database
    if not database.is_file():
        print(f"Chưa có cơ sở dữ liệu {database}: chưa có gì để sao lưu.", file=err)
        return 1
    zone = ZoneInfo(settings.timezone)
    clock = SystemClock()
    try:
        if to is not None:
            if to.exists():
                print(f"Tệp {to} đã có; chọn tên khác (không ghi đè).", file=err)
                return 1
            info = backup_file(database, to)
            print(
                f"Đã sao lưu {database} vào {to} ({file_size(to.stat().st_size)}), cấu trúc "
                f"phiên bản {info.schema_version}, kiểm tra toàn vẹn: tốt.",
                file=out,
            )
            return 0
        store = SqliteBackups(database, settings.backup_dir, settings.timezone)
        service = BackupService(store, clock, backup_policy(settings))
        taken = asyncio.run(service.backup_now(clock.now()))
        kept = len(asyncio.run(store.all()))
    except Exception as exc:
        print(f"Không sao lưu được: {type(exc).__name__}: {exc}", file=err)
        return 1
    print(
        f"Đã sao lưu lúc {format_datetime(taken.taken_at.astimezone(zone))} vào "
        f"{taken.location} ({file_size(taken.size)}); thư mục giữ {kept} bản.",
        file=out,
    )
    return 0


def refusal(exc: RestoreError, latest: int) -> str:
    """Why a file is not restored, in plain words."""
    if exc.reason == RestoreError.NOT_FOUND:
        return f"Không thấy tệp {exc.detail}."
    if exc.reason == RestoreError.NOT_A_DATABASE:
        return "Tệp này không phải cơ sở dữ liệu SQLite (hoặc hỏng đến mức không đọc được)."
    if exc.reason == RestoreError.DAMAGED:
        return (
            f"Tệp bị hỏng, không khôi phục (kiểm tra toàn vẹn báo: {exc.detail}). Chọn một "
            "bản sao lưu khác."
        )
    if exc.reason == RestoreError.NOT_OURS:
        return "Tệp là cơ sở dữ liệu SQLite nhưng không phải của bot này."
    if exc.reason == RestoreError.NEWER:
        return (
            f"Tệp do phiên bản bot mới hơn tạo ra (cấu trúc phiên bản {exc.detail}, bản này "
            f"chỉ biết đến {latest}). Cập nhật bot trước rồi khôi phục."
        )
    return str(exc)


def run_restore(
    settings: Settings,
    file: Path,
    *,
    yes: bool,
    check_only: bool,
    out: TextIO,
    err: TextIO,
    answer: TextIO | None = None,
    clock: Clock | None = None,
) -> int:
    latest = load_migrations()[-1].version
    zone = ZoneInfo(settings.timezone)
    clock = clock or SystemClock()
    try:
        with readable(file) as plain:
            info = check_restorable(plain, latest)
            what = contents(plain)
    except RestoreError as exc:
        print(refusal(exc, latest), file=err)
        return 1
    last = (
        format_datetime(what.last_report_at.astimezone(zone)) if what.last_report_at else "chưa có"
    )
    print(
        f"Tệp {file}: kiểm tra toàn vẹn tốt, cấu trúc phiên bản {info.schema_version} "
        f"(bản này: {latest}); {what.workspaces} không gian báo cáo, {what.members} người "
        f"tham gia, {what.reports} lần gửi báo cáo, lần gửi gần nhất: {last}.",
        file=out,
    )
    if check_only:
        return 0
    database = settings.database
    try:
        with instance_lock(database):
            if not yes:
                if answer is None or not answer.isatty():
                    print(
                        "Thêm --yes để xác nhận thay cơ sở dữ liệu (không hỏi được ở đây).",
                        file=err,
                    )
                    return 1
                print(f"Thay {database} bằng tệp này? Gõ “co” để đồng ý: ", end="", file=out)
                out.flush()
                if answer.readline().strip().lower() not in ("co", "có", "yes", "y"):
                    print("Đã hủy, không thay đổi gì.", file=out)
                    return 1
            result = restore(file, database, latest, clock.now().astimezone(zone))
            version = asyncio.run(_migrate(database))
    except AlreadyRunning:
        print(STOP_FIRST, file=err)
        return 1
    except RestoreError as exc:
        print(refusal(exc, latest), file=err)
        return 1
    print(f"Đã khôi phục {database} từ {file}.", file=out)
    if version != info.schema_version:
        print(f"Cấu trúc đã nâng từ phiên bản {info.schema_version} lên {version}.", file=out)
    if result.replaced:
        print(f"Cơ sở dữ liệu cũ được giữ lại: {result.replaced[0]}", file=out)
    print("Khởi động lại bot: sudo systemctl start reporting-bot", file=out)
    return 0


async def _migrate(database: Path) -> int:
    """Opens the restored file as the bot will (bringing its schema up to date)."""
    db = await open_database(database)
    try:
        return db.schema_version
    finally:
        await db.close()
