"""Shared fixtures: one real index (real model, real FAISS, real SQLite) built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FICTIONAL_CORPUS = ROOT / "tests" / "data" / "fictional" / "corpus"


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory):
    from qa.index.build import build_index
    from qa.settings import get_settings

    s = get_settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("idx") / "index",
                     data_dir=tmp_path_factory.mktemp("data"))
    build_index(s, progress=False)
    return s


@pytest.fixture(scope="session")
def qa_index(index_settings):
    from qa.index.load import load_index

    return load_index(index_settings.index_dir, index_settings.model)


@pytest.fixture(scope="session")
def seed_doc():
    from qa.corpus.documents import load_corpus

    return load_corpus(CORPUS)[0]


@pytest.fixture(scope="session")
def app(index_settings, qa_index):
    """The web app on the session's index (not reloaded per test)."""
    from qa.web.app import create_app

    return create_app(index_settings, index=qa_index)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
