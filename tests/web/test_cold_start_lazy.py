"""What a server defers past its start (cold start at 1,000 reports, issue 13): jinja2 until the
first page, the spelling list until just after start-up; both still there when needed."""

from __future__ import annotations

import subprocess
import sys
import time


def test_importing_the_app_does_not_import_jinja2():
    code = "import sys, qa.cli, qa.web.app; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pages_render_through_the_lazy_environment(client):
    r = client.get("/")
    assert r.status_code == 200 and "<html" in r.text.lower()
    env = client.app.state.jinja
    assert env._env is not None and env.get_template("error.html") is env.get_template("error.html")


def test_the_spelling_list_loads_in_the_background_after_start_up(index_settings, monkeypatch):
    from fastapi.testclient import TestClient

    from qa.text import words
    from qa.web import app as web_app

    words._english.cache_clear()
    monkeypatch.setattr(web_app, "SPELLING_DELAY_S", 0.05)
    with TestClient(web_app.create_app(index_settings)) as c:
        assert c.get("/api/health").status_code == 200
        deadline = time.monotonic() + 20
        while words._english.cache_info().currsize == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert words._english.cache_info().currsize == 1
