"""Shipped presets: ready-made templates and organization lists an admin can load in one step.

Each preset is drawn from one of the planning documents in ``shared/domain``:

* ``tayninh``: the weekly coordination report of the Tây Ninh plan (23/7/2021), posted by the
  Front and the five socio-political organizations in the "Nhóm zalo MTT-CTXH". The fields
  follow the plan's sections: propaganda (II.1), support to front-line forces and people in
  difficulty (II.2), supervision of Resolution 68 (II.3), the Farmers' Union's and Veterans'
  work on farm produce (III.2.d, e), and the narrative every report carries.
* ``danvankheo``: the monthly report of the "Dân vận khéo" emulation movement (Lâm Đồng Party
  Mass Mobilization Commission, 8/2021): models registered and recognised, collectives and
  individuals proposed for commendation, contributions, typical models.
* ``tet``: a short weekly campaign around Tết (Khánh Hòa Ethnic Minorities Committee plan,
  1/2022): booster doses and rapid tests, their coverage, support to people in difficulty.

Templates are built through ``template_from_data`` at import, so a mistake in a preset fails
the first test that imports this module rather than a user's command.

Aliases are chosen so that no alias names two fields of one template (a test checks this):
an alias shared by two fields would make every line using it ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.template import Template, template_from_data

__all__ = [
    "DAN_VAN_KHEO_TEMPLATE",
    "PRESETS",
    "TAY_NINH_ORGS",
    "TAY_NINH_TEMPLATE",
    "TET_TEMPLATE",
    "Preset",
    "PresetOrg",
]


@dataclass(frozen=True, slots=True)
class PresetOrg:
    """An organization to create when a preset is loaded (code, full name, short name)."""

    code: str
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class Preset:
    key: str
    title: str
    description: str
    template: Template
    orgs: tuple[PresetOrg, ...] = ()


TAY_NINH_ORGS: tuple[PresetOrg, ...] = (
    PresetOrg("mttq", "Ủy ban MTTQ Việt Nam tỉnh", "UBMTTQ tỉnh"),
    PresetOrg("tinhdoan", "Tỉnh đoàn", "Tỉnh đoàn"),
    PresetOrg("ldld", "Liên đoàn Lao động tỉnh", "LĐLĐ tỉnh"),
    PresetOrg("hlhpn", "Hội Liên hiệp Phụ nữ tỉnh", "Hội LHPN tỉnh"),
    PresetOrg("hnd", "Hội Nông dân tỉnh", "Hội ND tỉnh"),
    PresetOrg("hccb", "Hội Cựu chiến binh tỉnh", "Hội CCB tỉnh"),
)


def _f(
    key: str,
    label: str,
    type_: str,
    *,
    unit: str = "",
    aliases: tuple[str, ...] = (),
    required: bool = False,
    help_: str = "",
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "label": label, "type": type_}
    if unit:
        data["unit"] = unit
    if aliases:
        data["aliases"] = list(aliases)
    if required:
        data["required"] = True
    if help_:
        data["help"] = help_
    data.update(extra)
    return data


# The four narrative fields every weekly report of the group carries (see the plan's closing
# paragraph: results, so leadership can direct in time).
def _narrative(next_label: str, next_aliases: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        _f(
            "mo_hinh_hay",
            "Mô hình hay, cách làm hiệu quả",
            "text",
            aliases=("mô hình hay", "mô hình", "cách làm hay", "cách làm hiệu quả", "điển hình"),
        ),
        _f(
            "kho_khan",
            "Khó khăn, vướng mắc",
            "text",
            aliases=("khó khăn", "vướng mắc", "khó khăn vướng mắc", "kk"),
        ),
        _f(
            "de_xuat",
            "Đề xuất, kiến nghị",
            "text",
            aliases=("đề xuất", "đề nghị", "đề xuất kiến nghị", "kiến nghị đề xuất"),
        ),
        _f("nhiem_vu_toi", next_label, "text", aliases=next_aliases),
    ]


TAY_NINH_TEMPLATE: Template = template_from_data(
    {
        "key": "tuan_mttq",
        "name": "Báo cáo tuần kết quả phối hợp của MTTQ và các tổ chức chính trị - xã hội",
        "period_type": "week",
        "description": (
            "Kết quả thực hiện hằng tuần của Ủy ban MTTQ Việt Nam tỉnh và các tổ chức chính trị"
            " - xã hội, báo cáo trên Nhóm zalo MTT-CTXH (Kế hoạch phối hợp ngày 23/7/2021)."
        ),
        "sections": [
            {
                "key": "tuyen_truyen",
                "title": "Tuyên truyền, vận động",
                "fields": [
                    _f(
                        "so_buoi_tuyen_truyen",
                        "Số buổi tuyên truyền, vận động",
                        "count",
                        unit="buổi",
                        required=True,
                        aliases=(
                            "buổi tuyên truyền",
                            "buổi tuyên truyền vận động",
                            "tuyên truyền",
                            "tuyên truyền vận động",
                            "số buổi",
                            "buổi",
                            "tt",
                        ),
                    ),
                    _f(
                        "luot_nguoi_tuyen_truyen",
                        "Số lượt người được tuyên truyền",
                        "count",
                        unit="lượt người",
                        aliases=(
                            "lượt người",
                            "người được tuyên truyền",
                            "lượt người được tuyên truyền",
                            "số người nghe",
                            "người nghe",
                        ),
                    ),
                ],
            },
            {
                "key": "ho_tro",
                "title": "Vận động, hỗ trợ lực lượng tuyến đầu và người dân gặp khó khăn",
                "fields": [
                    _f(
                        "tien_van_dong",
                        "Tiền vận động, ủng hộ",
                        "money",
                        unit="đồng",
                        aliases=(
                            "tiền",
                            "tiền mặt",
                            "tiền vận động",
                            "tiền ủng hộ",
                            "vận động",
                            "ủng hộ",
                            "vận động ủng hộ",
                            "quyên góp",
                            "tiền quyên góp",
                        ),
                    ),
                    _f(
                        "hang_quy_doi",
                        "Hàng hóa vận động, quy đổi thành tiền",
                        "money",
                        unit="đồng",
                        aliases=(
                            "hàng",
                            "hàng hóa",
                            "hiện vật",
                            "quy đổi",
                            "hàng quy đổi",
                            "hàng hóa quy đổi",
                            "giá trị hàng",
                            "trị giá hàng",
                        ),
                    ),
                    _f(
                        "suat_qua",
                        "Số suất quà trao tặng",
                        "count",
                        unit="suất",
                        aliases=("suất quà", "phần quà", "quà", "quà tặng", "suất quà trao tặng"),
                    ),
                    _f(
                        "suat_an",
                        "Số suất ăn hỗ trợ",
                        "count",
                        unit="suất",
                        aliases=("suất ăn", "suất cơm", "bữa ăn", "phần ăn", "cơm"),
                    ),
                    _f(
                        "ho_ho_tro",
                        "Số hộ được hỗ trợ",
                        "count",
                        unit="hộ",
                        aliases=(
                            "hộ",
                            "hộ dân",
                            "hộ gia đình",
                            "hộ được hỗ trợ",
                            "hộ khó khăn",
                            "hộ nghèo",
                        ),
                    ),
                    _f(
                        "tinh_nguyen_vien",
                        "Số lượt tình nguyện viên tham gia",
                        "count",
                        unit="người",
                        aliases=(
                            "tình nguyện viên",
                            "tình nguyện",
                            "tnv",
                            "lượt tình nguyện viên",
                            "người tình nguyện",
                            "đoàn viên tình nguyện",
                        ),
                    ),
                ],
            },
            {
                "key": "nong_san",
                "title": "Hỗ trợ tiêu thụ nông sản",
                "applies_to": ["hnd", "hccb"],
                "fields": [
                    _f(
                        "nong_san",
                        "Nông sản hỗ trợ tiêu thụ",
                        "decimal",
                        unit="tấn",
                        aliases=(
                            "nông sản",
                            "tiêu thụ nông sản",
                            "nông sản tiêu thụ",
                            "tấn nông sản",
                            "tấn",
                        ),
                        help_="Khối lượng nông sản của hội viên được hỗ trợ tiêu thụ, tính bằng tấn.",
                    ),
                ],
            },
            {
                "key": "giam_sat",
                "title": "Giám sát, phản biện xã hội",
                "fields": [
                    _f(
                        "cuoc_giam_sat",
                        "Số cuộc giám sát",
                        "count",
                        unit="cuộc",
                        aliases=("giám sát", "cuộc giám sát", "gs", "đoàn giám sát"),
                        help_="Giám sát thực hiện chính sách hỗ trợ (Nghị quyết 68/NQ-CP) và khác.",
                    ),
                    _f(
                        "kien_nghi",
                        "Số kiến nghị đã chuyển cơ quan có thẩm quyền",
                        "count",
                        unit="kiến nghị",
                        aliases=(
                            "kiến nghị",
                            "số kiến nghị",
                            "ý kiến kiến nghị",
                            "kiến nghị đã chuyển",
                        ),
                    ),
                ],
            },
            {
                "key": "danh_gia",
                "title": "Đánh giá, đề xuất và nhiệm vụ tuần tới",
                "fields": [
                    *_narrative(
                        "Nhiệm vụ tuần tới",
                        (
                            "nhiệm vụ",
                            "nhiệm vụ tuần tới",
                            "tuần tới",
                            "phương hướng",
                            "kế hoạch tuần tới",
                        ),
                    ),
                    _f("anh_hoat_dong", "Ảnh hoạt động", "photo", aliases=("ảnh", "hình ảnh")),
                ],
            },
        ],
    }
)


DAN_VAN_KHEO_TEMPLATE: Template = template_from_data(
    {
        "key": "thang_dan_van_kheo",
        "name": "Báo cáo tháng phong trào thi đua “Dân vận khéo”",
        "period_type": "month",
        "description": (
            "Kết quả xây dựng, nhân rộng mô hình, điển hình “Dân vận khéo” và đề xuất khen"
            " thưởng, báo cáo hằng tháng."
        ),
        "sections": [
            {
                "key": "mo_hinh",
                "title": "Xây dựng mô hình, điển hình",
                "fields": [
                    _f(
                        "mo_hinh_dang_ky",
                        "Số mô hình “Dân vận khéo” đăng ký xây dựng",
                        "count",
                        unit="mô hình",
                        required=True,
                        aliases=("mô hình đăng ký", "đăng ký", "đăng ký xây dựng"),
                    ),
                    _f(
                        "mo_hinh_cong_nhan",
                        "Số mô hình được công nhận",
                        "count",
                        unit="mô hình",
                        aliases=("mô hình được công nhận", "công nhận", "mô hình công nhận"),
                    ),
                    _f(
                        "khu_dan_cu_an_toan",
                        "Số khu dân cư an toàn được xây dựng",
                        "count",
                        unit="khu dân cư",
                        aliases=("khu dân cư", "khu dân cư an toàn", "kdc"),
                    ),
                    _f(
                        "to_doi_tinh_nguyen",
                        "Số tổ, đội, nhóm tình nguyện hoạt động",
                        "count",
                        unit="tổ",
                        aliases=(
                            "tổ đội",
                            "tổ đội nhóm",
                            "đội tình nguyện",
                            "tổ tình nguyện",
                            "tổ",
                        ),
                    ),
                ],
            },
            {
                "key": "khen_thuong",
                "title": "Biểu dương, khen thưởng",
                "fields": [
                    _f(
                        "tap_the_khen",
                        "Số tập thể được đề nghị khen thưởng",
                        "count",
                        unit="tập thể",
                        aliases=("tập thể", "tập thể khen thưởng", "tập thể đề nghị"),
                    ),
                    _f(
                        "ca_nhan_khen",
                        "Số cá nhân được đề nghị khen thưởng",
                        "count",
                        unit="cá nhân",
                        aliases=("cá nhân", "cá nhân khen thưởng", "cá nhân đề nghị"),
                    ),
                ],
            },
            {
                "key": "dong_gop",
                "title": "Vận động đóng góp",
                "fields": [
                    _f(
                        "tien_hang_dong_gop",
                        "Tiền, hàng đóng góp (quy đổi thành tiền)",
                        "money",
                        unit="đồng",
                        aliases=(
                            "tiền hàng",
                            "đóng góp",
                            "tiền đóng góp",
                            "ủng hộ",
                            "quyên góp",
                            "quỹ vắc xin",
                            "tiền",
                        ),
                    ),
                    _f(
                        "ngay_cong",
                        "Số ngày công lao động đóng góp",
                        "count",
                        unit="ngày công",
                        aliases=("ngày công", "công lao động", "ngày công lao động"),
                    ),
                ],
            },
            {
                "key": "noi_dung",
                "title": "Mô hình tiêu biểu và đề xuất",
                "fields": [
                    _f(
                        "dien_hinh",
                        "Mô hình, điển hình tiêu biểu trong tháng",
                        "text",
                        aliases=(
                            "mô hình tiêu biểu",
                            "điển hình",
                            "điển hình tiêu biểu",
                            "mô hình hay",
                        ),
                    ),
                    _f(
                        "kho_khan",
                        "Khó khăn, vướng mắc",
                        "text",
                        aliases=("khó khăn", "vướng mắc", "kk"),
                    ),
                    _f(
                        "de_xuat",
                        "Đề xuất, kiến nghị",
                        "text",
                        aliases=("đề xuất", "kiến nghị", "đề nghị"),
                    ),
                    _f(
                        "nhiem_vu_toi",
                        "Nhiệm vụ tháng tới",
                        "text",
                        aliases=("nhiệm vụ", "tháng tới", "phương hướng"),
                    ),
                    _f("anh_mo_hinh", "Ảnh mô hình", "photo", aliases=("ảnh", "hình ảnh")),
                ],
            },
        ],
    }
)


TET_TEMPLATE: Template = template_from_data(
    {
        "key": "tet_phong_dich",
        "name": "Báo cáo tuần công tác phòng, chống dịch dịp Tết Nguyên đán",
        "period_type": "week",
        "description": (
            "Chiến dịch ngắn trước, trong và sau Tết: tuyên truyền, tiêm vắc xin mũi 3, xét"
            " nghiệm nhanh, trực Tết và chăm lo người khó khăn."
        ),
        "sections": [
            {
                "key": "phong_dich",
                "title": "Phòng, chống dịch",
                "fields": [
                    _f(
                        "so_buoi_tuyen_truyen",
                        "Số buổi tuyên truyền, phổ biến",
                        "count",
                        unit="buổi",
                        aliases=("tuyên truyền", "buổi tuyên truyền", "buổi", "phổ biến"),
                    ),
                    _f(
                        "tiem_mui_3",
                        "Số người đã tiêm vắc xin mũi 3",
                        "count",
                        unit="người",
                        required=True,
                        aliases=("mũi 3", "tiêm mũi 3", "người tiêm mũi 3", "tiêm", "vắc xin"),
                    ),
                    _f(
                        "ty_le_mui_3",
                        "Tỷ lệ tiêm vắc xin mũi 3",
                        "percent",
                        unit="%",
                        aliases=("tỷ lệ", "tỷ lệ tiêm", "tỷ lệ mũi 3", "tỉ lệ"),
                    ),
                    _f(
                        "xet_nghiem_nhanh",
                        "Số lượt xét nghiệm nhanh kháng nguyên",
                        "count",
                        unit="lượt",
                        aliases=("xét nghiệm", "xét nghiệm nhanh", "test nhanh", "test", "xn"),
                    ),
                    _f(
                        "tinh_hinh_dich",
                        "Tình hình dịch tại đơn vị",
                        "choice",
                        choices=["Ổn định", "Có ca mắc mới", "Diễn biến phức tạp"],
                        aliases=("tình hình dịch", "tình hình"),
                    ),
                    _f(
                        "phan_cong_truc",
                        "Đã phân công trực Tết",
                        "yesno",
                        aliases=("trực tết", "phân công trực", "trực"),
                    ),
                ],
            },
            {
                "key": "cham_lo",
                "title": "Chăm lo người yếu thế, đồng bào khó khăn",
                "fields": [
                    _f(
                        "tien_hang_ung_ho",
                        "Tiền, hàng vận động ủng hộ (quy đổi thành tiền)",
                        "money",
                        unit="đồng",
                        aliases=("tiền", "ủng hộ", "quyên góp", "tiền hàng", "vận động ủng hộ"),
                    ),
                    _f(
                        "suat_qua",
                        "Số suất quà Tết trao tặng",
                        "count",
                        unit="suất",
                        aliases=("suất quà", "quà", "quà tết", "phần quà"),
                    ),
                ],
            },
            {
                "key": "danh_gia",
                "title": "Đánh giá, đề xuất",
                "fields": _narrative(
                    "Nhiệm vụ tuần tới",
                    ("nhiệm vụ", "nhiệm vụ tuần tới", "tuần tới", "phương hướng"),
                ),
            },
        ],
    }
)


PRESETS: dict[str, Preset] = {
    "tayninh": Preset(
        key="tayninh",
        title="Báo cáo tuần MTTQ và các tổ chức chính trị - xã hội (mẫu Tây Ninh)",
        description=(
            "Mẫu báo cáo tuần theo Kế hoạch phối hợp của Ban Thường trực Ủy ban MTTQ Việt Nam"
            " tỉnh Tây Ninh; kèm danh sách 6 đơn vị cấp tỉnh."
        ),
        template=TAY_NINH_TEMPLATE,
        orgs=TAY_NINH_ORGS,
    ),
    "danvankheo": Preset(
        key="danvankheo",
        title="Báo cáo tháng phong trào thi đua “Dân vận khéo”",
        description=(
            "Mô hình, điển hình “Dân vận khéo” đăng ký, được công nhận; tập thể, cá nhân đề nghị"
            " khen thưởng; tiền, hàng và ngày công đóng góp."
        ),
        template=DAN_VAN_KHEO_TEMPLATE,
    ),
    "tet": Preset(
        key="tet",
        title="Báo cáo tuần phòng, chống dịch dịp Tết Nguyên đán",
        description=(
            "Chiến dịch ngắn dịp Tết: tuyên truyền, tiêm vắc xin mũi 3, xét nghiệm nhanh, trực"
            " Tết, chăm lo đồng bào khó khăn."
        ),
        template=TET_TEMPLATE,
    ),
}
