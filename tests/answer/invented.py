"""A real index (real model, FAISS, SQLite) of one invented report, for answer tests that need figures in
sentences of their own making rather than those of the eval sets."""

from __future__ import annotations

import json

import pytest


def invented_index(tmp_path_factory, text: str, region: str = "Baiyun", year: int = 2013):
    """Build and load the index of one report whose text is ``text``."""
    from qa.index.build import build_index
    from qa.index.load import load_index
    from qa.settings import get_settings

    rid = f"{region.lower()}-{year}"
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / f"{rid}.txt").write_text(text, encoding="utf-8")
    (corpus / f"{rid}.json").write_text(json.dumps({"id": rid, "title": f"Poverty Alleviation and Development in "
                                                    f"{region}", "region": region, "year": year}))
    s = get_settings(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp(rid) / "index")
    build_index(s, progress=False)
    return load_index(s.index_dir, s.model)


def report_fixture(*sections: str, region: str = "Baiyun", year: int = 2013):
    """A module-scoped fixture: the index of a report titled for ``region`` whose paragraphs are
    ``sections`` (each a section heading and its sentences, as the series writes them)."""
    text = "\n\n".join([f"Poverty Alleviation and Development in {region}", *sections]) + "\n"

    @pytest.fixture(scope="module")
    def report(tmp_path_factory):
        return invented_index(tmp_path_factory, text, region, year)

    return report
