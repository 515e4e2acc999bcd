"""Command line: ``python -m bot`` (run), ``python -m bot sandbox [--script FILE] [--seed N]``,
``python -m bot demo``."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
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
    sb.add_argument("--db", type=Path, help="tệp cơ sở dữ liệu (mặc định: tạm thời)")
    demo = sub.add_parser(
        "demo",
        help="chạy thử: một tuần của 6 đơn vị tỉnh Tây Ninh; “demo tinh”: một năm của cả tỉnh",
    )
    demo.add_argument(
        "kind", nargs="?", choices=("tuan", "tinh"), default="tuan",
        help="tuan: một tuần báo cáo (mặc định); tinh: tỉnh và các xã, cả năm, tệp Word/Excel",
    )  # fmt: skip
    demo.add_argument("--xa", type=int, default=9, help="số xã, phường (demo tinh)")
    demo.add_argument(
        "--tep", type=Path, default=Path("bao-cao-demo"), help="thư mục lưu tệp (demo tinh)"
    )
    demo.add_argument(
        "--tieptuc", action="store_true", help="demo tinh: sau kịch bản, tiếp tục trò chuyện"
    )
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
        asyncio.run(app.run_demo(sys.stdout))
        return 0
    if args.command == "sandbox" and args.script is not None:
        lines = args.script.read_text(encoding="utf-8").splitlines()
        with tempfile.TemporaryDirectory(prefix="bot-sandbox-") as tmp:
            database = args.db or Path(tmp) / "sandbox.db"
            try:
                asyncio.run(
                    app.play_script(lines, database=database, out=sys.stdout, seed=args.seed)
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
    if args.command == "sandbox":
        settings = settings.model_copy(update={"telegram_token": None, "zalo_token": None})
    return app.main_run(settings)


if __name__ == "__main__":
    sys.exit(main())
