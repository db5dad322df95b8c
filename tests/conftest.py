"""Shared fixtures: one real index (real model, real FAISS, real SQLite) built once per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Each full build embeds the most common English words with its encoder (qa.index.common_words,
# 30,000 by default, ~20 s); the suite's many small builds keep a few hundred.
os.environ.setdefault("QA_COMMON_WORDS", "300")

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


# A series index: the seed and four OPEN real reports of eval/series (never a sealed one), two of them
# of one region (Yunnan 2009 and 2011) and two of one year with the seed (2009). Built once, on use.
SERIES_CORPUS = ROOT / "eval" / "series" / "corpus"
SERIES_REPORTS = ("yunnan-2009", "yunnan-2011", "qinghai-2011", "sichuan-2010")


@pytest.fixture(scope="session")
def series_settings(tmp_path_factory):
    from qa.index.build import build_index
    from qa.settings import get_settings

    corpus = tmp_path_factory.mktemp("series") / "corpus"
    shutil.copytree(CORPUS, corpus)
    for r in SERIES_REPORTS:
        for ext in (".txt", ".json"):
            shutil.copy(SERIES_CORPUS / f"{r}{ext}", corpus / f"{r}{ext}")
    s = get_settings(corpus_dir=corpus, index_dir=corpus.parent / "index", data_dir=corpus.parent / "data")
    build_index(s, progress=False)
    return s


@pytest.fixture(scope="session")
def series_index(series_settings):
    from qa.index.load import load_index

    return load_index(series_settings.index_dir, series_settings.model)


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


# Browser tests: Debian's chromium driven by Playwright against a real `qa serve` process.
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


def _ensure_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    try:
        subprocess.run("apt-get update && apt-get install -y chromium", shell=True, check=True,
                       capture_output=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"chromium is missing and `apt-get install -y chromium` failed: {exc}")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is missing and apt-get did not install /usr/bin/chromium")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Module scope, as before: each browser test module gets its own server and browser, and Playwright's
# event loop never outlives the module that uses it.
@pytest.fixture(scope="module")
def server(index_settings, tmp_path_factory):
    port = _free_port()
    qa = shutil.which("qa", path=str(Path(sys.executable).parent)) or "qa"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "QA_DATA_DIR": str(tmp_path_factory.mktemp("browser-data"))}
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([qa, "serve", "--index", str(index_settings.index_dir), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"qa serve did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    proc.base = base  # type: ignore[attr-defined]
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    exe = _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=ARGS)
        yield b
        b.close()
