"""What the formal report carries besides figures: who issues it, where, who signs, who
receives it (Decree 30/2020/ND-CP, Appendix I: the parts of an administrative document).

An admin sets these once by chat (``/vanban``); every Word report of the workspace uses
them. Defaults are those of a provincial Front standing board, so a report is presentable
before anything is set, and the places left to fill ("Số: …") are the ones an office fills
by hand when it registers the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from bot.core.text import fold

__all__ = ["LETTERHEAD_KEYS", "Letterhead", "LetterheadError"]


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
    recipients: tuple[str, ...] = (
        "Thường trực Tỉnh ủy (để báo cáo)",
        "Ban Thường trực UBMTTQ Việt Nam tỉnh",
        "Các tổ chức chính trị - xã hội tỉnh",
        "Lưu: VT",
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

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> Letterhead:
        base = cls()
        changes: dict[str, object] = {}
        for f in fields(cls):
            raw = settings.get(f"letterhead.{f.name}")
            if raw is None:
                continue
            if f.name == "recipients":
                changes[f.name] = tuple(p.strip() for p in raw.split("\n") if p.strip())
            else:
                changes[f.name] = raw
        return replace(base, **changes)  # type: ignore[arg-type]


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
