"""Events, people and posts: the meeting, its chairs, steering committee, post holdings, signers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rdflib import RDF, Literal

from quyhoach.loaders.documents.discover import discover
from quyhoach.loaders.documents.pipeline import extract, read_source
from quyhoach.loaders.extract.events import find_people
from quyhoach.loaders.model import CleanDocument, ExtractionContext
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.namespaces import FOAF, ID, ORG, QH

REPO = Path(__file__).resolve().parent.parent
VARIANTS = Path(__file__).parent / "fixtures" / "documents" / "variants"
MINE = ("citations", "plans", "events")
COMMITTEE = ID["agency/ban-chi-dao/lap-quy-hoach-tinh-lai-chau"]


def _read(path: Path):
    return read_source(path, discover([path])[0][1])


def _laichau():
    doc = _read(next((REPO / "corpus").glob("2021-06-04_laichau*.txt")))
    return doc, extract(doc, extractors=MINE)


def _holdings(g):
    result = set()
    for h in g.subjects(predicate=QH.post):
        person = g.value(h, QH.person)
        result.add((str(g.value(person, FOAF.name)), str(g.value(h, QH.post)).rsplit("/id/", 1)[1], str(g.value(h, QH.asOf))))
    return result


def test_meeting_date_organiser_ordinal_subject_and_chairs():
    doc, g = _laichau()
    meeting = ID["meeting/ban-chi-dao/lap-quy-hoach-tinh-lai-chau/2021-06-04"]
    assert (meeting, QH.meetingDate, Literal(date(2021, 6, 4))) in g
    assert (meeting, QH.organizedBy, COMMITTEE) in g
    assert (meeting, QH.ordinal, Literal(3)) in g
    assert (meeting, QH.about, ID["plan/provincial/lai-chau/2021-2030"]) in g
    chairs = {str(g.value(p, FOAF.name)) for p in g.objects(meeting, QH.chair)}
    assert chairs == {"Trần Tiến Dũng", "Tống Thanh Hải", "Giàng A Tính", "Hà Trọng Hải"}
    assert (doc.iri, QH.describes, meeting) in g


def test_steering_committee_and_post_holdings():
    _doc, g = _laichau()
    assert (COMMITTEE, RDF.type, QH.SteeringCommittee) in g
    assert (COMMITTEE, QH.jurisdiction, ID["unit/province/12"]) in g
    assert _holdings(g) == {
        ("Trần Tiến Dũng", "post/chu-tich-ubnd/12", "2021-06-04"),
        ("Trần Tiến Dũng", "post/ban-chi-dao/lap-quy-hoach-tinh-lai-chau/truong-ban", "2021-06-04"),
        ("Tống Thanh Hải", "post/pho-chu-tich-ubnd/12", "2021-06-04"),
        ("Giàng A Tính", "post/pho-chu-tich-ubnd/12", "2021-06-04"),
        ("Hà Trọng Hải", "post/pho-chu-tich-ubnd/12", "2021-06-04"),
    }
    assert (ID["post/ban-chi-dao/lap-quy-hoach-tinh-lai-chau/truong-ban"], ORG.postIn, COMMITTEE) in g


def test_people_in_page_furniture_are_not_extracted():
    doc = _read(next((REPO / "corpus").glob("2024-10-14_mpi*.txt")))
    g = extract(doc, extractors=MINE)
    assert not list(g.subjects(predicate=FOAF.name))


def test_names_after_a_province_and_in_other_word_orders():
    ctx = ExtractionContext(as_of=date(2023, 5, 2), resolver=get_resolver())
    doc = CleanDocument(
        text=(
            "Chiều 15/10, Chủ tịch UBND tỉnh Hà Giang Nguyễn Văn Sơn chủ trì cuộc họp. "
            "Ông Lê Ngọc Châu - Phó Chủ tịch UBND tỉnh Hà Tĩnh phát biểu. "
            "Bộ trưởng Bộ Kế hoạch và Đầu tư Nguyễn Chí Dũng cho biết. "
            "Quang cảnh Hội nghị tại Hà Nội; Giá vàng tăng."
        ),
        path="x.txt",
    )
    people = {p.name: [phrase for phrase, _a, _b in p.posts] for p in find_people(doc, ctx)}
    assert people == {
        "Nguyễn Văn Sơn": ["Chủ tịch UBND tỉnh Hà Giang"],
        "Lê Ngọc Châu": ["Phó Chủ tịch UBND tỉnh Hà Tĩnh"],
        "Nguyễn Chí Dũng": ["Bộ trưởng Bộ Kế hoạch và Đầu tư"],
    }


def test_meeting_with_afternoon_date_and_year_from_document():
    doc = CleanDocument(
        text=(
            "Chiều 15/10, UBND tỉnh Hà Tĩnh tổ chức Hội nghị công bố Quy hoạch tỉnh Hà Tĩnh thời kỳ 2021 - 2030, "
            "tầm nhìn đến năm 2050. Chủ tịch UBND tỉnh Võ Trọng Hải chủ trì Hội nghị."
        ),
        path="x.txt",
        published=date(2023, 10, 16),
    )
    g = extract(doc, extractors=MINE)
    meeting = ID["meeting/ubnd/42/2023-10-15"]
    assert (meeting, QH.meetingDate, Literal(date(2023, 10, 15))) in g
    assert (meeting, QH.organizedBy, ID["agency/ubnd/42"]) in g
    assert [str(g.value(p, FOAF.name)) for p in g.objects(meeting, QH.chair)] == ["Võ Trọng Hải"]
    assert ("Võ Trọng Hải", "post/chu-tich-ubnd/42", "2023-10-16") in _holdings(g)


def test_signer_holds_the_post_on_the_signing_date():
    doc = _read(VARIANTS / "ha-tinh_qd-1363-phe-duyet-quy-hoach.txt")
    g = extract(doc, extractors=MINE)
    assert ("Lê Văn Thành", "post/pho-thu-tuong-chinh-phu", "2022-11-08") in _holdings(g)


def test_chairman_in_html_capture():
    doc = _read(VARIANTS / "yen-bai_ke-hoach-45.html")
    g = extract(doc, extractors=MINE)
    assert ("Trần Huy Tuấn", "post/chu-tich-ubnd/15", "2024-03-13") in _holdings(g)
