"""Markup and control characters in unit names and replies, drawn at random, never break a
digest as Telegram receives it (HTML parse mode) nor the Word, Excel and CSV files.

The names and narratives mix HTML and Markdown specials, entities, XML fragments, zero-width
and bidirectional controls (RTL override), NUL and other C0/C1 controls, lone surrogates,
non-characters, emoji and very long runs. For each draw:

- the digest text, planned into Telegram messages, is valid Telegram HTML: every ``<`` and
  ``&`` the user typed is escaped, the only tags are the bot's own, no part exceeds 4096
  characters, no control or bidirectional override reaches the chat, and unescaping the
  parts gives back the digest's text (but for those, and the spaces a cut replaces); the
  same for the Zalo parts (plain text under 2000 characters);
- the Word document opens, and its text holds no control or bidi-override character (the
  markup stays literal text);
- the workbook opens, no cell is a formula, and the CSV decodes into even rows.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import docx
import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram.outbound import TEXT_LIMIT, plan
from bot.channels.zalo.outbound import plan as zalo_plan
from bot.core.digest import compute_digest
from bot.core.events import OutboundMessage
from bot.core.hierarchy import Hierarchy
from bot.core.letterhead import Letterhead
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period
from bot.core.presets import TAY_NINH_TEMPLATE
from bot.core.render import render_digest
from bot.core.rollup import PeriodInfo, Rollup, Span, compute_rollup
from bot.core.text import chat_safe
from bot.services.exports.excel import rollup_csv, rollup_workbook
from bot.services.exports.word import rollup_document

SPECIALS = (
    "<", ">", "&", "&amp;", "&lt;", "<b>", "</b>", "<a href='x'>", "<w:p>", "]]>", "<!--",
    "*", "_", "`", "[", "]", "(", ")", "~", "|", "#", "\\", '"', "'", "=", "+", "@", "-",
    "\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\r", "\n", "\t",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b",
    "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ud800", "\udfff",
    "\ufffe", "\uffff", "🎉", "👨‍👩‍👧", "ệ", "e\u0302\u0323", "Hội", " ",
)  # fmt: skip
piece = st.one_of(st.sampled_from(SPECIALS), st.text(max_size=4))
hostile = st.one_of(
    st.lists(piece, max_size=30).map("".join),
    st.tuples(st.sampled_from(SPECIALS), st.integers(500, 6000)).map(lambda t: t[0] * t[1]),
)
WEEK = Period.week(2026, 48)
DEADLINE = datetime(2026, 11, 27, 10, tzinfo=UTC)
# Telegram's HTML: the tags the bot itself may write (mentions are links).
BOT_TAGS = {"a", "b", "i", "u", "s", "code", "pre"}
CONTROLS = [chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)] + [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\ufffe", "\uffff",
]  # fmt: skip


def _units(names: list[str]) -> list[OrgUnit]:
    return [
        replace(OrgUnit(i + 1, 1, f"dv{i + 1}", name, name[:80]), sort_order=i)
        for i, name in enumerate(names)
    ]


def _versions(units: list[OrgUnit], texts: list[str]) -> list[SubmissionVersion]:
    out = []
    for i, org in enumerate(units):
        text = texts[i % len(texts)]
        values: dict[str, FieldValue] = {
            "so_buoi_tuyen_truyen": i + 1,
            "tien_van_dong": 1_500_000 * (i + 1),
            "mo_hinh_hay": text,
            "kho_khan": text[::-1],
            "de_xuat": text,
        }
        out.append(
            SubmissionVersion(
                id=i + 1, submission_id=i + 1, version=1, campaign_id=1, period=WEEK,
                org_id=org.id, channel="telegram", user_id=str(i), message_id=str(i),
                raw_text=text, values=values, submitted_at=datetime(2026, 11, 26, tzinfo=UTC),
                late=i % 2 == 1,
            )
        )  # fmt: skip
    return out


class _StrictTelegramHtml(HTMLParser):
    """Fails on anything Telegram's HTML parser would refuse or misread."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in BOT_TAGS, f"a tag the bot did not write: <{tag}>"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        assert "<" not in data and ">" not in data
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        assert name in ("lt", "gt", "amp", "quot"), name
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(hostile, min_size=1, max_size=4), texts=st.lists(hostile, min_size=1, max_size=3)
)
def test_digest_is_valid_telegram_html(names: list[str], texts: list[str]) -> None:
    units = _units(names)
    digest = compute_digest(
        template=TAY_NINH_TEMPLATE, orgs=units, period=WEEK, deadline=DEADLINE,
        current=_versions(units, texts), previous=[], cumulative=[],
        now=datetime(2026, 11, 28, tzinfo=UTC), campaign_name=texts[0],
    )  # fmt: skip
    text = render_digest(digest)
    parts = plan(OutboundMessage("telegram", "-100", text))
    assert "".join(p.text for p in parts), "an empty digest"
    shown = []
    for part in parts:
        assert len(part.text) <= TEXT_LIMIT
        parser = _StrictTelegramHtml()
        parser.feed(part.text)
        parser.close()
        assert not parser.open, "a tag left open"
        shown.append("".join(parser.text))
        for bad in CONTROLS:
            assert bad not in shown[-1], repr(bad)
    # Nothing of what people typed was lost or turned into markup (parts are cut at line
    # ends, or at a space of a line too long for one message: that space becomes the cut);
    # only the characters no chat should carry are gone (regression: an RTL override in a
    # unit's name turned the rest of its digest line around).
    assert "".join("".join(shown).split()) == "".join(chat_safe(text).split())
    # Zalo: plain text, parts under its 2000-character limit, the same characters dropped.
    zalo = zalo_plan(OutboundMessage("zalo", "g1", text))
    assert all(0 < len(p) < 2000 for p in zalo)
    assert "".join("".join(zalo).split()) == "".join(chat_safe(text).split())


def _rollup(names: list[str], texts: list[str]) -> Rollup:
    units = _units(names)
    return compute_rollup(
        template=TAY_NINH_TEMPLATE, hierarchy=Hierarchy(units), span=Span.of(WEEK),
        periods=[PeriodInfo(WEEK, DEADLINE)], versions=_versions(units, texts),
        now=datetime(2026, 12, 1, tzinfo=UTC), campaign_name=texts[0],
    )  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(hostile, min_size=1, max_size=3), texts=st.lists(hostile, min_size=1, max_size=2)
)
def test_word_and_excel_survive_hostile_names(names: list[str], texts: list[str]) -> None:
    r = _rollup(names, texts)
    lh = Letterhead(signer_name=names[0], recipients=(texts[0],))
    data = rollup_document(r, lh, issued_on=date(2027, 1, 5), workspace_name=names[0])
    d = docx.Document(io.BytesIO(data))
    paragraphs = list(d.paragraphs) + [
        p for t in d.tables for row in t.rows for cell in row.cells for p in cell.paragraphs
    ]
    body = "\n".join(p.text for p in paragraphs)
    for bad in CONTROLS:
        assert bad not in body, repr(bad)

    wb = openpyxl.load_workbook(io.BytesIO(rollup_workbook(r, workspace_name=names[0])))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value  # text stays text, never a formula
                if isinstance(cell.value, str):
                    for bad in CONTROLS[:-2]:
                        assert bad not in cell.value, repr(bad)
    rows = list(csv.reader(io.StringIO(rollup_csv(r).decode("utf-8-sig"))))
    assert rows and all(len(row) == len(rows[0]) for row in rows)


def test_excel_drops_bidirectional_overrides() -> None:
    """Regression: the workbook kept U+202E (RTL override) in a unit's name, so the cell read
    backwards; the Word report already dropped it."""
    r = _rollup(["Hội\u202eND\u202c xã\u2066 A\u2069\x85"], ["Mô hình\u200f hay"])
    wb = openpyxl.load_workbook(io.BytesIO(rollup_workbook(r, workspace_name="Xã\u202e A")))
    values = [
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
        if isinstance(c.value, str)
    ]  # fmt: skip
    assert any("HộiND xã A" in v for v in values)
    assert not [v for v in values if any(ch in v for ch in "\u202e\u202c\u2066\u2069\u200f\x85")]


def test_chat_safe_keeps_vietnamese_emoji_and_markup_but_not_controls() -> None:
    text = "Hội\u202eND\u202c <b>&amp;\x00\x07\x85 👨‍👩‍👧 ệ\r\nxã\rA\u2066B\u2069\ud800\ufffe\t."
    assert chat_safe(text) == "HộiND <b>&amp; 👨‍👩‍👧 ệ\nxã\nAB\t."
    parts = plan(OutboundMessage("telegram", "1", "Đơn vị: Hội\u202eND <b>"))
    assert [p.text for p in parts] == ["Đơn vị: HộiND &lt;b&gt;"]
    assert zalo_plan(OutboundMessage("zalo", "1", "Đơn vị: Hội\u202eND\x00")) == ["Đơn vị: HộiND"]
