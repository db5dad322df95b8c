"""The benchmark's series generator on 5 reports: deterministic, regions/years/figures substituted,
and every generated file (text or saved page) reads back with its metadata."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from series_gen import generate, load_sources  # noqa: E402

from qa.corpus.documents import scan_corpus  # noqa: E402


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_generator_is_deterministic_and_reads_back(tmp_path):
    metas = generate(tmp_path / "a", n=5, seed=7, html_share=0.4)
    generate(tmp_path / "b", n=5, seed=7, html_share=0.4)
    assert _files(tmp_path / "a" / "corpus") == _files(tmp_path / "b" / "corpus")
    generate(tmp_path / "c", n=5, seed=8, html_share=0.4)
    assert _files(tmp_path / "a" / "corpus") != _files(tmp_path / "c" / "corpus")

    scan = scan_corpus(tmp_path / "a" / "corpus")
    assert scan.skipped == []
    docs = {d.id: d for d in scan.documents}
    assert sorted(docs) == sorted(m["id"] for m in metas)
    assert any(d.path.endswith(".html") for d in docs.values())  # some are saved pages
    sources = {m["id"]: (text, m) for text, m in load_sources()}
    for m in metas:
        doc = docs[m["id"]]
        assert (doc.meta["region"], doc.meta["year"]) == (m["region"], m["year"])
        src_text, src = sources[m["generated_from"]]
        if src["region"] != m["region"]:
            assert not re.search(rf"\b{re.escape(src['region'])}\b", doc.text)
            assert m["region"] in doc.title
        # Figures are substituted: the large numbers of the source are mostly gone.
        big = set(re.findall(r"\d[\d,]*\.\d+|\d{3,}(?:,\d{3})*", src_text)) - {str(y) for y in range(1980, 2030)}
        kept = {x for x in big if x in doc.text}
        assert len(kept) <= len(big) // 3, kept
    qs = [json.loads(line) for line in (tmp_path / "a" / "questions.jsonl").read_text().splitlines()]
    assert qs and all(q["doc"] in docs and q["question"] for q in qs)
