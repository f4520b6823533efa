"""Vietnamese numbers, ranges, comparators and money scales."""

from decimal import Decimal

import pytest

from quyhoach.loaders.extract.numbers import find_quantities, first_quantity, parse_number


@pytest.mark.parametrize(
    ("written", "value"),
    [("545.000", "545000"), ("9,5", "9.5"), ("1.234.567", "1234567"), ("03", "3"), ("1.234,5", "1234.5"), ("4.0", "4.0")],
)
def test_parse_number(written, value):
    assert parse_number(written) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "lo", "hi", "unit", "comp"),
    [
        ("tăng 1,4%-1,5%/năm", "1.4", "1.5", "%/năm", None),
        ("đạt 9–11%", "9", "11", "%", None),
        ("đạt 7 — 8,5 %", "7", "8.5", "%", None),
        ("khoảng từ 9 đến 11%", "9", "11", "%", "about"),
        ("đạt 8 - 9%/năm", "8", "9", "%/năm", None),
        ("giảm từ 02 - 03%/năm", "2", "3", "%/năm", None),
    ],
)
def test_ranges(text, lo, hi, unit, comp):
    q = first_quantity(text)
    assert (q.min, q.max, q.unit, q.comparator) == (Decimal(lo), Decimal(hi), unit, comp)
    assert q.value is None and q.is_range


@pytest.mark.parametrize(
    ("text", "value", "comp", "unit"),
    [
        ("trên 56%", "56", "above", "%"),
        ("khoảng 30%", "30", "about", "%"),
        ("gần 545.000 người", "545000", "about", "người"),
        ("ít nhất 03 đơn vị", "3", "at-least", ""),
        ("không quá 2,5%", "2.5", "below", "%"),
        ("đạt 2 triệu khách", "2000000", None, "khách"),
    ],
)
def test_comparators_and_counts(text, value, comp, unit):
    q = first_quantity(text)
    assert (q.value, q.comparator, q.unit) == (Decimal(value), comp, unit)


@pytest.mark.parametrize(
    ("text", "unit", "vnd"),
    [
        ("khoảng 168 nghìn tỷ đồng", "nghìn tỷ đồng", "168000000000000"),
        ("3.000 tỷ đồng", "tỷ đồng", "3000000000000"),
        ("105 triệu đồng/người", "triệu đồng/người", "105000000"),
        ("tương đương 21 nghìn tỷ)", "nghìn tỷ", "21000000000000"),
        ("250 ngàn tỷ đồng", "ngàn tỷ đồng", "250000000000000"),
    ],
)
def test_money_scales(text, unit, vnd):
    q = first_quantity(text)
    assert q.unit == unit and q.is_money and q.vnd == Decimal(vnd)


def test_codes_dates_and_route_numbers_are_not_quantities():
    text = "Quyết định số 1161/QĐ-TTg ngày 20/6, quốc lộ 4A, QL.4B"
    assert [q.text for q in find_quantities(text)] == []


def test_percentage_followed_by_noun_has_no_count_unit():
    q = first_quantity("trên 99% hộ dân được sử dụng điện")
    assert (q.value, q.unit, q.text) == (Decimal(99), "%", "trên 99%")


def test_spans_point_at_the_text():
    text = "dân số gần 545.000 người vào năm 2030"
    q = first_quantity(text)
    assert text[q.start : q.end] == "gần 545.000 người"
    assert first_quantity("giai đoạn 2021 - 2030") is None
