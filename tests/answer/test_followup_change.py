"""A follow-up that asks how much the previous question's figure changed ("And by what percentage did
it grow?") is answered by the change the report states right after that figure, on a real index of the
fictional Lanshan report (real model, FAISS, SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lanshan(tmp_path_factory):
    from qa.index.build import build_index
    from qa.index.load import load_index
    from qa.settings import get_settings

    s = get_settings(corpus_dir=ROOT / "tests/data/fictional/corpus",
                     index_dir=tmp_path_factory.mktemp("lanshan") / "index")
    build_index(s, progress=False)
    return load_index(s.index_dir, s.model)


FIRST = "What was the per capita net income of farmers in the key counties in 2009?"


@pytest.mark.parametrize("follow_up", ["And by what percentage did it grow?", "And how fast did it grow?"])
def test_the_rate_stated_after_the_previous_figure_answers(lanshan, follow_up: str) -> None:
    from qa.answer.pipeline import answer

    first = answer(lanshan, FIRST)
    assert "2,684" in first.answer
    a = answer(lanshan, follow_up, [FIRST])
    assert a.answered and "11.6 percent" in a.answer and "2,684" not in a.answer
    assert any("11.6 percent" in c.text for c in a.citations)


def test_no_change_follows_the_previous_figure_so_none_is_taken(lanshan) -> None:
    from qa.answer.compose import figure_after, previous_answer
    from qa.answer.context import context_for
    from qa.answer.pipeline import analyse, retrieve

    ctx = context_for(lanshan)
    # "42 key counties for national poverty alleviation and development and 15 key counties of the
    # province": the figure after 42 is another level, not its change
    history = ["How many key counties for national poverty alleviation does Lanshan have?"]
    q = analyse(lanshan, ctx, "And by how much did that grow?", history)
    assert q.elliptical and q.context
    before = previous_answer(q, lanshan, retrieve(lanshan, q)[:6], ctx)
    assert before is not None and before[0].raw.startswith("42")
    assert figure_after(q, lanshan, *before) is None
