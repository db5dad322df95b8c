"""A small fake of ``qa.facts.model.Fact`` (the fields the answer rules read), shared by the unit tests
of the arithmetic and of the generality rules, which need no index."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fig:
    """The fields of ``qa.facts.model.Fact`` the arithmetic reads."""

    raw: str
    value: float
    unit: str = "yuan"
    kind: str = "money"
    measure: str = ""
    period: str = "2013"
    sentence: str = ""
    passage_id: str = "p1"
    part_of: str = ""
    section: str = "Investment"
    qualifier: str = ""
    sentence_start: int = 0
    id: str = field(default="")
    start: int = 0
    end: int = 0

    def __post_init__(self) -> None:
        self.id = self.id or f"{self.passage_id}:{self.raw}:{self.measure}"
        self.sentence = self.sentence or f"The county spent {self.raw} on {self.measure or 'roads'}."
        self.start = self.sentence_start + self.sentence.index(self.raw)
        self.end = self.start + len(self.raw)
