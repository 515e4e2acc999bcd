"""What the formal report carries besides figures: who issues it, where, who signs, who
receives it (Decree 30/2020/ND-CP, Appendix I: the parts of an administrative document).

An admin sets these once by chat (``/vanban``); every Word report of the workspace uses
them. Defaults are those of a provincial Front standing board, so a report is presentable
before anything is set, and the places left to fill ("Số: …") are the ones an office fills
by hand when it registers the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from bot.core.text import fold

__all__ = ["LETTERHEAD_KEYS", "Letterhead", "LetterheadError", "level_prefix", "split_level_name"]


@dataclass(frozen=True, slots=True)
class Letterhead:
    # Line 1 of the header's left block: the body above the issuer, upper case.
    parent_body: str = "ỦY BAN MTTQ VIỆT NAM"
    # Line 2: the issuing body, upper case and bold ("TỈNH TÂY NINH", "BAN THƯỜNG TRỰC").
    issuing_body: str = ""
    # "Số: …/BC-MTTQ": the number is left blank for the office's register.
    code: str = "BC-MTTQ"
    # The place in the place-date line ("Tây Ninh, ngày 30 tháng 11 năm 2026").
    place: str = ""
    # The signature block: authority line and title, then the signer's name.
    signer_authority: str = "TM. BAN THƯỜNG TRỰC"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    # "Nơi nhận:" lines, the last usually the archive ("Lưu: VT").
    # The default is a provincial board's: it reports to the provincial Party committee and
    # the Central Committee of the Front, never to itself.
    recipients: tuple[str, ...] = (
        "Thường trực Tỉnh ủy (để báo cáo)",
        "Ban Thường trực Ủy ban Trung ương MTTQ Việt Nam (để báo cáo)",
        "Các tổ chức chính trị - xã hội tỉnh",
        "Lưu: VT",
    )

    @classmethod
    def for_level(cls, level_name: str, above_name: str = "") -> Letterhead:
        """Defaults for a commune's (or any lower level's) own reports: its name as the
        issuing body, its place, and recipients one level up ("Thường trực Đảng ủy xã",
        the standing board of the province above it), so a commune's report never goes out
        under the province's letterhead."""
        name = " ".join(level_name.split())
        word, place = split_level_name(name)
        above_word, above_place = split_level_name(" ".join(above_name.split()))
        upper = "Ban Thường trực UBMTTQ Việt Nam"
        upper += f" {above_word} {above_place}".rstrip() if above_place else " cấp trên"
        own = f" {word}" if word else ""
        return cls(
            issuing_body=name.upper(),
            place=place,
            recipients=(
                f"Thường trực Đảng ủy{own} (để báo cáo)",
                f"{upper} (để báo cáo)",
                f"Các tổ chức chính trị - xã hội{own}",
                "Lưu: VT",
            ),
        )

    def with_defaults(self, workspace_name: str) -> Letterhead:
        """Fill the issuing body from the workspace's name when the admin has not set it."""
        if self.issuing_body:
            return self
        body = " ".join(workspace_name.upper().split())
        parent = " ".join(self.parent_body.upper().split())
        if parent and body.startswith(parent) and body != parent:
            # "Ủy ban MTTQ Việt Nam tỉnh Tây Ninh" under "ỦY BAN MTTQ VIỆT NAM": "TỈNH TÂY NINH".
            body = body[len(parent) :].strip()
        return replace(self, issuing_body=body)

    def to_settings(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = "\n".join(value) if isinstance(value, tuple) else str(value)
        return out

    def with_settings(self, settings: Mapping[str, str], prefix: str = "letterhead") -> Letterhead:
        """These values overridden by the admin's settings stored under ``prefix``."""
        changes: dict[str, object] = {}
        for f in fields(self):
            raw = settings.get(f"{prefix}.{f.name}")
            if raw is None:
                continue
            if f.name == "recipients":
                changes[f.name] = tuple(p.strip() for p in raw.split("\n") if p.strip())
            else:
                changes[f.name] = raw
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> Letterhead:
        return cls().with_settings(settings)


def level_prefix(org_id: int) -> str:
    """Where a level's own letterhead is stored (``letterhead@12.signer_name``): by id, so
    renaming or recoding a commune keeps it."""
    return f"letterhead@{org_id}"


_LEVEL_WORD = re.compile(
    r"(?i)^(tỉnh|thành phố|tp\.?|xã|phường|đặc khu|huyện|quận|thị xã|thị trấn)\s+(.+)$"
)


def split_level_name(name: str) -> tuple[str, str]:
    """ "Xã Tân Hòa" -> ("xã", "Tân Hòa"); a name without an administrative word -> ("", name)."""
    m = _LEVEL_WORD.match(name)
    if not m:
        return "", name
    return m.group(1).lower(), m.group(2)


class LetterheadError(ValueError):
    """An unknown item or an unusable value; the message is Vietnamese."""


# What an admin types -> the attribute, with the Vietnamese name shown back.
LETTERHEAD_KEYS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("parent_body", "cơ quan cấp trên", ("cap tren", "co quan cap tren", "chu quan")),
    ("issuing_body", "cơ quan ban hành", ("co quan", "co quan ban hanh", "ban hanh", "don vi")),
    ("code", "ký hiệu", ("ky hieu", "so", "so ky hieu")),
    ("place", "địa danh", ("dia danh", "noi", "dia diem")),
    ("signer_authority", "thẩm quyền ký", ("tham quyen", "tm", "tham quyen ky")),
    ("signer_title", "chức vụ người ký", ("chuc vu", "chuc danh", "chuc vu nguoi ky")),
    ("signer_name", "người ký", ("nguoi ky", "ho ten", "ten nguoi ky")),
    ("recipients", "nơi nhận", ("noi nhan",)),
)

_LIMITS = {"recipients": 1000}


def letterhead_item(word: str) -> tuple[str, str]:
    """The attribute and Vietnamese name an admin's word names (accents optional)."""
    w = " ".join(fold(word).split())
    for attr, name, words in LETTERHEAD_KEYS:
        if w == fold(name) or w in words:
            return attr, name
    names = ", ".join(name for _, name, _ in LETTERHEAD_KEYS)
    raise LetterheadError(f"Chưa có mục “{word.strip()}”. Các mục: {names}.")


def letterhead_value(attr: str, text: str) -> str:
    """Validate and normalise a value: one line (recipients: one per ``;`` or line)."""
    if attr == "recipients":
        parts = [p.strip(" -–•\t") for chunk in text.split("\n") for p in chunk.split(";")]
        parts = [p for p in parts if p]
        if not parts:
            raise LetterheadError("Cần ít nhất một nơi nhận, cách nhau bằng dấu “;”.")
        value = "\n".join(parts)
    else:
        value = " ".join(text.split())
        if attr in ("parent_body", "issuing_body") and value:
            value = value.upper()
    if len(value) > _LIMITS.get(attr, 200):
        raise LetterheadError("Nội dung quá dài.")
    return value
