"""Funding totals and parts: prose totals, tables with tabs, pipes or spaces, prose parts."""

from datetime import date
from decimal import Decimal

from quyhoach.loaders.extract import funding
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.namespaces import ID, PREFIXES

PARTS = """
SELECT ?period ?source ?amount ?share WHERE {
  ?r a qh:FundingRequirement ; qh:hasPart ?p .
  ?p qh:fundingSource ?s ; qh:periodStart ?ps ; qh:periodEnd ?pe .
  OPTIONAL { ?p qh:amount ?amount } OPTIONAL { ?p qh:share ?share }
  BIND(CONCAT(STR(?ps), "-", STR(?pe)) AS ?period)
  BIND(REPLACE(STR(?s), "^.*/funding-source/", "") AS ?source)
}
"""


def run(text: str):
    doc = CleanDocument(text=text, path="variant.txt")
    ctx = ExtractionContext(as_of=date(2024, 6, 1), resolver=get_resolver(), main_document=ID["doc/qd-ttg/2024/77"],
                            main_plan=ID["plan/provincial/dien-bien/2021-2030"], scope_unit=ID["unit/province/11"])
    emitter = Emitter(doc)
    funding.extract(doc, emitter, ctx)
    return emitter.graph


def parts(graph):
    return {(str(r.period), str(r.source), Decimal(r.amount) if r.amount else None, Decimal(r.share) if r.share else None)
            for r in graph.query(PARTS, initNs=PREFIXES)}


def total(graph):
    rows = list(graph.query("SELECT ?t ?ps ?pe WHERE { ?r qh:totalAmount ?t ; qh:periodStart ?ps ; qh:periodEnd ?pe }",
                            initNs=PREFIXES))
    return [(Decimal(r.t), str(r.ps), str(r.pe)) for r in rows]


def test_total_and_pipe_table_with_three_periods():
    g = run(
        "Để đạt mục tiêu tăng trưởng 8%/năm trong thời kỳ 2021 – 2030, tỉnh cần huy động tổng vốn đầu tư toàn xã hội "
        "khoảng 250 ngàn tỷ đồng, cụ thể:\n"
        "Nguồn vốn | 2021 - 2025 | 2026 - 2028 | 2029 - 2030\n"
        "a) Vốn ngân sách nhà nước | 20% (tương đương 15 nghìn tỷ) | 18% (tương đương 20 nghìn tỷ) | 15% (tương đương 12 nghìn tỷ)\n"
        "b) Vốn khu vực ngoài nhà nước | 80% (tương đương 60 nghìn tỷ) | 82% (tương đương 90 nghìn tỷ) | 85% (tương đương 68 nghìn tỷ)\n"
    )
    assert total(g) == [(Decimal("250000000000000"), "2021", "2030")]
    got = parts(g)
    assert ("2021-2025", "state-budget", Decimal("15000000000000"), Decimal(20)) in got
    assert ("2029-2030", "non-state-sector", Decimal("68000000000000"), Decimal(85)) in got
    assert len(got) == 6


def test_space_separated_table_without_total_keeps_parts():
    g = run(
        "Cơ cấu vốn đầu tư\n"
        "  Giai đoạn 2021-2025    Giai đoạn 2026-2030\n"
        "Vốn FDI    10%    12%\n"
    )
    got = parts(g)
    assert got == {("2021-2025", "fdi", None, Decimal(10)), ("2026-2030", "fdi", None, Decimal(12))}
    assert total(g) == []


def test_prose_total_and_part_are_reported_as_written():
    g = run("Tổng nhu cầu vốn đầu tư giai đoạn 2026-2030 khoảng 3.500 tỷ đồng, trong đó vốn ngân sách nhà nước "
            "khoảng 1.200 tỷ đồng (chiếm 40%).")
    assert total(g) == [(Decimal("3500000000000"), "2026", "2030")]
    assert parts(g) == {("2026-2030", "state-budget", Decimal("1200000000000"), Decimal(40))}


def test_no_funding_without_a_total_phrase_or_table():
    g = run("Huy động các nguồn lực xã hội để đầu tư hạ tầng; vốn ngân sách tập trung cho công trình trọng điểm.")
    assert len(g) == 0


def test_totals_of_several_periods_in_one_sentence():
    # written for the test: one total per period clause, the first with the period after its figure
    g = run("Nhu cầu vốn đầu tư khoảng 95 nghìn tỷ đồng trong giai đoạn 2021 - 2025; giai đoạn 2026 - 2030 khoảng "
            "140,5 nghìn tỷ đồng và giai đoạn 2031-2035 khoảng 160 nghìn tỷ đồng.")
    assert sorted(total(g)) == [
        (Decimal("95000000000000"), "2021", "2025"),
        (Decimal("140500000000000"), "2026", "2030"),
        (Decimal("160000000000000"), "2031", "2035"),
    ]


def test_total_takes_the_period_of_its_clause_heading_and_parts_stay_in_their_article():
    # a decision written for the test: the total's period is in the heading of its clause; the
    # table of shares in another article belongs to no total of the first article
    g = run(
        "QUYẾT ĐỊNH\nPhê duyệt Kế hoạch thực hiện\nCăn cứ Luật Quy hoạch ngày 24 tháng 11 năm 2017;\n"
        "Điều 1. Nguồn lực thực hiện\n"
        "1. Giai đoạn 2026 - 2030:\nHuy động tổng vốn đầu tư toàn xã hội khoảng 300 nghìn tỷ đồng.\n"
        "Điều 2. Cơ cấu nguồn vốn giai đoạn 2021 - 2025\n"
        "Nguồn vốn\tGiai đoạn 2021 - 2025\tGiai đoạn 2026 - 2030\n"
        "Vốn ngân sách nhà nước\t15%\t12%\n"
        "Điều 3. Quyết định này có hiệu lực từ ngày ký.\n"
    )
    assert total(g) == [(Decimal("300000000000000"), "2026", "2030")]
    rows = list(g.query("SELECT ?r (COUNT(?p) AS ?n) WHERE { ?r a qh:FundingRequirement ; qh:hasPart ?p } GROUP BY ?r",
                        initNs=PREFIXES))
    assert len(rows) == 1 and int(rows[0].n) == 2
    owner = rows[0].r
    assert not list(g.objects(owner, funding.QH.totalAmount))  # the parts' own requirement, not the total's
    assert parts(g) == {("2021-2025", "state-budget", None, Decimal("15")), ("2026-2030", "state-budget", None, Decimal("12"))}
