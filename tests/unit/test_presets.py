from decimal import Decimal

import pytest

from bot.core.parsing import form_fields, parse_report, render_form
from bot.core.periods import PeriodType
from bot.core.presets import PRESETS, TAY_NINH_ORGS, TAY_NINH_TEMPLATE, Preset, PresetOrg
from bot.core.template import FieldType, Template, parse_template_document
from bot.core.text import fold, normalize_label

VIETNAMESE_MARKS = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")


def test_presets_are_keyed_and_described():
    assert {"tayninh", "danvankheo", "tet"} <= set(PRESETS)
    for key, preset in PRESETS.items():
        assert isinstance(preset, Preset)
        assert preset.key == key
        assert preset.title and preset.description
        assert isinstance(preset.template, Template)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_preset_round_trips_through_yaml_and_json(key):
    template = PRESETS[key].template
    assert parse_template_document(template.to_yaml()) == template
    assert parse_template_document(template.to_json()) == template


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_no_alias_names_two_fields(key):
    """A phrase shared by two fields would make every line that uses it ambiguous."""
    owner: dict[str, str] = {}
    for f in PRESETS[key].template.all_fields():
        phrases = {normalize_label(f.label), *(normalize_label(a) for a in f.aliases)}
        for phrase in phrases:
            assert owner.setdefault(phrase, f.key) == f.key, (phrase, owner[phrase], f.key)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_user_facing_text_is_vietnamese_with_diacritics(key):
    preset = PRESETS[key]
    texts = [preset.title, preset.template.name]
    texts += [s.title for s in preset.template.sections]
    texts += [f.label for f in preset.template.all_fields()]
    for text in texts:
        assert set(text.lower()) & VIETNAMESE_MARKS, text
        assert "template" not in fold(text)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_few_required_fields_and_a_photo_is_optional(key):
    fields = list(PRESETS[key].template.all_fields())
    required = [f for f in fields if f.required]
    assert 1 <= len(required) <= 2
    for f in fields:
        if f.type is FieldType.PHOTO:
            assert not f.required


def test_tay_ninh_orgs():
    codes = [o.code for o in TAY_NINH_ORGS]
    assert codes == ["mttq", "tinhdoan", "ldld", "hlhpn", "hnd", "hccb"]
    assert all(isinstance(o, PresetOrg) for o in TAY_NINH_ORGS)
    short = {o.code: o.short_name for o in TAY_NINH_ORGS}
    assert short == {
        "mttq": "UBMTTQ tỉnh",
        "tinhdoan": "Tỉnh đoàn",
        "ldld": "LĐLĐ tỉnh",
        "hlhpn": "Hội LHPN tỉnh",
        "hnd": "Hội ND tỉnh",
        "hccb": "Hội CCB tỉnh",
    }
    names = {o.code: o.name for o in TAY_NINH_ORGS}
    assert names["mttq"] == "Ủy ban MTTQ Việt Nam tỉnh"
    assert names["hccb"] == "Hội Cựu chiến binh tỉnh"
    assert PRESETS["tayninh"].orgs == TAY_NINH_ORGS


def test_tay_ninh_template_shape():
    t = TAY_NINH_TEMPLATE
    assert t.key == "tuan_mttq" and t.period_type is PeriodType.WEEK
    types = {f.key: f.type for f in t.all_fields()}
    assert types["so_buoi_tuyen_truyen"] is FieldType.COUNT
    assert types["tien_van_dong"] is FieldType.MONEY
    assert types["hang_quy_doi"] is FieldType.MONEY
    assert types["nong_san"] is FieldType.DECIMAL
    assert types["anh_hoat_dong"] is FieldType.PHOTO
    for key in ("mo_hinh_hay", "kho_khan", "de_xuat", "nhiem_vu_toi"):
        assert types[key] is FieldType.TEXT
    assert t.field("so_buoi_tuyen_truyen").required
    assert t.field("nong_san").unit == "tấn"


def test_produce_only_for_farmers_and_veterans():
    with_produce = {
        o.code
        for o in TAY_NINH_ORGS
        if "nong_san" in {f.key for f in TAY_NINH_TEMPLATE.fields_for(o.code)}
    }
    assert with_produce == {"hnd", "hccb"}


def test_other_presets_periods():
    assert PRESETS["danvankheo"].template.key == "thang_dan_van_kheo"
    assert PRESETS["danvankheo"].template.period_type is PeriodType.MONTH
    assert PRESETS["tet"].template.period_type is PeriodType.WEEK
    tet_types = {f.type for f in PRESETS["tet"].template.all_fields()}
    assert {FieldType.PERCENT, FieldType.YESNO, FieldType.CHOICE} <= tet_types


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_renders_a_form(key):
    preset = PRESETS[key]
    orgs: list[str | None] = [o.code for o in preset.orgs] or [None]
    for org in orgs:
        form = render_form(preset.template, org)
        assert form.splitlines()[0].startswith("I. ")
        assert "1. " in form


_SAMPLES: dict[FieldType, tuple[str, object]] = {
    FieldType.COUNT: ("12", 12),
    FieldType.MONEY: ("45,5 triệu", 45_500_000),
    FieldType.DECIMAL: ("42,5", Decimal("42.5")),
    FieldType.PERCENT: ("87,3%", Decimal("87.3")),
    FieldType.YESNO: ("có", True),
    FieldType.TEXT: ("Nội dung báo cáo", "Nội dung báo cáo"),
}


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_label_and_alias_names_its_field_in_a_form(key):
    preset = PRESETS[key]
    orgs: list[str | None] = [o.code for o in preset.orgs] or [None]
    for org in orgs:
        for f in form_fields(preset.template, org):
            text: str
            value: object
            if f.type is FieldType.CHOICE:
                text, value = f.choices[0], f.choices[0]
            else:
                text, value = _SAMPLES[f.type]
            for name in (f.label, *f.aliases):
                r = parse_report(f"{name}: {text}", preset.template, org)
                assert r.values.get(f.key) == value, (org, name, r.problems)
                assert not r.guessed, (org, name)
