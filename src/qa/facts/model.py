"""The fact model: one figure, date, person, organisation or place of a report, with its exact
span, normalized value and unit, what it measures and the period it covers.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

KINDS = ("money", "count", "percent", "area", "per_capita", "date", "date_range", "duration",
         "person", "organisation", "place")  # fmt: skip


NUMERIC_KINDS = {"money", "count", "percent", "area", "per_capita", "duration"}


@dataclass(frozen=True)
class Fact:
    id: str
    doc: str
    passage_id: str
    section: str
    kind: str
    value: int | float | None
    unit: str
    raw: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    measure: str = ""
    subject: str = ""
    period: str = ""
    period_start: int | None = None
    period_end: int | None = None
    qualifier: str = ""
    part_of: str = ""
    name: str = ""
    role: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def fact_id(doc: str, kind: str, start: int, end: int, raw: str) -> str:
    return hashlib.sha1(f"{doc}\x00{kind}\x00{start}\x00{end}\x00{raw}".encode()).hexdigest()[:16]

