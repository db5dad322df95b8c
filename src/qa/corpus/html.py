"""A report saved from the yearbook site as an HTML page -> the report's text and its metadata.

Extraction uses ``trafilatura`` (maintained, over lxml): it finds the article among the site's
navigation, sidebars, share bars, footers and scripts, keeps one line per paragraph (``<p>`` or
``<br>``-separated text alike), decodes the bytes by the page's declared charset (the mirror
serves GBK), and reads the title (``og:title``, ``<h1>``, ``<title>``) and the canonical address
(``<link rel="canonical">`` or ``og:url``) in the same pass. readability-lxml was the alternative:
it returns cleaned HTML but no text paragraphs and no metadata, which would have to be written by
hand. Nothing is fetched: the page is parsed from the file.

The text is laid out like the ``.txt`` reports: the title line, a blank line, then the paragraphs
separated by blank lines, with the section markers 【...】 kept, so that ``qa.corpus.passages``
cuts sections exactly as for text files. A page that is not HTML, has no title or no report text
raises ``CorpusError`` naming the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qa.corpus.meta import (
    region_from_title,
    series_title,
    year_from_text,
    year_from_url,
    year_from_volume_title,
)
from qa.errors import CorpusError

HTML_SUFFIXES = (".html", ".htm")
MIN_WORDS = 30  # fewer words than this is a list, search or error page, not a report
_HTML_TAG_RE = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|title|p|div)[\s>/]", re.IGNORECASE)
# What a browser's "Save page as" writes at the top of a page: <!-- saved from url=(0072)https://... -->
_SAVED_FROM_RE = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class Page:
    text: str
    meta: dict


def looks_like_html(data: bytes) -> bool:
    """An HTML document, not a PDF, an image or plain text saved under an ``.html`` name."""
    head = data[:65536]
    return b"\x00" not in head[:4096] and bool(_HTML_TAG_RE.search(head))


def _cjk_share(line: str) -> float:
    chars = [c for c in line if not c.isspace()]
    return sum(1 for c in chars if _CJK_RE.match(c)) / len(chars) if chars else 0.0


def _paragraphs(extracted: str, title: str) -> list[str]:
    """Paragraph lines of the article, without the site chrome trafilatura may leave in a Latin
    report: lines mostly in Chinese (the "来源 ... 【打印】【关闭】" info bar, whose brackets would
    otherwise pass for a section marker), lines without a letter, and the title line itself."""
    latin = _cjk_share(extracted) < 0.3
    out = []
    for raw in extracted.splitlines():
        line = " ".join(raw.split())  # &nbsp; indentation and runs of spaces
        if not line or not re.search(r"[^\W\d_]", line) or line == title:
            continue
        if latin and _cjk_share(line) > 0.3:
            continue
        out.append(line)
    return out


def parse_page(data: bytes, name: str) -> Page:
    """Text and metadata (title, region, year, source_url) of one saved page; ``name`` is used in
    errors."""
    import trafilatura

    if not looks_like_html(data):
        raise CorpusError(f"{name}: not an HTML page (no <html>, <head>, <body> or <p> tag found)")
    try:
        doc = trafilatura.bare_extraction(data, with_metadata=True, favor_recall=True, include_comments=False,
                                          include_tables=True, deduplicate=False)
    except Exception as exc:  # trafilatura/lxml on a broken page: name the file, never a traceback
        raise CorpusError(f"{name}: cannot be parsed as HTML ({type(exc).__name__}: {str(exc)[:120]})") from exc
    raw_title = getattr(doc, "title", None) if doc is not None else None
    title = series_title([raw_title or ""])
    if not title:
        raise CorpusError(f"{name}: the page has no title (no <title>, <h1> or og:title); it is not a report page")
    paras = _paragraphs(getattr(doc, "text", "") or "", title)
    if sum(len(p.split()) for p in paras) < MIN_WORDS:
        raise CorpusError(f"{name}: no report text found in the page (it may be a list, search or error page)")
    url = getattr(doc, "url", None)
    if not url:
        m = _SAVED_FROM_RE.search(data[:4096])
        url = m.group(1).decode("ascii", "replace") if m else None
    text = title + "\n\n" + "\n\n".join(paras) + "\n"
    year = year_from_url(url) or year_from_volume_title(raw_title) or year_from_text("\n".join(paras))
    meta = {"title": title, "region": region_from_title(title), "year": year, "source_url": url,
            "format": "html"}
    return Page(text=text, meta={k: v for k, v in meta.items() if v is not None})


def read_page(path: Path) -> Page:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return parse_page(data, str(path))
