"""Fixtures of the web tests: one real ``qa serve`` on the session's index (``tests/contract/live_server.py``,
which the contract run of ``make test`` uses too)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))

from live_server import LiveServer  # noqa: E402

ADMIN_TOKEN = "web-tests-token"


@pytest.fixture(scope="session")
def live(index_settings):
    """A running ``qa serve`` (with an admin token, so a stray reload is refused)."""
    with LiveServer(index_settings.index_dir, env={"QA_ADMIN_TOKEN": ADMIN_TOKEN}) as srv:
        yield srv


@pytest.fixture(scope="session")
def openapi(client) -> dict:
    return client.get("/openapi.json").json()
