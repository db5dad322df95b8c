"""Fact extractor, number normalization, fact store and gold evaluation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qa.corpus.documents import load_corpus
from qa.corpus.passages import split_passages
from qa.evaluation.facts import evaluate_facts
from qa.facts.extract import extract_facts
from qa.facts.store import load_facts, query_facts, write_facts
from qa.text.numbers import normalize_number

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus"
FICTIONAL = ROOT / "tests" / "data" / "fictional" / "corpus"
GOLDS = [(SEED, ROOT / "eval" / "facts_gold.jsonl"),
         (FICTIONAL, ROOT / "tests" / "data" / "fictional" / "facts_gold.jsonl")]  # fmt: skip


def _facts(corpus: Path):
    out = []
    for d in load_corpus(corpus):
        out.append((d, extract_facts(d, split_passages(d))))
    return out


@pytest.fixture(scope="module")
def seed():
    return _facts(SEED)


@pytest.fixture(scope="module")
def fictional():
    return _facts(FICTIONAL)


NORMALIZE = [
    ("350 million Yuan", 350_000_000, "yuan"),
    ("24.0506 million", 24_050_600, ""),
    ("1,183,000", 1_183_000, ""),
    ("eight", 8, ""),
    ("54.9%", 54.9, "%"),
    ("1.44 billion", 1_440_000_000, ""),
    ("110 million", 110_000_000, ""),
    ("RMB 54.6 million", 54_600_000, "yuan"),
    ("RMB 286 million", 286_000_000, "yuan"),
    ("Yuan 12 million", 12_000_000, "yuan"),
    ("31,000 people", 31_000, "people"),
    ("1,183,000 square kilometers", 1_183_000, "km²"),
    ("46,000 hectares", 46_000, "hectares"),
    ("11.6 percent", 11.6, "%"),
    ("3.2 per cent", 3.2, "%"),
    ("more than 300 million Yuan", 300_000_000, "yuan"),
    ("about 52%", 52, "%"),
    ("nearly 90%", 90, "%"),
    ("at least 7", 7, ""),
    ("over 3,200", 3_200, ""),
    ("twelve", 12, ""),
    ("twenty-five", 25, ""),
    ("ten", 10, ""),
    ("2.136 million", 2_136_000, ""),
    ("5 billion Yuan", 5_000_000_000, "yuan"),
    ("169.81 million Yuan", 169_810_000, "yuan"),
    ("20-30 million", 20_000_000, ""),
    ("5–10%", 5, "%"),
    ("2400 people", 2_400, "people"),
    ("93 cadres", 93, "people"),
    ("350 key poor Gacha villages", 350, "villages"),
    ("3000 poor households", 3_000, "households"),
    ("33 animal husbandry banners", 33, "banners"),
    ("1560 Yuan", 1_560, "yuan"),
    ("1.5 thousand", 1_500, ""),
    ("no figure here", None, ""),
]


@pytest.mark.parametrize(("text", "value", "unit"), NORMALIZE)
def test_normalize_number(text, value, unit):
    v, u = normalize_number(text)
    assert v == value
    assert u == unit
    if value is not None:
        assert isinstance(v, int) == isinstance(value, int)


@pytest.mark.parametrize("which", ["seed", "fictional"])
def test_raw_and_sentence_verbatim(which, request):
    for doc, facts in request.getfixturevalue(which):
        passages = {p.id: p for p in split_passages(doc)}
        assert facts
        for f in facts:
            assert doc.text[f.start : f.end] == f.raw
            assert doc.text[f.sentence_start : f.sentence_end] == f.sentence
            assert f.sentence_start <= f.start < f.end <= f.sentence_end
            p = passages[f.passage_id]
            assert p.start <= f.start < p.end
            assert f.period and f.period_start is not None


@pytest.mark.parametrize("which", ["seed", "fictional"])
def test_money_and_counts_have_unit_and_measure(which, request):
    for _, facts in request.getfixturevalue(which):
        for f in facts:
            if f.kind in ("money", "count", "per_capita", "percent", "area"):
                assert f.unit, f
                assert isinstance(f.value, int | float), f
            if f.kind in ("money", "count"):
                assert f.measure, f
            if f.kind == "money":
                assert f.unit == "yuan"
            if f.kind in ("person", "organisation", "place"):
                assert f.value is None and f.raw


def test_deterministic(seed):
    doc = seed[0][0]
    again = extract_facts(doc, split_passages(doc))
    assert [f.to_dict() for f in again] == [f.to_dict() for f in seed[0][1]]
    assert [f.start for f in again] == sorted(f.start for f in again)
    assert len({f.id for f in again}) == len(again)


def test_seed_examples(seed):
    facts = seed[0][1]
    by_raw = {}
    for f in facts:
        by_raw.setdefault(f.raw, f)
    assert by_raw["110 million"].kind == "money" and by_raw["110 million"].measure == "anti-poverty funds"
    assert by_raw["1.44 billion"].value == 1_440_000_000
    assert by_raw["333 million Yuan"].measure == "project loan"
    assert by_raw["200 million Yuan"].measure == "household loan"
    assert by_raw["October 2009"].period == "2009-10"
    assert by_raw["2006 to 2009"].period == "2006–2009"
    assert by_raw["300 million Yuan"].qualifier == "more than"
    cadres = next(f for f in facts if f.raw == "93")
    people = next(f for f in facts if f.raw == "345")
    assert cadres.part_of == people.id and people.subject == "department-level bureaus"
    ren = next(f for f in facts if f.kind == "person" and f.raw == "Ren Yaping")
    assert ren.role.startswith("Vice Secretary of Inner Mongolia Autonomous Region Party Committee")
    assert next(f for f in facts if f.raw == "1560 Yuan").kind == "per_capita"


@pytest.mark.parametrize(("corpus", "gold"), GOLDS)
def test_gold_targets(corpus, gold):
    r = evaluate_facts(load_corpus(corpus), gold)
    assert r["recall"] >= 0.97, r["misses"]
    assert r["precision"] >= 0.95, r["extras"]
    assert r["value_accuracy"] >= 0.99 and r["unit_accuracy"] >= 0.99, r["wrong_values"]


def test_factstore_round_trip_and_queries(tmp_path, seed, fictional):
    facts = seed[0][1] + fictional[0][1]
    db = tmp_path / "facts.sqlite"
    write_facts(db, facts)
    assert sorted(load_facts(db), key=lambda f: f.id) == sorted(facts, key=lambda f: f.id)

    rows, total = query_facts(db, kind="money", doc="inner-mongolia-2009")
    assert total == sum(1 for f in seed[0][1] if f.kind == "money") == len(rows)
    rows, total = query_facts(db, kind="money", sort="-value", limit=3)
    assert len(rows) == 3 and rows[0]["value"] >= rows[1]["value"] >= rows[2]["value"]
    assert total > 3
    rows, _ = query_facts(db, section="Entire Village Advancement", doc="inner-mongolia-2009")
    assert rows and all(r["section"] == "Entire Village Advancement" for r in rows)
    rows, _ = query_facts(db, q="anti-poverty", limit=0)
    assert len(rows) == 1  # limit clamped to >= 1
    rows, total = query_facts(db, limit=10_000)
    assert len(rows) == min(total, 1000)
    rows, _ = query_facts(db, offset=-5, limit=2)
    assert len(rows) == 2
    for evil in ("'; DROP TABLE facts; --", "%", "_", "\\", '" OR 1=1 --'):
        rows, total = query_facts(db, q=evil)
        assert total == 0 or all(evil.lower() in " ".join(str(r[c]) for c in r).lower() for r in rows)
    assert query_facts(db)[1] == len(facts)
    with pytest.raises(ValueError):
        query_facts(db, sort="value; DROP TABLE facts")

    errors: list[BaseException] = []

    def reader():
        try:
            for _ in range(5):
                query_facts(db, kind="count")
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


PROBE = (
    "Poverty Alleviation and Development in Gansu\n\n      【Overview】  Gansu has 86 counties, including 43 key "
    "counties and 12 border counties. Of the 2.1 billion Yuan invested, 1.2 billion Yuan came from the central "
    "government and 500 million Yuan from the province. Seven ethnic groups received support.\n\n      【Work】  "
    "In 2009, the Gansu Provincial government and the Tianshui Municipal government signed an agreement. Leaders "
    "visited Dingxi, Tianshui and Longnan City, and inspected projects in Pingliang and Qingyang. Tianshui "
    "invested 3 million Yuan. Work was carried out in Science and Technology. The province launched a "
    "three-year plan and trained teachers over half a year. Loans have a term of up to three years. The poor "
    "live in Hexi Corridor areas, Longzhong wind erosion areas and Loess Plateau regions. Five pilot "
    "market-oriented cooperative projects were built.\n"
)


@pytest.fixture(scope="module")
def probe():
    from qa.corpus.documents import Document

    doc = Document(id="probe", title="Poverty Alleviation and Development in Gansu", text=PROBE,
                   meta={"region": "Gansu", "year": 2009}, path="")  # fmt: skip
    facts = extract_facts(doc, split_passages(doc))
    return {(f.kind, f.raw): f for f in facts}, facts


def test_general_names(probe):
    by, facts = probe
    for name in ("Gansu Provincial government", "Tianshui Municipal government"):
        assert ("organisation", name) in by  # lowercase "government" suffix
    for name in ("Dingxi", "Longnan City", "Pingliang", "Qingyang", "Hexi Corridor", "Longzhong",
                 "Loess Plateau"):  # fmt: skip
        assert ("place", name) in by, name
    assert sum(1 for f in facts if f.kind == "place" and f.raw == "Tianshui") == 2  # list mate + known name
    assert not any(f.raw in ("Science", "Technology", "Gansu") for f in facts if f.kind == "place")


def test_general_figures(probe):
    by, _ = probe
    total, central, prov = by[("money", "2.1 billion Yuan")], by[("money", "1.2 billion Yuan")], by[
        ("money", "500 million Yuan")]  # fmt: skip
    assert central.part_of == total.id and prov.part_of == total.id
    assert by[("count", "43")].part_of == by[("count", "86")].id
    seven = by[("count", "Seven")]
    assert seven.value == 7 and seven.unit == "groups"
    five = by[("count", "Five")]
    assert five.value == 5 and five.unit == "projects"  # "market-oriented" does not end the noun phrase
    plan = by[("duration", "three-year")]
    assert (plan.value, plan.unit, plan.measure) == (3, "years", "plan")
    assert by[("duration", "half a year")].value == 0.5
    term = by[("duration", "three years")]
    assert (term.qualifier, term.measure) == ("up to", "term")


def test_whole_year_figure_is_dated_by_its_year(seed):
    """Issue 14: "By the end of October 2009, ... 310 million ... were invested in the whole year"
    covers 2009, not October; the count in the clause the month governs keeps the month."""
    facts = seed[0][1]
    whole_year = next(f for f in facts if f.raw == "310 million")
    assert (whole_year.period, whole_year.period_start, whole_year.period_end) == ("2009", 2009, 2009)
    assert next(f for f in facts if f.raw == "137").period == "2009-10"


def test_a_figure_before_its_sections_first_year_is_of_the_reports_year() -> None:
    from qa.corpus.documents import Document

    text = ("Poverty Alleviation and Development in Baiyun\n\n"
            "      【Overview】 Baiyun covers 52,000 square kilometers and has a population of 4.2 million. "
            "Based on the national poverty line, in 2001, Baiyun had a poor population of 610,000. "
            "The poor population was 380,000 at the end of 2013.\n")
    doc = Document(id="baiyun-2013", title="Poverty Alleviation and Development in Baiyun", text=text,
                   meta={"region": "Baiyun", "year": 2013}, path="")  # fmt: skip
    by = {f.raw: f for f in extract_facts(doc, split_passages(doc))}
    assert by["4.2 million"].period_start == 2013  # not the 2001 of the sentence after it
    assert by["610,000"].period_start == 2001


def test_a_less_common_surname_is_a_person_and_a_document_number_is_not() -> None:
    from qa.facts.names import find_people

    got = find_people("In Baiyun, Miao Jianguo, Vice Governor and Head of the Leading Group, chaired the meeting.")
    assert [p.name for p in got] == ["Miao Jianguo"] and got[0].role.startswith("Vice Governor")
    assert find_people('issued the "Opinions" (Xi Dang Fa [2011] No. 19) in September') == []
