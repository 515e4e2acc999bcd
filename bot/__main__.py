"""Command line: ``python -m bot`` (run), ``python -m bot sandbox [--script FILE] [--seed N]``,
``python -m bot demo``; operations: ``check``, ``backup [--to FILE]``,
``restore FILE [--check] [--yes]`` (see ``bot.ops``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Bot báo cáo tuần của MTTQ và các tổ chức chính trị - xã hội.",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="chạy bot (không có mã truy cập: chế độ thử nghiệm)")
    sb = sub.add_parser("sandbox", help="trò chuyện thử với bot trên màn hình, hoặc chạy kịch bản")
    sb.add_argument("--script", type=Path, help="tệp kịch bản hội thoại để chạy lại")
    sb.add_argument("--seed", type=int, default=0, help="cố định mã mời khi chạy kịch bản")
    sb.add_argument(
        "--db",
        type=Path,
        help="tệp cơ sở dữ liệu (kịch bản: mặc định tạm thời; trò chuyện: như khi chạy bot)",
    )
    demo = sub.add_parser(
        "demo",
        help="chạy thử: một tuần của 6 đơn vị tỉnh Tây Ninh; “demo tinh”: một năm của cả tỉnh; "
        "“demo tieuchi”: các thôn tự đánh giá theo bộ tiêu chí",
    )
    demo.add_argument(
        "kind", nargs="?", choices=("tuan", "tinh", "tieuchi"), default="tuan",
        help="tuan: một tuần báo cáo (mặc định); tinh: tỉnh và các xã, cả năm, tệp Word/Excel; "
        "tieuchi: bộ tiêu chí An toàn về COVID-19, phân loại xanh, vàng, đỏ",
    )  # fmt: skip
    demo.add_argument("--xa", type=int, default=9, help="số xã, phường (demo tinh)")
    demo.add_argument(
        "--tep", type=Path, default=Path("bao-cao-demo"), help="thư mục lưu tệp (demo tinh)"
    )
    demo.add_argument(
        "--tieptuc", action="store_true", help="demo tinh: sau kịch bản, tiếp tục trò chuyện"
    )
    sub.add_parser("check", help="kiểm tra cấu hình, thư mục dữ liệu, cơ sở dữ liệu và kết nối")
    bk = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu ngay (bot có thể đang chạy)")
    bk.add_argument("--to", type=Path, help="ghi vào tệp này (mặc định: thư mục sao lưu)")
    rs = sub.add_parser("restore", help="khôi phục cơ sở dữ liệu từ một bản sao lưu")
    rs.add_argument("file", type=Path, help="tệp sao lưu (.db hoặc .db.gz)")
    rs.add_argument("--check", action="store_true", help="chỉ kiểm tra tệp, không khôi phục")
    rs.add_argument("--yes", action="store_true", help="không hỏi lại trước khi thay")
    args = parser.parse_args(argv)

    from pydantic import ValidationError

    from bot import app
    from bot.config import Settings

    if args.command == "demo":
        if args.kind == "tinh":
            if not 1 <= args.xa <= 500:
                print("Số xã phải từ 1 đến 500.", file=sys.stderr)
                return 2
            asyncio.run(
                app.run_province_demo(
                    sys.stdout, files_dir=args.tep, communes=args.xa, keep_open=args.tieptuc
                )
            )
            return 0
        if args.kind == "tieuchi":
            asyncio.run(app.run_demo(sys.stdout, app.CHECKLIST_DEMO))
            return 0
        asyncio.run(app.run_demo(sys.stdout))
        return 0
    if args.command == "sandbox" and args.script is not None:
        lines = args.script.read_text(encoding="utf-8").splitlines()
        with tempfile.TemporaryDirectory(prefix="bot-sandbox-") as tmp:
            database = args.db or Path(tmp) / "sandbox.db"
            # On a database kept between runs each run's messages get their own ids: the
            # bot ignores a message id it has already handled (a platform's redelivery).
            prefix = f"m{time.time_ns():x}-" if args.db is not None else "m"
            try:
                asyncio.run(
                    app.play_script(
                        lines,
                        database=database,
                        out=sys.stdout,
                        seed=args.seed,
                        message_prefix=prefix,
                    )
                )
            except ValueError as exc:
                print(f"Lỗi kịch bản: {exc}", file=sys.stderr)
                return 1
        return 0
    try:
        settings = Settings()
    except ValidationError as exc:
        # The checks' own messages are Vietnamese; show them without a traceback.
        print("Cấu hình chưa hợp lệ (tệp .env hoặc biến môi trường):", file=sys.stderr)
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "?"
            text = str(error["msg"]).removeprefix("Value error, ")
            line = text if text.startswith(where) else f"{where}: {text}"
            print(f" - {line}", file=sys.stderr)
        return 2
    if args.command in (None, "run", "check", "backup", "restore"):
        from bot.ops.lock import foreign_owner

        if foreign_owner(settings.database.parent) is not None:
            print(
                f"Thư mục dữ liệu {settings.database.parent} thuộc người dùng khác, còn lệnh "
                "đang chạy bằng root: tệp tạo ra sẽ làm bot không đọc được. Chạy bằng người "
                "dùng của bot, ví dụ: sudo reporting-bot check (xem README, mục Vận hành).",
                file=sys.stderr,
            )
            return 1
    if args.command == "check":
        from bot.ops.check import run_check

        return asyncio.run(run_check(settings, sys.stdout))
    if args.command == "backup":
        from bot.ops.cli import run_backup

        return run_backup(settings, args.to, sys.stdout, sys.stderr)
    if args.command == "restore":
        from bot.ops.cli import run_restore

        return run_restore(
            settings,
            args.file,
            yes=args.yes,
            check_only=args.check,
            out=sys.stdout,
            err=sys.stderr,
            answer=sys.stdin,
        )
    if args.command == "sandbox":
        update: dict[str, object] = {"telegram_token": None, "zalo_token": None}
        if args.db is not None:
            update["database_path"] = args.db
        settings = settings.model_copy(update=update)
    return app.main_run(settings)


if __name__ == "__main__":
    sys.exit(main())
