"""The unit tree by chat: a province with communes, each with its Front and organizations;
who is prompted, who may report, and how digests and roll-ups read across levels."""

from __future__ import annotations

from tests.conftest import Harness
from tests.dialog.test_reports import docx_text, last_file

TREE = """
@owner 1001
@user 1001 Nguyễn Văn An
@user 1002 Trần Thị Bình
@user 1003 Lê Văn Cường
@user 1004 Phạm Văn Dũng
@user 1007 Đặng Thị Giang
@chat g1 group Nhóm MTT-CTXH tỉnh Tây Ninh
@chat ld group Thường trực UBMTTQ tỉnh
@clock 2026-11-23 07:30
1001 @ g1: /khoitao Nhóm MTT-CTXH tỉnh Tây Ninh
1001 @ g1: /napmau tayninh
1001 @ ld: /nhomlanhdao
"""


async def province(h: Harness) -> None:
    await h.play(TREE)
    out = await h.play("""
        1001 @ g1: /themcap tinh | Tỉnh Tây Ninh
          xa_tanhoa | Xã Tân Hòa | tinh
          xa_tanbien | Xã Tân Biên | tinh
        """)
    assert "Đã thêm 3 cấp tổng hợp: Tỉnh Tây Ninh, Xã Tân Hòa, Xã Tân Biên" in out
    out = await h.play("""
        1001 @ g1: /themdonvi mttq_th | Ủy ban MTTQ Việt Nam xã Tân Hòa | UBMTTQ | xa_tanhoa
          hnd_th | Hội Nông dân xã Tân Hòa | Hội ND | xa_tanhoa
          mttq_tb | Ủy ban MTTQ Việt Nam xã Tân Biên | UBMTTQ | xa_tanbien
          hnd_tb | Hội Nông dân xã Tân Biên | Hội ND | xa_tanbien
        """)
    assert "Đã thêm 4 đơn vị" in out
    # The province's own six organizations go under the province.
    for code in ("mttq", "tinhdoan", "ldld", "hlhpn", "hnd", "hccb"):
        out = await h.play(f"1001 @ g1: /chuyendonvi {code} | tinh")
        assert "Đã chuyển" in out and "Tỉnh Tây Ninh" in out
    await h.play("""
        1001 @ g1: /gan hnd_th baocao 1002
        1001 @ g1: /gan hnd_tb baocao 1003
        1001 @ g1: /gan xa_tanhoa lanhdao 1004
        1001 @ g1: /gan - lanhdao 1007
        """)


async def test_tree_listing_and_moves(harness: Harness) -> None:
    h = harness
    await province(h)
    out = await h.play("1001 @ g1: /donvi")
    lines = out.splitlines()
    top = next(i for i, ln in enumerate(lines) if "Tỉnh Tây Ninh (tinh)" in ln)
    assert "cấp tổng hợp" in lines[top]
    commune = next(ln for ln in lines if "Xã Tân Hòa (xa_tanhoa)" in ln)
    unit = next(ln for ln in lines if "(hnd_th)" in ln)
    indent = len(unit) - len(unit.lstrip())
    assert (
        indent > len(commune) - len(commune.lstrip()) > len(lines[top]) - len(lines[top].lstrip())
    )
    out = await h.play("1001 @ g1: /chuyendonvi tinh | xa_tanhoa")
    assert "Không thể đưa Tỉnh Tây Ninh vào bên dưới Xã Tân Hòa" in out
    out = await h.play("1001 @ g1: /chuyendonvi xa_tanhoa | hnd")
    assert "không đặt dưới đơn vị báo cáo" in out
    out = await h.play("1001 @ g1: /themcap xa_x | Xã X | hnd")
    assert "không đặt dưới đơn vị báo cáo" in out
    out = await h.play("1001 @ g1: /chuyendonvi hnd_th | khong_co")
    assert "khong_co" in out
    out = await h.play("1001 @ g1: /themcap xa_moi | Xã Mới | khong_co")
    assert "khong_co" in out
    out = await h.play("1002 @ dm: /themcap xa_x | Xã X")
    assert "quản trị" in out
    audit = await h.play("1001 @ g1: /nhatky")
    assert "chuyển đơn vị sang cấp khác hnd" in audit and "thêm cấp tổng hợp" in audit


async def test_levels_are_not_prompted_and_cannot_report(harness: Harness) -> None:
    h = harness
    await province(h)
    out = await h.play("@clock 2026-11-23 08:00")
    # The group's prompt names the reporters; nobody of a grouping unit is prompted.
    assert "(gắn tên: Trần Thị Bình, Lê Văn Cường)" in out
    assert "Dũng" not in out
    out = await h.play("1004 @ dm: 1. 5")
    assert "là cấp tổng hợp, không tự gửi báo cáo" in out and "/tonghop xa_tanhoa" in out
    out = await h.play("1002 @ dm: 1. 7\n  3. 2 triệu")
    assert "✅ Đã ghi nhận" in out
    out = await h.play("1003 @ dm: 1. 4")
    assert "✅ Đã ghi nhận" in out

    # The Friday digest: completeness per level; names that repeat carry their commune.
    out = await h.play("@clock 2026-11-27 17:00")
    assert "2/10 đơn vị" in out
    assert " - Tỉnh Tây Ninh: 2/10 đơn vị" in out
    assert "   - Xã Tân Hòa: 1/2 đơn vị" in out and "   - Xã Tân Biên: 1/2 đơn vị" in out
    assert "Hội ND (Xã Tân Hòa)" in out and "Hội ND tỉnh" in out

    # A commune's leader reads the commune's own roll-up: its units only.
    out = await h.play("1004 @ dm: /tonghop tuần 48 xa_tanhoa")
    assert "Đơn vị: Xã Tân Hòa" in out and "7 buổi" in out and "11 buổi" not in out
    out = await h.play("1007 @ ld: /tonghop tuần 48 tinh")
    assert "11 buổi" in out
    out = await h.play("1007 @ ld: /chuyencan tháng 11 xa_tanbien")
    assert "Hội ND (Xã Tân Biên): 1/1 (100%)" in out and "UBMTTQ (Xã Tân Biên): 0/1" in out
    # A commune's leader sees the commune by default, and nothing outside it.
    out = await h.play("1004 @ dm: /tonghop")
    assert "Đơn vị: Xã Tân Hòa" in out
    out = await h.play("1004 @ dm: /chuyencan tháng 11 xa_tanbien")
    assert "xem được số liệu của Xã Tân Hòa" in out
    out = await h.play("1004 @ dm: /tonghop tuần 48 tinh")
    assert "xem được số liệu của Xã Tân Hòa" in out


async def test_stopping_a_commune_stops_its_units(harness: Harness) -> None:
    h = harness
    await province(h)
    out = await h.play("1001 @ g1: /ngungdonvi xa_tanbien")
    assert "ngừng theo dõi" in out
    out = await h.play("@clock 2026-11-23 08:00")
    assert "(gắn tên: Trần Thị Bình)" in out  # Tân Biên's Farmers' Union is not prompted
    out = await h.play("@clock 2026-11-27 17:00")
    assert "/8 đơn vị" in out and "Xã Tân Biên" not in out.split("2. ")[0]


async def test_a_bad_line_among_many_is_named_and_the_good_ones_kept(harness: Harness) -> None:
    h = harness
    await province(h)
    out = await h.play("""
        1001 @ g1: /themdonvi doan_th | Đoàn xã Tân Hòa | Đoàn xã | xa_tanhoa
          hnd_th | Hội Nông dân trùng mã | Hội ND | xa_tanhoa
          chua_du_cot
          hccb_th | Hội Cựu chiến binh xã Tân Hòa | Hội CCB | xa_tanhoa
        """)
    assert "Đã thêm 2 đơn vị: Đoàn xã, Hội CCB" in out
    assert "Dòng 2 chưa thêm được: “hnd_th | Hội Nông dân trùng mã | Hội ND | xa_tanhoa”" in out
    assert "Dòng 3 chưa thêm được: “chua_du_cot”" in out
    assert "gửi lại riêng các dòng đó" in out
    tree = await h.play("1001 @ g1: /donvi")
    assert "(doan_th)" in tree and "(hccb_th)" in tree and "trùng mã" not in tree


async def test_report_commands_say_which_unit_code_is_unknown(harness: Harness) -> None:
    h = harness
    await province(h)
    out = await h.play("1001 @ g1: /xuat word xa_tanhao quý 4")
    assert "Không có đơn vị mã “xa_tanhao”" in out
    out = await h.play("1001 @ g1: /tonghop tháng 11 năm 2026")
    assert "THÁNG 11/2026" in out


async def test_a_commune_report_carries_the_commune_letterhead(harness: Harness) -> None:
    h = harness
    await province(h)
    await h.play("@clock 2026-11-23 08:00")
    await h.play("1002 @ dm: 1. 7\n  3. 2 triệu")
    await h.play("@clock 2026-12-07 09:00")
    out = await h.play("1001 @ g1: /vanban người ký | Nguyễn Văn An")
    assert "Đã lưu người ký: Nguyễn Văn An" in out
    out = await h.play("1001 @ g1: /vanban xa_tanhoa")
    assert "Xã Tân Hòa" in out and "Cơ quan ban hành: XÃ TÂN HÒA" in out
    assert "Thường trực Đảng ủy xã (để báo cáo)" in out
    assert "Ban Thường trực UBMTTQ Việt Nam tỉnh Tây Ninh (để báo cáo)" in out
    out = await h.play("1001 @ g1: /vanban xa_tanhoa người ký | Lê Thị Hoa")
    assert "Đã lưu người ký (Xã Tân Hòa): Lê Thị Hoa" in out
    out = await h.play("1001 @ g1: /vanban hnd_th người ký | Ai Đó")
    assert "là đơn vị báo cáo, không có phần đầu riêng" in out

    # The commune leader's Word report: the commune's letterhead, not the province's.
    await h.play("1004 @ dm: /xuat word tháng 11")
    text = docx_text(last_file(h, ".docx"))
    assert "XÃ TÂN HÒA" in text and "Lê Thị Hoa" in text and "Nguyễn Văn An" not in text
    assert "Tân Hòa, ngày" in text
    # The province's report keeps the province's.
    await h.play("1007 @ ld: /xuat word tháng 11")
    text = docx_text(last_file(h, ".docx"))
    assert "Nguyễn Văn An" in text and "Lê Thị Hoa" not in text
    audit = await h.play("1001 @ g1: /nhatky")
    assert "(Xã Tân Hòa)" in audit
    out = await h.play("1001 @ g1: /vanban xa_tanhoa mặc định")
    assert "báo cáo Word (Xã Tân Hòa) về mặc định" in out
    out = await h.play("1001 @ g1: /vanban xa_tanhoa")
    assert "Lê Thị Hoa" not in out


async def test_confirmations_name_a_unit_with_its_commune(harness: Harness) -> None:
    """Every commune has a "Hội ND": confirmations say which one, as listings do."""
    h = harness
    await province(h)
    out = await h.play("1001 @ g1: /mien hnd_tb tuần 48 | Đi tập huấn")
    assert "✅ Hội ND (Xã Tân Biên) được miễn báo cáo" in out
    out = await h.play("1001 @ g1: /ngungdonvi hnd_th")
    assert "Đã ngừng theo dõi báo cáo của Hội ND (Xã Tân Hòa)" in out
