"""A figure the question quotes points at its sentence (qa.answer.score.candidates): for "Of the 400
million yuan, how much came from the central government?" the central share beside the 400 million scores
above the one beside another total. On a real index (real model, FAISS, SQLite) of an invented report."""

from __future__ import annotations

import pytest
from invented import report_fixture

baiyun = report_fixture(
    "      【Plain counties】 In 2013, anti-poverty funds for the plain counties were 900 million Yuan, of which "
    "700 million Yuan came from the central government.",
    "      【Mountain counties】 In 2013, anti-poverty funds for the mountain counties were 400 million Yuan, of "
    "which 250 million Yuan came from the central government.",
)


@pytest.mark.parametrize(("question", "part", "other"), [
    ("Of the 400 million yuan of anti-poverty funds, how much came from the central government?", "250 million Yuan",
     "700 million Yuan"),
    ("Of the 900m yuan of anti-poverty funds, how much came from the central government?", "700 million Yuan",
     "250 million Yuan"),
])
def test_the_quoted_figure_lifts_the_figures_of_its_sentence(baiyun, question: str, part: str, other: str) -> None:
    from qa.answer.context import context_for
    from qa.answer.pipeline import analyse, retrieve
    from qa.answer.score import candidates

    ctx = context_for(baiyun)
    q = analyse(baiyun, ctx, question, [])
    scored = {c.item.raw: c for c in candidates(q, baiyun, retrieve(baiyun, q), ctx)}
    assert scored[part].notes.get("anchor") == 1.0 and "anchor" not in scored[other].notes
    assert scored[part].score > scored[other].score  # the same words, told apart by the quoted figure
