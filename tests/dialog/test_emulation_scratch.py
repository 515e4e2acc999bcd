from tests.conftest import Harness

async def test_scratch(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("""
@clock 2026-11-23 08:00
1002 @ dm: 1. 12
  2. 450
  12. Mô hình “Thùng gạo nghĩa tình” của Chi đoàn ấp Bàu Sen, mỗi tuần trao 20 suất gạo
  13. Không có
1003 @ dm: 1. 8
  12. Không
  16. Đồng chí Nguyễn Thị Hoa, tổ trưởng công đoàn, vận động được 50 triệu đồng cho Quỹ vắc xin
1002 @ dm: /danhdau
1002 @ dm: /danhdau 1 tập thể | Chi đoàn ấp Bàu Sen
1003 @ dm: /danhdau cá nhân | Nguyễn Thị Hoa
1007 @ ld: /danhdau
1007 @ ld: /denghikhen 1 2 | Có nhiều đóng góp
1007 @ ld: /dienhinh
1003 @ dm: /dienhinh word
1007 @ ld: /dienhinh word
1007 @ ld: /dienhinh excel năm 2026 đề xuất
1003 @ dm: /bodanhdau 3
1007 @ ld: /nhatky
1001 @ g1: /nhatky
""")
    print(out)
