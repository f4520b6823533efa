"""The name resolver: every unit and agency name form of the seed documents, dates, ambiguity."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from quyhoach.loaders.reference import agencies as agency_module
from quyhoach.loaders.reference import units as unit_module
from quyhoach.loaders.reference.resolver import Resolver, get_resolver, token_key
from quyhoach.namespaces import ID

LAI_CHAU = ID["unit/province/12"]
LANG_SON = ID["unit/province/20"]
AFTER_REFORM = date(2025, 8, 1)


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return get_resolver()


def corpus(name_part: str) -> str:
    folder = resources.files("quyhoach.corpus")
    (path,) = [p for p in folder.iterdir() if name_part in p.name and p.name.endswith(".txt")]
    return path.read_text("utf-8")


def key(iri) -> str:
    return str(iri).removeprefix(str(ID))


def test_builds_from_cleared_caches():
    """The resolver builds from the reference tables alone (its build time is a benchmark, not a test)."""
    unit_module.load_units.cache_clear()
    unit_module.reference_data.cache_clear()
    agency_module.load_agencies.cache_clear()
    agency_module.agency_data.cache_clear()
    agencies, posts, _ = agency_module.load_agencies()
    resolver = Resolver(unit_module.load_units(), agencies, posts)
    assert resolver.unit("tỉnh Lai Châu") is not None


def test_get_resolver_is_cached():
    assert get_resolver() is get_resolver()


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("tỉnh Lạng Sơn", "unit/province/20"),
        ("Lạng Sơn", "unit/province/20"),
        ("Tỉnh Lạng Sơn", "unit/province/20"),
        ("Hà Nội", "unit/province/01"),
        ("Thủ đô Hà Nội", "unit/province/01"),
        ("thành phố Hà Nội", "unit/province/01"),
        ("TP. Hà Nội", "unit/province/01"),
        ("TP Hà Nội", "unit/province/01"),
        ("Bắc Kạn", "unit/province/06"),
        ("Hòa Bình", "unit/province/17"),
        ("Hoà Bình", "unit/province/17"),
        ("Hải Dương", "unit/province/30"),
        ("Hưng Yên", "unit/province/33"),
        ("Vĩnh Phúc", "unit/province/26"),
        ("Quảng Ninh", "unit/province/22"),
        ("tỉnh Hà Giang", "unit/province/02"),
        ("tỉnh Điện Biên", "unit/province/11"),
        ("Lai Châu", "unit/province/12"),
        ("tỉnh Lai Châu", "unit/province/12"),
        ("thành phố Lai Châu", "unit/district/105"),
        ("thành phố Hải Dương", "unit/district/288"),
        ("Bà Rịa – Vũng Tàu", "unit/province/77"),
        ("Thừa Thiên Huế", "unit/province/46"),
        ("Khánh Hoà", "unit/province/56"),
        ("huyện Hữu Lũng", "unit/district/186"),
        ("Hữu Lũng", "unit/district/186"),
        ("Chi Lăng", "unit/district/187"),
        ("Lộc Bình", "unit/district/188"),
        ("huyện Mai Sơn", "unit/district/125"),
        ("vùng Trung du và miền núi phía Bắc", "unit/region/trung-du-va-mien-nui-phia-bac"),
        ("Vùng Trung du miền núi phía Bắc", "unit/region/trung-du-va-mien-nui-phia-bac"),
        ("vùng trung du và miền núi phía Bắc", "unit/region/trung-du-va-mien-nui-phia-bac"),
        ("TDMNPB", "unit/region/trung-du-va-mien-nui-phia-bac"),
        ("vùng đồng bằng sông Hồng", "unit/region/dong-bang-song-hong"),
        ("Đồng bằng sông Cửu Long", "unit/region/dong-bang-song-cuu-long"),
        ("lang son", "unit/province/20"),
        ("tinh Lai Chau", "unit/province/12"),
    ],
)
def test_unit_name_forms(resolver, mention, expected):
    match = resolver.unit(mention)
    assert match is not None and key(match.iri) == expected


@pytest.mark.parametrize(
    "mention",
    [
        "Trung Quốc",
        "Lào",
        "Tây Bắc",
        "Houaphan",
        "Sop Bao",
        "Atlantis",
        "",
        "tỉnh Hữu Lũng",
        "huyện Lạng Sơn x",
    ],
)
def test_unit_negatives(resolver, mention):
    assert resolver.unit(mention) is None


def test_as_of_picks_the_unit_valid_then(resolver):
    assert key(resolver.unit("Lạng Sơn", as_of=date(2024, 11, 1)).iri) == "unit/province/20"
    assert key(resolver.unit("Lạng Sơn", as_of=AFTER_REFORM).iri) == "unit/province-2025/20"
    assert key(resolver.unit("tỉnh Bắc Ninh", as_of=AFTER_REFORM).iri) == "unit/province-2025/24"
    assert key(resolver.unit("tỉnh Bắc Ninh").iri) == "unit/province/27"
    # a province that ended: its name still denotes it in a later text
    assert key(resolver.unit("Bắc Giang", as_of=AFTER_REFORM).iri) == "unit/province/24"


def test_level_filter(resolver):
    assert key(resolver.unit("Lai Châu", level="district").iri) == "unit/district/105"
    assert resolver.unit("Hữu Lũng", level="province") is None


def test_ambiguous_district_needs_a_province(resolver):
    assert resolver.unit("Tân Uyên") is None
    assert resolver.unit("huyện Tân Uyên") is not None  # only Lai Châu has a huyện Tân Uyên
    assert resolver.unit("Châu Thành") is None
    assert key(resolver.unit("Tân Uyên", province=LAI_CHAU).iri) == "unit/district/111"
    assert key(resolver.unit("Tân Uyên", province=ID["unit/province/74"]).iri) != "unit/district/111"


def test_tone_placement_variants_are_one_key():
    assert token_key("Hoà") == token_key("hòa")
    assert token_key("Uỷ") == token_key("ủy")
    assert token_key("thuỷ") == token_key("thủy")
    assert token_key("quý") == "quý"  # "qu" + y keeps its tone where it is
    assert token_key("hoàng") == "hoàng"  # not word-final: unchanged


def spans(text: str, found) -> dict[str, str]:
    return {text[s:e]: key(m.iri) for s, e, m in found}


def test_find_units_in_the_regional_plan_article(resolver):
    text = corpus("vung-tdmnpb")
    found = spans(text, resolver.find_units(text, as_of=date(2024, 10, 14)))
    for name, code in [
        ("Thủ đô Hà Nội", "01"), ("thành phố Hà Nội", "01"), ("Hà Nội", "01"), ("Bắc Kạn", "06"),
        ("Hòa Bình", "17"), ("Hải Dương", "30"), ("Hưng Yên", "33"), ("Vĩnh Phúc", "26"),
        ("Quảng Ninh", "22"), ("tỉnh Hà Giang", "02"), ("tỉnh Điện Biên", "11"), ("tỉnh Lai Châu", "12"),
        ("tỉnh Lạng Sơn", "20"), ("Lạng Sơn", "20"), ("Lào Cai", "10"), ("Sơn La", "14"),
    ]:  # fmt: skip
        assert found.get(name) == f"unit/province/{code}", name
    regions = {n: c for n, c in found.items() if c.startswith("unit/region/")}
    assert regions == {
        "vùng Trung du và miền núi phía Bắc": "unit/region/trung-du-va-mien-nui-phia-bac",
        "vùng trung du và miền núi phía Bắc": "unit/region/trung-du-va-mien-nui-phia-bac",
        "vùng đồng bằng sông Hồng": "unit/region/dong-bang-song-hong",
    }
    assert "Trung Quốc" not in found and "Lào" not in found and "Tây Bắc" not in found
    assert "hòa bình" not in found  # "biên giới hòa bình": peace, not the province


def test_find_units_district_list(resolver):
    text = corpus("qd-1371")
    found = spans(text, resolver.find_units(text))
    assert found["huyện Hữu Lũng"] == "unit/district/186"
    assert found["Chi Lăng"] == "unit/district/187"
    assert found["Lộc Bình"] == "unit/district/188"
    assert found["tỉnh Lạng Sơn"] == "unit/province/20"


def test_find_units_in_the_lai_chau_meeting(resolver):
    text = corpus("laichau_phien-hop")
    found = spans(text, resolver.find_units(text, as_of=date(2021, 6, 4)))
    assert found["tỉnh Lai Châu"] == "unit/province/12"
    assert found["Lai Châu"] == "unit/province/12"
    assert found["Vùng Trung du miền núi phía Bắc"] == "unit/region/trung-du-va-mien-nui-phia-bac"


def test_find_units_offsets_and_boundaries(resolver):
    text = "Tuyến Lào Cai – Hà Nội – Hải Phòng; Lào Caiz không phải tên; tỉnh Hà Nam Định"
    found = resolver.find_units(text)
    assert [(text[s:e], key(m.iri)) for s, e, m in found] == [
        ("Lào Cai", "unit/province/10"),
        ("Hà Nội", "unit/province/01"),
        ("Hải Phòng", "unit/province/31"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "xây dựng biên giới hòa bình, hữu nghị",
        "ông Nguyễn Thái Bình phát biểu",
        "đề án Hà Nam Định cũ",
        "hợp tác với Trung Quốc, Lào và vùng Tây Bắc",
        "huyện Châu Thành",  # in several provinces, no hint
    ],
)
def test_find_units_negatives(resolver, text):
    assert resolver.find_units(text) == []


def test_find_units_settles_ambiguous_districts_from_context(resolver):
    text = "huyện Châu Thành, tỉnh Tiền Giang"  # ten provinces have a huyện Châu Thành
    assert [key(m.iri) for _, _, m in resolver.find_units(text)] == ["unit/district/821", "unit/province/82"]
    assert key(resolver.unit("huyện Châu Thành", province=ID["unit/province/82"]).iri) == "unit/district/821"
    assert key(resolver.unit("huyện Châu Thành", province=ID["unit/province/83"]).iri) == "unit/district/831"
    text = "thị xã Tân Uyên, tỉnh Lai Châu"  # Lai Châu's Tân Uyên is a huyện
    assert [key(m.iri) for _, _, m in resolver.find_units(text)] == ["unit/province/12"]
    text = "các huyện Than Uyên, Tân Uyên và Phong Thổ"
    found = spans(text, resolver.find_units(text))
    assert found == {
        "huyện Than Uyên": "unit/district/110",
        "Tân Uyên": "unit/district/111",
        "Phong Thổ": "unit/district/109",
    }
    found = resolver.find_units("huyện Châu Thành", province=ID["unit/province/82"])
    assert [key(m.iri) for _, _, m in found] == ["unit/district/821"]


def test_find_units_after_the_reform(resolver):
    found = resolver.find_units("tỉnh Lạng Sơn và huyện Hữu Lũng", as_of=AFTER_REFORM)
    assert [key(m.iri) for _, _, m in found] == ["unit/province-2025/20", "unit/district/186"]


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Bộ Kế hoạch và Đầu tư", "agency/bo-ke-hoach-va-dau-tu"),
        ("Bộ Kế hoạch và đầu tư", "agency/bo-ke-hoach-va-dau-tu"),
        ("Bộ KH&ĐT", "agency/bo-ke-hoach-va-dau-tu"),
        ("Bộ KHĐT", "agency/bo-ke-hoach-va-dau-tu"),
        ("MPI", "agency/bo-ke-hoach-va-dau-tu"),
        ("Bộ trưởng Bộ Kế hoạch và Đầu tư", "agency/bo-ke-hoach-va-dau-tu"),
        ("bo ke hoach va dau tu", "agency/bo-ke-hoach-va-dau-tu"),
        ("Thủ tướng Chính phủ", "agency/thu-tuong-chinh-phu"),
        ("Chính phủ", "agency/chinh-phu"),
        ("Quốc hội", "agency/quoc-hoi"),
        ("Bộ GTVT", "agency/bo-giao-thong-van-tai"),
        ("Bộ TN&MT", "agency/bo-tai-nguyen-va-moi-truong"),
        ("BTC", "agency/bo-tai-chinh"),
        ("Bộ Quốc phòng", "agency/bo-quoc-phong"),
        ("Bộ GDĐT", "agency/bo-giao-duc-va-dao-tao"),
        ("Bộ Lao động – Thương binh và Xã hội", "agency/bo-lao-dong-thuong-binh-va-xa-hoi"),
        ("Văn phòng Chính phủ", "agency/van-phong-chinh-phu"),
        ("Bộ Nông nghiệp và Môi trường", "agency/bo-nong-nghiep-va-moi-truong"),
        ("UBND tỉnh Lạng Sơn", "agency/ubnd/20"),
        ("Ủy ban nhân dân tỉnh Lai Châu", "agency/ubnd/12"),
        ("Uỷ ban nhân dân tỉnh Lai Châu", "agency/ubnd/12"),
        ("Chủ tịch Ủy ban nhân dân tỉnh Lai Châu", "agency/ubnd/12"),
        ("HĐND tỉnh Lai Châu", "agency/hdnd/12"),
        ("UBND thành phố Hà Nội", "agency/ubnd/01"),
        ("Sở KH&ĐT tỉnh Lạng Sơn", "agency/so/so-ke-hoach-va-dau-tu/20"),
        ("Sở GDĐT tỉnh Hà Tĩnh", "agency/so/so-giao-duc-va-dao-tao/42"),
    ],
)
def test_agency_name_forms(resolver, mention, expected):
    match = resolver.agency(mention)
    assert match is not None and key(match.iri) == expected


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Sở Kế hoạch và đầu tư", "agency/so/so-ke-hoach-va-dau-tu/12"),
        ("Sở Kế hoạch và Đầu tư", "agency/so/so-ke-hoach-va-dau-tu/12"),
        ("Sở Giao thông Vận tải", "agency/so/so-giao-thong-van-tai/12"),
        ("UBND tỉnh", "agency/ubnd/12"),
        ("Ủy ban nhân dân tỉnh", "agency/ubnd/12"),
        ("HĐND tỉnh", "agency/hdnd/12"),
        ("UBND tỉnh Lạng Sơn", "agency/ubnd/20"),  # an explicit province beats the hint
    ],
)
def test_provincial_agencies_with_a_province_hint(resolver, mention, expected):
    assert resolver.agency(mention) is None or "Lạng Sơn" in mention
    match = resolver.agency(mention, province=LAI_CHAU)
    assert match is not None and key(match.iri) == expected


def test_agency_as_of(resolver):
    assert key(resolver.agency("UBND tỉnh Lạng Sơn", as_of=AFTER_REFORM).iri) == "agency/ubnd-2025/20"
    assert (
        key(resolver.agency("UBND tỉnh", as_of=AFTER_REFORM, province=LAI_CHAU).iri) == "agency/ubnd-2025/12"
    )
    # the former ministry keeps its name in later texts
    assert (
        key(resolver.agency("Bộ Kế hoạch và Đầu tư", as_of=date(2025, 5, 1)).iri)
        == "agency/bo-ke-hoach-va-dau-tu"
    )
    assert resolver.agency("Sở Kế hoạch và Đầu tư", as_of=AFTER_REFORM, province=LAI_CHAU) is None


@pytest.mark.parametrize("mention", ["Bộ Tình yêu", "UBND", "Sở", "Chính phủ số", "Ban Chỉ đạo"])
def test_agency_negatives(resolver, mention):
    assert resolver.agency(mention, province=LAI_CHAU) is None


def test_find_agencies_in_the_lai_chau_meeting(resolver):
    text = corpus("laichau_phien-hop")
    found = spans(text, resolver.find_agencies(text, as_of=date(2021, 6, 4), province=LAI_CHAU))
    assert found["UBND tỉnh"] == "agency/ubnd/12"
    assert found["Sở Kế hoạch và đầu tư"] == "agency/so/so-ke-hoach-va-dau-tu/12"
    assert found["Sở Kế hoạch và Đầu tư"] == "agency/so/so-ke-hoach-va-dau-tu/12"
    assert found["Sở Giao thông Vận tải"] == "agency/so/so-giao-thong-van-tai/12"
    assert found["HĐND tỉnh"] == "agency/hdnd/12"
    without_hint = spans(text, resolver.find_agencies(text))
    assert "UBND tỉnh" not in without_hint and "Sở Giao thông Vận tải" not in without_hint


def test_find_agencies_in_the_decisions(resolver):
    text = corpus("qd-1486")
    found = spans(text, resolver.find_agencies(text, as_of=date(2024, 11, 29)))
    assert found["Thủ tướng Chính phủ"] == "agency/thu-tuong-chinh-phu"
    assert found["Bộ Kế hoạch và Đầu tư"] == "agency/bo-ke-hoach-va-dau-tu"
    assert found["Ủy ban nhân dân tỉnh Lai Châu"] == "agency/ubnd/12"
    assert found["Chính phủ"] == "agency/chinh-phu"
    text = corpus("268-kh-ubnd")
    found = spans(text, resolver.find_agencies(text))
    assert found["UBND tỉnh Lạng Sơn"] == "agency/ubnd/20"
    assert "Chính phủ" not in found  # only "Chính phủ số" (digital government) besides the PM


def test_find_agencies_longest_first(resolver):
    text = "Phó Thủ tướng Chính phủ Trần Hồng Hà ký; Văn phòng Chính phủ thông báo; Bộ trưởng Bộ KH&ĐT dự"
    assert [(text[s:e], key(m.iri)) for s, e, m in resolver.find_agencies(text)] == [
        ("Thủ tướng Chính phủ", "agency/thu-tuong-chinh-phu"),
        ("Văn phòng Chính phủ", "agency/van-phong-chinh-phu"),
        ("Bộ KH&ĐT", "agency/bo-ke-hoach-va-dau-tu"),
    ]


def test_posts(resolver):
    assert key(resolver.post("Thủ tướng Chính phủ").iri) == "post/thu-tuong-chinh-phu"
    assert key(resolver.post("Phó Thủ tướng Chính phủ").iri) == "post/pho-thu-tuong-chinh-phu"
    assert key(resolver.post("Bộ trưởng Bộ Kế hoạch và Đầu tư").iri) == "post/head/bo-ke-hoach-va-dau-tu"
    assert key(resolver.post("Chủ tịch UBND tỉnh", province=LAI_CHAU).iri) == "post/chu-tich-ubnd/12"
    assert key(resolver.post("Phó Chủ tịch UBND tỉnh Lạng Sơn").iri) == "post/pho-chu-tich-ubnd/20"
    assert resolver.post("Chủ tịch UBND tỉnh") is None


def test_departments_of_the_34_provinces_from_july_2025():
    """"Sở Tài chính tỉnh Bắc Ninh" in a document of August 2025 is the merged province's department,
    the successor of the legacy Bắc Ninh's and Bắc Giang's; in 2024 it is the legacy one."""
    from datetime import date

    from quyhoach.loaders.reference.agencies import load_agencies
    from quyhoach.loaders.reference.resolver import get_resolver

    resolver = get_resolver()
    new = resolver.agency("Sở Tài chính tỉnh Bắc Ninh", date(2025, 8, 1))
    old = resolver.agency("Sở Tài chính tỉnh Bắc Ninh", date(2024, 8, 1))
    assert str(new.iri).endswith("agency/so-2025/so-tai-chinh/24")
    assert str(old.iri).endswith("agency/so/so-tai-chinh/27")
    agencies, _posts, changes = load_agencies()
    by_iri = {a.iri: a for a in agencies}
    assert by_iri[old.iri].successor == new.iri
    merger = next(c for c in changes if c.result == new.iri)
    assert {str(o).rsplit("/", 1)[1] for o in merger.originals} == {"24", "27"} and merger.day == date(2025, 7, 1)
    # a department merged on 1 March 2025 reaches the 34-province one through two dated steps
    planning = by_iri[resolver.agency("Sở Kế hoạch và Đầu tư tỉnh Bắc Giang", date(2024, 1, 1)).iri]
    assert by_iri[planning.successor].successor == new.iri
    assert len([a for a in agencies if a.key.startswith("so-2025/so-tai-chinh/")]) == 34
