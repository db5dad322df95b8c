"""The series chart's selection (qa.facts.series): one unit, one best figure per report (the others
kept and said), reports without a figure named rather than drawn as zero, and bars ordered by year
for one region or by region for one year. Facts made for the test."""

from __future__ import annotations

from itertools import count

from qa.facts.model import Fact
from qa.facts.select import Match
from qa.facts.series import Report, build_series, choose_unit

_ids = count(1)
YN9, YN11 = Report("yn-2009", "Yunnan, 2009", "Yunnan", 2009), Report("yn-2011", "Yunnan, 2011", "Yunnan", 2011)
QH11 = Report("qh-2011", "Qinghai, 2011", "Qinghai", 2011)
IM9 = Report("im-2009", "Inner Mongolia, 2009", "Inner Mongolia", 2009)


def m(doc: str, raw: str, value: float, score: float = 1.0, *, unit: str = "people", kind: str = "count",
      period: int | None = None, start: int = 0, qualifier: str = "") -> Match:
    sentence = f"The report says {raw} here."
    a = sentence.index(raw)
    year = period if period is not None else int(doc.split("-")[-1])
    f = Fact(id=f"f{next(_ids)}", doc=doc, passage_id=f"{doc}:p1", section="Overview", kind=kind, value=value,
             unit=unit, raw=raw, start=start + a, end=start + a + len(raw), sentence=sentence,
             sentence_start=start, sentence_end=start + len(sentence), measure="poor population",
             period=str(year), period_start=year, period_end=year, qualifier=qualifier)
    return Match(f, score)


def test_one_region_is_ordered_by_year_and_described_in_words():
    s = build_series("poor population", [m("yn-2011", "10.14 million", 10.14e6), m("yn-2009", "5.4 million", 5.4e6)],
                     [YN11, YN9])
    assert s.order == "year" and [b.report.id for b in s.bars] == ["yn-2009", "yn-2011"]
    assert s.description == ("Poor population (people) in 2 reports, by year: Yunnan, 2009: 5.4 million; "
                             "Yunnan, 2011: 10.14 million.")
    assert s.notes == []


def test_one_year_is_ordered_by_region():
    s = build_series("poor population", [m("yn-2009", "5.4 million", 5.4e6), m("im-2009", "917,000", 917e3)],
                     [YN9, IM9])
    assert s.order == "region" and [b.report.label for b in s.bars] == ["Inner Mongolia, 2009", "Yunnan, 2009"]


def test_people_are_never_drawn_beside_yuan_and_the_rest_is_said():
    matches = [m("yn-2009", "5.4 million", 5.4e6), m("yn-2011", "10.14 million", 10.14e6),
               m("qh-2011", "806 million Yuan", 806e6, unit="yuan", kind="money")]
    s = build_series("poor population", matches, [YN9, YN11, QH11])
    assert s.unit == "people" and {b.best.fact.unit for b in s.bars} == {"people"}
    assert list(s.other_units) == ["yuan"]
    assert "Matching figures in other units than people are not drawn: 1 in yuan." in s.notes
    assert any(n == "No matching figure in people: Qinghai, 2011." for n in s.notes)
    # Asked for yuan, the chart is of yuan and the people are the ones left out.
    y = build_series("poor population", matches, [YN9, YN11, QH11], unit="yuan")
    assert [b.report.id for b in y.bars] == ["qh-2011"] and list(y.other_units) == ["people"]


def test_the_unit_most_reports_have_is_drawn():
    matches = [m("yn-2009", "13.9%", 13.9, 1.0, unit="%", kind="percent"), m("yn-2009", "5.4 million", 5.4e6, 0.9),
               m("yn-2011", "10.14 million", 10.14e6, 0.9)]
    assert choose_unit(matches) == "people"


def test_a_report_with_several_figures_uses_the_best_and_lists_the_others():
    best, other = m("yn-2011", "10.14 million", 10.14e6, 0.9, start=100), m("yn-2011", "1.602 million", 1.6e6, 0.64)
    s = build_series("poor population", [other, best], [YN11])
    (bar,) = s.bars
    assert bar.best is best and bar.others == [other]
    assert s.notes[0].startswith("1 report has several matching figures: each bar uses the best match")


def test_a_tie_goes_to_the_figure_of_the_reports_year_then_the_first():
    old, this = m("qh-2011", "185,000", 185e3, 0.8, period=2010), m("qh-2011", "334,700", 334.7e3, 0.8, start=50)
    s = build_series("poor population", [old, this], [QH11])
    assert s.bars[0].best is this and s.bars[0].period_note == ""
    only_old = build_series("poor population", [old], [QH11])
    assert only_old.bars[0].period_note == "figure for 2010"
    assert "Qinghai, 2011: 185,000 (figure for 2010)" in only_old.description


def test_a_qualifier_stays_with_its_figure():
    s = build_series("poor population", [m("yn-2009", "5 million", 5e6, qualifier="more than")], [YN9])
    assert s.bars[0].text == "more than 5 million" and "Yunnan, 2009: more than 5 million" in s.description


def test_nothing_matching_says_so():
    s = build_series("poor population", [], [YN9, QH11])
    assert s.bars == [] and s.unit is None
    assert s.description == "Poor population: no report in scope has a matching figure."
    assert s.notes == ["No matching figure: Qinghai, 2011; Yunnan, 2009."]


def test_a_figure_with_the_words_only_in_its_sentence_is_not_drawn_beside_ones_that_measure_them():
    slogan = Match(m("qh-2011", "ten thousand", 1e4).fact, 0.64, by_measure=False)
    s = build_series("poor population", [m("yn-2009", "5.4 million", 5.4e6), slogan], [YN9, QH11])
    assert [b.report.id for b in s.bars] == ["yn-2009"] and [r.id for r in s.missing] == ["qh-2011"]
    assert s.weaker == {"qh-2011": [slogan]}
    assert s.notes == ["Not drawn, as the words asked are only in their sentence, not in what they measure: "
                       "Qinghai, 2011: ten thousand."]
    # With no figure that measures them anywhere, the sentence matches are all there is, and are drawn.
    alone = build_series("poor population", [slogan], [YN9, QH11])
    assert [b.report.id for b in alone.bars] == ["qh-2011"] and alone.weaker == {}
    # Within a report, a figure that measures the words beats a better-scored sentence match.
    measured = m("yn-2009", "5.4 million", 5.4e6, 0.7)
    loose = Match(m("yn-2009", "6 million", 6e6).fact, 0.7, by_measure=False)
    assert build_series("poor population", [loose, measured], [YN9]).bars[0].best is measured
