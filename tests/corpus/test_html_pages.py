"""Reports as HTML pages saved from the yearbook site: text, sections and metadata read from the page,
bad pages refused with the file named, the rest of a corpus still read.

The pages in tests/data/html/ were made by ``bench/yearbook_page.py`` from the real reports of
eval/series/corpus, in the site's three layouts (canonical link / og:url and GBK / <br> paragraphs
with only the browser's "saved from" comment).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from qa.corpus.documents import CorpusError, add_document, load_corpus, load_document, scan_corpus
from qa.corpus.html import parse_page
from qa.corpus.meta import region_from_title, year_from_text, year_from_url
from qa.corpus.passages import split_passages

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "data" / "html"
SERIES = ROOT / "eval" / "series" / "corpus"
LAYOUTS = [("hebei-2009", "p"), ("qinghai-2010", "strong"), ("yunnan-2011", "br")]


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("rid", "layout"), LAYOUTS)
def test_page_metadata_matches_the_real_report(rid, layout):
    real = json.loads((SERIES / f"{rid}.json").read_text(encoding="utf-8"))
    doc = load_document(PAGES / f"{rid}-{layout}.html")
    assert doc.id == rid
    assert doc.title == real["title"]
    assert doc.meta["region"] == real["region"]
    assert doc.meta["year"] == real["year"]
    assert doc.meta["source_url"] == real["source_url"]
    assert doc.meta["format"] == "html"


@pytest.mark.parametrize(("rid", "layout"), LAYOUTS)
def test_page_is_cut_into_the_same_sections_and_passages_as_the_text(rid, layout):
    from_txt = split_passages(load_document(SERIES / f"{rid}.txt"))
    page = load_document(PAGES / f"{rid}-{layout}.html")
    from_html = split_passages(page)
    assert [p.section for p in from_html] == [p.section for p in from_txt]
    assert [_norm(p.text) for p in from_html] == [_norm(p.text) for p in from_txt]
    for p in from_html:  # offsets into the extracted text hold, so citations can highlight
        assert page.text[p.start : p.end] == p.text


@pytest.mark.parametrize(("rid", "layout"), LAYOUTS)
def test_site_chrome_is_left_out(rid, layout):
    text = load_document(PAGES / f"{rid}-{layout}.html").text
    for chrome in ("首页", "打印", "版权所有", "ICP", "相关链接", "分享", "document.createElement", "jquery", "_hmt"):
        assert chrome not in text
    # The only CJK characters left are the section brackets.
    assert not re.search(r"[\u4e00-\u9fff]", text)
    assert text.startswith(load_document(PAGES / f"{rid}-{layout}.html").title + "\n\n")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("no-text.html", "no report text found"), ("no-title.html", "has no title"),
     ("not-html.html", "not an HTML page")],
)
def test_bad_page_is_refused_with_the_file_named(name, reason):
    with pytest.raises(CorpusError) as err:
        load_document(PAGES / "bad" / name)
    assert name in err.value.message and reason in err.value.message


def test_a_corpus_with_bad_pages_is_still_read_and_they_are_reported(tmp_path):
    for f in (PAGES / "bad").iterdir():
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(PAGES / "hebei-2009-p.html", tmp_path / "saved page.html")
    shutil.copy(SERIES / "yunnan-2009.txt", tmp_path)
    shutil.copy(SERIES / "yunnan-2009.json", tmp_path)
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe\x00 not utf-8")
    scan = scan_corpus(tmp_path)
    assert sorted(d.id for d in scan.documents) == ["hebei-2009", "yunnan-2009"]
    reasons = dict(scan.skipped)
    assert sorted(Path(p).name for p in reasons) == ["broken.txt", "no-text.html", "no-title.html", "not-html.html"]
    assert all(Path(p).name in msg for p, msg in reasons.items())
    with pytest.raises(CorpusError, match="broken.txt"):  # the strict form still raises, naming the file
        load_corpus(tmp_path)


def test_duplicate_id_is_skipped_not_fatal(tmp_path):
    shutil.copy(PAGES / "hebei-2009-p.html", tmp_path / "a.html")
    shutil.copy(SERIES / "hebei-2009.txt", tmp_path / "hebei-2009.txt")
    scan = scan_corpus(tmp_path)
    assert [d.path for d in scan.documents] == [str(tmp_path / "a.html")]
    assert "duplicate document id 'hebei-2009'" in scan.skipped[0][1] and "a.html" in scan.skipped[0][1]


def test_year_without_an_address_comes_from_the_volume_in_the_title_then_from_the_text():
    data = (PAGES / "hebei-2009-p.html").read_bytes()
    no_url = re.sub(rb'<link rel="canonical"[^>]*>', b"", data)
    page = parse_page(no_url, "x.html")
    assert "source_url" not in page.meta and page.meta["year"] == 2009  # "_2010年中国扶贫开发年鉴" -> 2009
    bare = re.sub(rb"<title>.*?</title>", b"<title>Poverty Alleviation and Development in Hebei Province</title>",
                  no_url, flags=re.S)
    assert parse_page(bare, "x.html").meta["year"] == 2009  # the year the text names most


def test_sidecar_metadata_wins_over_the_page(tmp_path):
    shutil.copy(PAGES / "qinghai-2010-strong.html", tmp_path / "q.html")
    (tmp_path / "q.json").write_text(json.dumps({"id": "qh", "year": 2011}))
    doc = load_document(tmp_path / "q.html")
    assert doc.id == "qh" and doc.meta["year"] == 2011 and doc.meta["region"] == "Qinghai"


@pytest.mark.parametrize(
    ("title", "region"),
    [("Poverty Alleviation and Development in Ningxia Hui Autonomous Region", "Ningxia"),
     ("Poverty Alleviation and Development in Inner Mongolia Autonomous Region", "Inner Mongolia"),
     ("Poverty Alleviation and Development in Chongqing Municipality", "Chongqing"),
     ("Poverty Alleviation and Development in Hebei Province", "Hebei"),
     ("Annual report", None)],
)
def test_region_from_the_series_title(title, region):
    assert region_from_title(title) == region


def test_year_rules():
    assert year_from_url("https://yearbook.iprcc.org.cn/zggjfpzxnj/2010njyw/sdffpp/382617.shtml") == 2009
    assert year_from_url("https://example.org/report.html") is None
    assert year_from_text("In 2008 ... In 2009 ... by 2009, since 2001") == 2009
    assert year_from_text("from 2009 to 2010") == 2010  # a tie goes to the later year
    assert year_from_text("no year here") is None


def test_add_copies_a_page_as_its_id_and_refuses_a_bad_one(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = add_document(PAGES / "yunnan-2011-br.html", corpus)
    assert doc.id == "yunnan-2011" and (corpus / "yunnan-2011.html").exists()
    assert add_document(PAGES / "yunnan-2011-br.html", corpus).id == "yunnan-2011"  # same bytes: no-op
    with pytest.raises(CorpusError, match="no-title.html"):
        add_document(PAGES / "bad" / "no-title.html", corpus)
    assert sorted(p.name for p in corpus.iterdir()) == ["yunnan-2011.html"]
    shutil.copy(SERIES / "hebei-2009.txt", corpus)
    with pytest.raises(CorpusError, match="already has a report 'hebei-2009'"):
        add_document(PAGES / "hebei-2009-p.html", corpus)
    other = tmp_path / "other.html"
    other.write_bytes((PAGES / "yunnan-2011-br.html").read_bytes().replace(b"10.14 million", b"10.15 million"))
    with pytest.raises(CorpusError, match="--replace"):
        add_document(other, corpus)
    assert b"10.15 million" in (corpus / add_document(other, corpus, replace=True).path).read_bytes()
