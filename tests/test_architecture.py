"""Layering rules from DESIGN.md §3, checked on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_CORE = {
    "telegram",
    "httpx",
    "aiosqlite",
    "apscheduler",
    "sqlite3",
    "storage",
    "scheduler",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_platform_database_or_scheduler() -> None:
    files = sorted((ROOT / "bot" / "core").rglob("*.py"))
    assert len(files) > 10
    offenders = {
        str(f.relative_to(ROOT)): sorted(_imports(f) & FORBIDDEN_IN_CORE)
        for f in files
        if _imports(f) & FORBIDDEN_IN_CORE
    }
    assert offenders == {}


def test_core_does_not_import_services_or_channels() -> None:
    for f in (ROOT / "bot" / "core").rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "bot.services" not in text and "bot.channels" not in text, f


def test_services_do_not_import_storage_or_platforms() -> None:
    """Services talk to storage through the ports only (bot/services/ports.py)."""
    for f in (ROOT / "bot" / "services").rglob("*.py"):
        bad = _imports(f) & {"storage", "aiosqlite", "sqlite3", "telegram", "httpx"}
        assert not bad, (f, bad)


def test_no_naive_clock_reads_in_product_code() -> None:
    for package in ("bot", "storage", "scheduler"):
        for f in (ROOT / package).rglob("*.py"):
            text = f.read_text(encoding="utf-8")
            assert "datetime.now()" not in text and "utcnow(" not in text, f
            assert "date.today()" not in text, f
