"""The commands a newcomer runs: demo, sandbox script, and run without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(
    args: list[str], tmp_path: Path, env_extra: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))}
    env["BOT_DATA_DIR"] = str(tmp_path / "data")
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_prints_a_correct_digest(tmp_path: Path) -> None:
    result = _run(["demo"], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    digest = out.split("bot -> ld:")[2]  # [1] is the registration; [2] the digest at 17h00
    assert "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026 (23/11 – 29/11/2026)" in digest
    assert "5/6 đơn vị" in digest and "Chưa báo cáo: Hội CCB tỉnh" in digest
    # 6 (MTTQ) + 12 (Tỉnh đoàn) + 4 (LĐLĐ) + 5 (Hội LHPN) + 3 (Hội ND) sessions.
    assert "30 buổi" in digest
    assert "Hội CCB tỉnh" in out.split("bot -> ld:")[-1]  # the late report reaches the last digest
    assert "muộn" in out


def test_checklist_demo_classifies_villages(tmp_path: Path) -> None:
    result = _run(["demo", "tieuchi"], tmp_path)
    assert result.returncode == 0, result.stderr
    digests = result.stdout.split("📊 TỔNG HỢP KẾT QUẢ THÁNG")
    assert " - Số đơn vị theo mức: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 1." in digests[1]
    assert "• Thôn Đông Thọ: 🟡 Vàng → 🟢 Xanh (tốt lên)" in digests[2]


def test_sandbox_script_is_deterministic(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text(
        "@owner 1001\n@user 1001 An\n@chat g1 group Nhóm\n@clock 2026-11-23 07:00\n"
        "1001 @ g1: /khoitao Nhóm thử\n1001 @ g1: /napmau tayninh\n1001 @ g1: /moi hnd\n",
        encoding="utf-8",
    )
    first = _run(["sandbox", "--script", str(script), "--seed", "3"], tmp_path)
    second = _run(["sandbox", "--script", str(script), "--seed", "3"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert "bot -> g1:" in first.stdout and "/thamgia " in first.stdout


def test_sandbox_keeps_a_database_given_with_db(tmp_path: Path) -> None:
    """A script played again on the same database is answered again (its messages get new
    ids), and the interactive sandbox uses the database given, not data/bot.db."""
    db = tmp_path / "kept.db"
    script = tmp_path / "s.txt"
    script.write_text(
        "@owner 1001\n@user 1001 An\n@chat g1 group Nhóm\n@clock 2026-11-23 07:00\n"
        "1001 @ g1: /trogiup\n",
        encoding="utf-8",
    )
    first = _run(["sandbox", "--script", str(script), "--db", str(db)], tmp_path)
    second = _run(["sandbox", "--script", str(script), "--db", str(db)], tmp_path)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "bot -> g1:" in first.stdout and "bot -> g1:" in second.stdout
    chat = _run(["sandbox", "--db", str(db)], tmp_path, stdin="@thoat\n")
    assert chat.returncode == 0, chat.stderr
    assert str(db) in chat.stdout and not (tmp_path / "data" / "bot.db").exists()


def test_bad_script_line_is_reported_with_its_number(tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text("@user 1001 An\nkhông phải dòng hợp lệ\n", encoding="utf-8")
    result = _run(["sandbox", "--script", str(script)], tmp_path)
    assert result.returncode == 1
    assert "dòng 2" in result.stderr


def test_run_without_token_starts_the_sandbox(tmp_path: Path) -> None:
    result = _run([], tmp_path, stdin="/trogiup\n@thoat\n")
    assert result.returncode == 0, result.stderr
    assert "chế độ thử nghiệm (sandbox)" in result.stdout
    assert "Bot báo cáo kết quả hằng tuần" in result.stdout
    assert (tmp_path / "data" / "bot.db").exists()


def test_run_with_only_a_zalo_token_serves_zalo_and_explains_an_unreachable_server(
    tmp_path: Path,
) -> None:
    from tests.fakes.telegram_api import free_port

    # Nothing listens on that port: the bot says it cannot reach Zalo, without the token.
    env = {"ZALO_BOT_TOKEN": "zalo-secret", "ZALO_BASE_URL": f"http://127.0.0.1:{free_port()}"}
    result = _run([], tmp_path, env_extra=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Zalo: nhận tin bằng long polling" in result.stdout
    assert "Không kết nối được máy chủ Zalo" in result.stderr
    assert "zalo-secret" not in result.stdout + result.stderr
    assert "sandbox" not in result.stdout


def test_zalo_webhook_without_a_secret_is_refused(tmp_path: Path) -> None:
    env = {"ZALO_BOT_TOKEN": "zalo-secret", "ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo"}
    result = _run([], tmp_path, env_extra=env)
    assert result.returncode == 2
    assert "ZALO_WEBHOOK_SECRET" in result.stderr


def test_bad_settings_are_explained_without_a_traceback(tmp_path: Path) -> None:
    result = _run([], tmp_path, env_extra={"BOT_OWNERS": "123456789"})
    assert result.returncode == 2
    assert "Cấu hình chưa hợp lệ" in result.stderr
    assert "BOT_OWNERS: '123456789' phải có dạng kênh:mã_người_dùng" in result.stderr
    assert "Traceback" not in result.stderr
