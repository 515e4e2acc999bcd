"""Vietnamese texts of indicators, reference values and targets (``/chiso``, ``/solieu``,
``/datsolieu``, ``/bosolieu``, ``/datchitieu``, ``/bochitieu``). Kept beside
``bot.core.messages`` so the feature's wording can be reviewed in one place."""

from __future__ import annotations

NO_INDICATORS = (
    "Mẫu báo cáo hiện hành chưa có chỉ số nào. Cán bộ quản trị thêm chỉ số (mục indicators)"
    " vào mẫu rồi gửi lại bằng /thaymau; ví dụ: docs/mau-chi-so-vi-du.yaml."
)
NO_REFERENCES = (
    "Mẫu báo cáo hiện hành chưa khai báo số liệu tham chiếu nào (mục references), ví dụ dân"
    " số mục tiêu của từng đơn vị."
)

SET_REFERENCE_USAGE = (
    "Đồng chí ghi: /datsolieu <mã số liệu> <mã đơn vị> <giá trị> [kỳ áp dụng], mỗi dòng một"
    " đơn vị; từ dòng thứ hai có thể bỏ mã số liệu. Ví dụ:\n"
    "/datsolieu dan_so_muc_tieu hnd 12.500\n"
    "/datsolieu dan_so_muc_tieu hnd 12.500 năm 2026\n"
    "hccb 8.000\n"
    "Không ghi kỳ thì số liệu dùng cho mọi kỳ."
)
UNSET_REFERENCE_USAGE = (
    "Đồng chí ghi: /bosolieu <mã số liệu> <mã đơn vị> [kỳ áp dụng], ví dụ:"
    " /bosolieu dan_so_muc_tieu hnd năm 2026"
)
SET_TARGET_USAGE = (
    "Đồng chí ghi: /datchitieu <mã chỉ số> [mã đơn vị] <chỉ tiêu> [kỳ áp dụng], mỗi dòng một"
    " chỉ tiêu; không ghi mã đơn vị là chỉ tiêu chung. Ví dụ:\n"
    "/datchitieu ty_le_mui_3 90 năm 2026\n"
    "/datchitieu ty_le_mui_3 hnd 95 năm 2026\n"
    "Không ghi kỳ thì chỉ tiêu dùng cho mọi kỳ."
)
UNSET_TARGET_USAGE = (
    "Đồng chí ghi: /bochitieu <mã chỉ số> [mã đơn vị] [kỳ áp dụng], ví dụ:"
    " /bochitieu ty_le_mui_3 hnd năm 2026"
)


def unknown_reference(word: str, known: list[str]) -> str:
    names = ", ".join(known) if known else "(chưa có)"
    return f"Chưa có số liệu tham chiếu mã “{word}” trong mẫu báo cáo. Các mã hiện có: {names}."


def unknown_indicator(word: str, known: list[str]) -> str:
    names = ", ".join(known) if known else "(chưa có)"
    return f"Chưa có chỉ số mã “{word}” trong mẫu báo cáo. Các mã hiện có: {names}."


def unknown_unit(line: int, word: str) -> str:
    return (
        f"Dòng {line}: chưa thấy đơn vị mã “{word}”. Đồng chí xem mã đơn vị bằng /donvi."
        " Chưa lưu dòng nào; đồng chí sửa rồi gửi lại cả lệnh."
    )


def bad_line(line: int, why: str, usage: str) -> str:
    return f"Dòng {line}: {why}. Chưa lưu dòng nào; đồng chí sửa rồi gửi lại cả lệnh.\n{usage}"


def reference_set(lines: list[str]) -> str:
    return "Đã ghi nhận số liệu tham chiếu:\n" + "\n".join(f" - {ln}" for ln in lines)


def target_set(lines: list[str]) -> str:
    return "Đã ghi nhận chỉ tiêu:\n" + "\n".join(f" - {ln}" for ln in lines)


def removed(what: str) -> str:
    return f"Đã bỏ {what}. Lịch sử thay đổi vẫn được lưu (xem /solieu hoặc /chiso)."


def nothing_to_remove(what: str) -> str:
    return f"Chưa có {what} để bỏ."


def template_indicators(count: int, references: list[str]) -> str:
    """After /thaymau of a template with indicators: what to do next."""
    text = f"Mẫu có {count} chỉ số (xem công thức, chỉ tiêu, tiến độ: /chiso)."
    if references:
        text += (
            " Đề nghị đặt số liệu tham chiếu cho từng đơn vị, ví dụ: /datsolieu"
            f" {references[0]} <mã đơn vị> <giá trị>; xem đơn vị nào chưa có: /solieu."
        )
    return text


def indicator_list(lines: list[str]) -> str:
    """The indicators under the form of /mau."""
    return "Chỉ số (bot tự tính, không phải điền):\n" + "\n".join(lines)
