"""The facts page's money chart (issue 14, item 6): no sum mixes periods, kinds of money, or an
amount with a larger amount it is part of, and the chart says in words what each bar adds.
Unit tests on facts made for the test; then the real seed index and the rendered page."""

from __future__ import annotations

import re
from itertools import count

import pytest

from qa.facts.model import Fact
from qa.web.chart import money_chart, money_kind, money_label
from qa.web.templating import figure

_ids = count(1)


def fact(raw: str, value: float, *, section: str = "Roads", measure: str = "funds", period: tuple = (2009, 2009),
         sentence: str | None = None, part_of: str = "", qualifier: str = "", kind: str = "money",
         unit: str = "yuan", fid: str | None = None) -> Fact:
    """A money fact as the extractor makes it: ``raw`` sits in ``sentence`` at its offsets."""
    sentence = sentence or f"In 2009, {raw} of {measure} were provided."
    a = sentence.index(raw)
    ps, pe = period
    label = "" if ps is None else (str(ps) if ps == pe else f"{ps}–{pe}")
    return Fact(id=fid or f"f{next(_ids)}", doc="d", passage_id="d:p1", section=section, kind=kind, value=value,
                unit=unit, raw=raw, start=1000 + a, end=1000 + a + len(raw), sentence=sentence,
                sentence_start=1000, sentence_end=1000 + len(sentence), measure=measure, subject=section,
                period=label, period_start=ps, period_end=pe, qualifier=qualifier, part_of=part_of)


def bars_of(chart) -> list[tuple[str, str, str, float, list[str]]]:
    return [(g.kind, g.period_text, b.section, b.value, [f.raw for f in b.facts]) for g in chart.groups for b in g.bars]


def test_a_multi_year_total_is_never_added_to_one_year():
    facts = [fact("310 million", 310e6, section="Social"),
             fact("800 million", 800e6, section="Social", period=(2006, 2009)),
             fact("20 million", 20e6, section="Social")]
    chart = money_chart(facts)
    assert sorted(bars_of(chart)) == sorted([
        ("funds", "2009", "Social", 330e6, ["310 million", "20 million"]),
        ("funds", "2006–2009", "Social", 800e6, ["800 million"])])
    assert [g.title for g in chart.groups] == ["Funds, 2009", "Funds, 2006–2009"]


def test_a_month_dated_figure_counts_in_its_year():
    """period "2009-10" covers years 2009-2009: it is added to 2009 figures and the bar says "2009"."""
    october = fact("5 million", 5e6)
    october = Fact(**{**october.to_dict(), "period": "2009-10"})
    chart = money_chart([october, fact("7 million", 7e6)])
    assert bars_of(chart) == [("funds", "2009", "Roads", 12e6, ["5 million", "7 million"])]
    assert "2009-10" not in chart.groups[0].title + chart.groups[0].description


def test_loans_and_materials_are_never_added_to_funds():
    s = ("In 2009, 78 million Yuan of funds were provided; the project loan and household loan respectively "
         "amounted to 333 million Yuan and 200 million Yuan.")
    s2 = "Capital and materials valued 40 million were donated."
    facts = [fact("78 million Yuan", 78e6, sentence=s, measure="anti-poverty funds"),
             fact("333 million Yuan", 333e6, sentence=s, measure="project loan"),
             fact("200 million Yuan", 200e6, sentence=s, measure="household loan"),
             # the measure alone says "funds"; the words before the figure say it is goods valued
             fact("40 million", 40e6, sentence=s2, measure="funds")]
    assert [money_kind(f) for f in facts] == ["funds", "loans", "loans", "in_kind"]
    by_kind = {g.kind: g for g in money_chart(facts).groups}
    assert [f.raw for f in by_kind["funds"].bars[0].facts] == ["78 million Yuan"]
    assert by_kind["loans"].bars[0].value == 533e6
    assert [f.raw for f in by_kind["in_kind"].bars[0].facts] == ["40 million"]
    assert "loans" in by_kind["loans"].description and "no loans" in by_kind["funds"].description


def test_a_part_is_left_out_when_its_total_is_counted():
    total = fact("100 million", 100e6, fid="total")
    part = fact("30 million", 30e6, part_of="total")
    part_of_part = fact("10 million", 10e6, part_of=part.id)
    chart = money_chart([total, part, part_of_part])
    assert bars_of(chart) == [("funds", "2009", "Roads", 100e6, ["100 million"])]
    assert [(f.raw, why) for f, why in chart.left_out] == [
        ("30 million", "part of a larger amount on the chart"), ("10 million", "part of a larger amount on the chart")]
    assert chart.notes == ["2 amounts are left out, part of a larger amount on the chart: 30 million (funds); "
                           "10 million (funds)."]
    # A part whose total is not a money amount in yuan (so not on the chart) is counted itself.
    other = fact("12 million", 12e6, section="Schools", part_of="not-money")
    assert bars_of(money_chart([other])) == [("funds", "2009", "Schools", 12e6, ["12 million"])]


def test_only_money_in_yuan_with_a_value_is_charted():
    facts = [fact("5 million", 5e6), fact("3 million", 3e6, kind="count", unit="people"),
             fact("2 million dollars", 2e6, unit="usd"), Fact(**{**fact("9 million", 9e6).to_dict(), "value": None})]
    assert bars_of(money_chart(facts)) == [("funds", "2009", "Roads", 5e6, ["5 million"])]


def test_the_chart_says_what_each_bar_adds():
    s = "Financial and materials valued more than 300 million Yuan and capital valued 800 million were provided."
    facts = [fact("300 million Yuan", 300e6, period=(2006, 2009), sentence=s, qualifier="more than"),
             fact("800 million", 800e6, period=(2006, 2009), sentence=s, measure="capital and materials")]
    g = money_chart(facts).groups[0]
    bar = g.bars[0]
    assert g.title == "Funds and materials, 2006–2009"
    assert "dated 2006–2009" in g.description and "2 facts" in g.description
    assert bar.text == "at least 1.1 bn yuan"  # "more than 300 million": the sum is a floor
    assert bar.sum_text == "more than 300 million Yuan (funds) + 800 million (capital and materials)"
    # Segments lie side by side, one per operand, on the chart's one scale.
    assert [(s.x, s.w) for s in bar.segments] == [(0, 273), (273, 727)]


def test_rough_amounts_make_a_rough_sum():
    bar = money_chart([fact("5 million", 5e6, qualifier="nearly"), fact("7 million", 7e6)]).bars[0]
    assert bar.text == "about 12 m yuan"


def test_bars_of_one_group_share_a_scale_with_other_groups():
    chart = money_chart([fact("100 million", 100e6), fact("50 million", 50e6, measure="household loan")])
    widths = {g.kind: g.bars[0].segments[0].w for g in chart.groups}
    assert widths == {"funds": 1000, "loans": 500}


@pytest.mark.parametrize(("value", "text"), [(1_440_000_000, "1.44 bn yuan"), (350_000_000, "350 m yuan"),
                                             (186_310_000, "186.31 m yuan"), (1_100_000_000, "1.1 bn yuan"),
                                             (950, "950 yuan")])
def test_money_label(value, text):
    assert money_label(value) == text


@pytest.mark.parametrize(("value", "text"), [(169_810_000, "169,810,000"), (24050600.0, "24,050,600"),
                                             (54.9, "54.9"), (1234.5678, "1,234.5678"), (None, ""), (7, "7")])
def test_table_values_have_thousands_separators(value, text):
    assert figure(value) == text


def test_no_bar_of_the_seed_index_mixes_periods_or_kinds(qa_index):
    chart = money_chart(qa_index.facts)
    assert chart.bars
    ids = {f.id for b in chart.bars for f in b.facts}
    for g in chart.groups:
        for b in g.bars:
            assert {(f.period_start, f.period_end) for f in b.facts} == {g.period}, (g.title, b.sum_text)
            assert {money_kind(f) for f in b.facts} == {g.kind}, (g.title, b.sum_text)
            assert not any(f.part_of in ids for f in b.facts), b.sum_text
    # "Social poverty alleviation 1.4 bn" added a 2006-2009 total to a 2009 figure: now two bars.
    social = {g.period_text: b for g in chart.groups for b in g.bars if b.section == "Social poverty alleviation"}
    assert set(social) == {"2009", "2006–2009"}
    assert all(b.value < 1.2e9 for b in social.values())
    # Loans are a group of their own.
    assert any(g.kind == "loans" for g in chart.groups)
    assert all("loan" not in f.measure for g in chart.groups if g.kind != "loans" for b in g.bars for f in b.facts)


def test_facts_page_renders_the_honest_chart(client):
    html = client.get("/facts?kind=money").text
    assert "Funds, 2009" in html and "Loans, 2009" in html and "Funds and materials, 2006–2009" in html
    assert "Adds 333 million Yuan (project loan) + 200 million Yuan (household loan)" in html
    assert "2009-10" not in html.split('class="table-wrap"')[0]  # no month on the chart
    cells = re.findall(r'<td class="col-value">([^<]*)</td>', html)
    assert "350,000,000" in cells and "350000000" not in cells
