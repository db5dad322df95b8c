"""Corpus ingestion: documents -> sections -> paragraphs -> passages, with exact offsets.

Every passage keeps ``[start, end)`` offsets into its document's text, so that
``document.text[start:end] == passage.text`` always holds; citations and highlights rest on it.
The document text is the file exactly as stored: boilerplate (a website footer) is skipped when
passages are cut, not deleted from the text, so offsets never shift.

Sentence splitting uses ``pysbd`` (rule-based, with character spans): it handles abbreviations,
numbered items and decimals better than a hand regex, and needs no model download.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache

from qa.corpus.documents import SECTION_RE, Document, cjk_share, is_boilerplate

# A paragraph that is only a heading: markdown "## Title", or a short line without end punctuation.
HEADING_RE = re.compile(r"^\s*(?:#{1,6}\s+(?P<md>[^\n]{1,120})|(?P<bare>[A-Z][^\n.!?;:。]{2,90}))\s*$")


# A numbered item at the start of a paragraph: "1.Make great efforts ..." or "2. Increase ...".
ITEM_RE = re.compile(r"^(\d{1,2})[.、)]\s*(?=[A-Z])")


@dataclass(frozen=True)
class Passage:
    id: str
    doc: str
    section: str
    text: str
    start: int
    end: int
    order: int
    item: str = ""  # heading of a numbered item ("1. Make great efforts ...") when inside one

    def embed_text(self) -> str:
        """Text given to the embedding model and BM25: section (and item) title + passage."""
        head = self.section if not self.item or self.item in self.text else f"{self.section}. {self.item}"
        return f"{head}: {self.text}" if head else self.text

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)`` of ``text`` (shifted by ``offset``), whitespace-trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for seg in _segmenter().segment(text):
        # pysbd's char spans can drift on repeated text; re-anchor each sentence by search.
        s = seg.sent.strip()
        if not s:
            continue
        i = text.find(s, pos)
        if i < 0:
            continue
        spans.append((offset + i, offset + i + len(s)))
        pos = i + len(s)
    # Numbered items glued to a sentence ("... 1.Explore ...") start a new sentence.
    out: list[tuple[int, int]] = []
    for a, b in spans:
        cut = a
        for m in re.finditer(r"(?<=[.;:])\s*(\d{1,2}\.)(?=[A-Z])", text[a - offset : b - offset]):
            j = a + m.start(1)
            if j > cut:
                out.append((cut, _rstrip(text, offset, cut, j)))
                cut = j
        out.append((cut, b))
    return [(a, b) for a, b in out if b > a]


def _rstrip(text: str, offset: int, a: int, b: int) -> int:
    while b > a and text[b - 1 - offset].isspace():
        b -= 1
    return b


def _paragraphs(text: str) -> Iterable[tuple[int, int]]:
    """Spans of blank-line separated paragraphs, trimmed of surrounding whitespace."""
    for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", text, flags=re.DOTALL):
        yield m.start(), m.end()


def _passage_id(doc_id: str, section: str, text: str, seen: dict[str, int]) -> str:
    h = hashlib.sha1(f"{doc_id}\x00{section}\x00{text}".encode()).hexdigest()[:16]
    n = seen.get(h, 0)
    seen[h] = n + 1
    return h if n == 0 else f"{h}-{n}"


def approx_tokens(text: str) -> int:
    """Word-piece estimate used when no tokenizer is given (about 1.3 pieces per word)."""
    return int(len(re.findall(r"\w+|[^\w\s]", text)) * 1.15) + 2


def split_passages(
    doc: Document,
    max_tokens: int = 256,
    count_tokens: Callable[[str], int] | None = None,
) -> list[Passage]:
    """Cut a document into passages: one per paragraph, split at sentence boundaries when the
    paragraph plus its section title would not fit the model's input window."""
    count = count_tokens or approx_tokens
    text = doc.text
    latin = cjk_share(text) < 0.3
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    section = ""
    item = ""
    for p_start, p_end in _paragraphs(text):
        para = text[p_start:p_end]
        if is_boilerplate(para, latin) and "\n" not in para.strip():
            continue
        if not passages and not section and para.strip() == doc.title and not SECTION_RE.search(para):
            continue  # the document's title line
        h = HEADING_RE.match(para)
        if h and (h.group("md") or len(h.group("bare").split()) <= 10) and not SECTION_RE.search(para):
            section = (h.group("md") or h.group("bare")).strip().strip("#").strip()
            item = ""
            continue
        m = SECTION_RE.search(para)
        if m and m.start() < 40:
            section = (m.group(1) or m.group(2)).strip()
            item = ""
            p_start += m.end()
            while p_start < p_end and text[p_start].isspace():
                p_start += 1
            if p_start >= p_end:
                continue
        body = text[p_start:p_end]
        im = ITEM_RE.match(body)
        if im:
            first = split_sentences(body)
            item = body[: first[0][1]] if first else body
        elif m:
            item = ""
        sec = section or doc.title
        budget = max_tokens - count(f"{sec}. {item}:") - 2
        for a, b in _chunks(text, p_start, p_end, budget, count):
            chunk = text[a:b]
            passages.append(
                Passage(
                    id=_passage_id(doc.id, sec, chunk, seen),
                    doc=doc.id,
                    section=sec,
                    text=chunk,
                    start=a,
                    end=b,
                    order=len(passages),
                    item=item,
                )
            )
    return passages


def _chunks(text: str, start: int, end: int, budget: int, count: Callable[[str], int]):
    if count(text[start:end]) <= budget:
        yield start, end
        return
    sents = split_sentences(text[start:end], offset=start)
    cur_a, cur_b = None, None
    for a, b in sents:
        if cur_a is None:
            cur_a, cur_b = a, b
        elif count(text[cur_a:b]) <= budget:
            cur_b = b
        else:
            yield cur_a, cur_b
            cur_a, cur_b = a, b
        if count(text[cur_a:cur_b]) > budget:
            # One sentence longer than the window: cut it at word boundaries, never drop text.
            yield from _cut_words(text, cur_a, cur_b, budget, count)
            cur_a = cur_b = None
    if cur_a is not None:
        yield cur_a, cur_b


def _cut_words(text: str, start: int, end: int, budget: int, count: Callable[[str], int]):
    words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
    a = None
    last = None
    for ws, we in words:
        ws += start
        we += start
        if a is None:
            a = ws
        elif count(text[a:we]) > budget:
            yield a, last
            a = ws
        last = we
    if a is not None:
        yield a, last

