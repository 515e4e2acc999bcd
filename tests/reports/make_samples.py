"""The sample files under ``docs/mau/``, made from the sample province (tests/reports/sample.py)
so people can see what the bot sends: ``python -m tests.reports.make_samples``.

One function per format; ``MAKERS`` names them and ``main`` runs them all, or the ones
named (``python -m tests.reports.make_samples excel``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.core.letterhead import Letterhead
from bot.core.periods import Period, PeriodType
from bot.core.rollup import Span
from tests.reports.sample import build_province

WORKSPACE = "Ủy ban MTTQ Việt Nam tỉnh Tây Ninh"
QUARTER = Period(PeriodType.QUARTER, date(2026, 10, 1))
WEEK = Period.week(2026, 48)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "mau"

# -- conversions with LibreOffice and poppler (also used by the tests) ----------------------
OFFICE_TOOLS = ("soffice", "pdftoppm")
CONVERT_TIMEOUT = 180  # seconds: a cold LibreOffice start on a busy machine


def missing_office_tools() -> list[str]:
    return [t for t in OFFICE_TOOLS if shutil.which(t) is None]


def docx_to_pdf(docx: Path, out_dir: Path, *, timeout: float = CONVERT_TIMEOUT) -> Path:
    """Convert with a headless LibreOffice using a private, throw-away profile (so it
    neither touches nor waits for a user's running instance)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: run `make test` as root")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        env = {**os.environ, "HOME": profile, "SAL_USE_VCLPLUGIN": "svp"}
        # Its own process group, so a conversion that hangs is ended with all its
        # processes (the soffice script starts soffice.bin) and nothing else.
        proc = subprocess.Popen(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--nologo",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(docx),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"LibreOffice did not finish within {timeout:.0f} s") from None
    pdf = out_dir / (docx.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {stdout} {stderr}")
    return pdf


def pdf_to_pngs(pdf: Path, out_dir: Path, *, dpi: int = 60, timeout: float = 120) -> list[Path]:
    """One PNG per page (poppler's pdftoppm), in page order."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise RuntimeError("poppler (pdftoppm) is not installed: run `make test` as root")
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))


# -- Word -----------------------------------------------------------------------------------
SAMPLE_LETTERHEAD = Letterhead(
    parent_body="ỦY BAN MTTQ VIỆT NAM",
    issuing_body="TỈNH TÂY NINH",
    code="BC-MTTQ-BTT",
    place="Tây Ninh",
    signer_authority="TM. BAN THƯỜNG TRỰC",
    signer_title="CHỦ TỊCH",
    signer_name="Nguyễn Văn An",
)
SAMPLE_ISSUED_ON = date(2027, 1, 5)


def word_quarter_bytes(*, with_chart: bool = True) -> bytes:
    """The quarterly report of the sample province, quý IV/2026, with the roll-up's chart
    as the bot sends it."""
    from bot.services.exports.word import rollup_document

    province = build_province()
    rollup = province.rollup(Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1))))
    from bot.services.exports.charts import rollup_chart

    chart = rollup_chart(rollup) if with_chart else None
    return rollup_document(
        rollup,
        SAMPLE_LETTERHEAD,
        issued_on=SAMPLE_ISSUED_ON,
        workspace_name="Tỉnh Tây Ninh",
        chart_png=chart,
    )


def word_sample(out: Path = OUT) -> list[Path]:
    """docs/mau/bao-cao-quy-IV-2026.docx and its PDF (when LibreOffice is installed)."""
    out.mkdir(parents=True, exist_ok=True)
    docx = out / "bao-cao-quy-IV-2026.docx"
    docx.write_bytes(word_quarter_bytes())
    made = [docx]
    if shutil.which("soffice"):
        made.append(docx_to_pdf(docx, out))
    return made


# -- Excel, CSV, charts -----------------------------------------------------------------------
def excel_sample(out: Path = OUT) -> list[Path]:
    from bot.services.exports.excel import rollup_csv, rollup_workbook

    r = build_province().rollup(Span.of(QUARTER))
    xlsx = out / "tong-hop-quy-IV-2026.xlsx"
    xlsx.write_bytes(rollup_workbook(r, workspace_name=WORKSPACE))
    csv = out / "tong-hop-quy-IV-2026.csv"
    csv.write_bytes(rollup_csv(r))
    return [xlsx, csv]


def chart_samples(out: Path = OUT) -> list[Path]:
    from bot.services.exports.charts import digest_chart, rollup_chart

    p = build_province()
    week = out / "bieu-do-tuan.png"
    week.write_bytes(digest_chart(p.digest(WEEK), p.trend(WEEK)))
    quarter = out / "bieu-do-quy.png"
    quarter.write_bytes(rollup_chart(p.rollup(Span.of(QUARTER))))
    return [week, quarter]


MAKERS: dict[str, Callable[[Path], list[Path]]] = {
    "word": word_sample,
    "excel": excel_sample,
    "charts": chart_samples,
}


def main(argv: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in argv or list(MAKERS):
        for path in MAKERS[name](OUT):
            print(path.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
