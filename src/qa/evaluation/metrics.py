"""Scoring rules for ``qa eval``: pure functions, no index, no model.

How a question passes (the rules are explained for question writers in ``eval/README.md``):

* numeric ``expected {value, unit, alternatives}``: the answer is answered and some number stated
  in the answer text (digits with thousands separators and decimals, ``%``, scale words such as
  "350 million", small number words such as "eight") equals the expected value, or an
  alternative, within a relative tolerance of 0.5% and in the same unit family when both sides
  know their unit. Outside arithmetic questions a returned fact's value may also match.
* text ``expected {contains: [...]}``: every phrase occurs in the answer; ``{any: [...]}``: one
  does. Matching is case-insensitive, whitespace- and quote-normalized, on word boundaries.
* unanswerable questions pass iff the answer abstains (``answered == false``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qa.text.numbers import DIGIT_PATTERN, SCALE_PATTERN, WORD_NUM_PATTERN, scale_value, to_number

REL_TOL = 0.005

# Numbers are read with the extractor's own grammar (qa.text.numbers), so that the scorer and the
# fact table agree on what "24.0506 million" or "twenty-five" means.
_NUMBER_RE = re.compile(
    rf"(?<![\w.,])(?:(?P<digits>{DIGIT_PATTERN})|(?P<word>{WORD_NUM_PATTERN}))(?![\w])"
    rf"(?:\s*(?P<pct>%|percent\b|per cent\b))?"
    rf"(?:\s+(?P<scale>{SCALE_PATTERN})\b)?",
    re.IGNORECASE,
)
_MONEY_BEFORE = re.compile(r"(?:rmb|yuan|¥)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:yuan|rmb)\b", re.IGNORECASE)
_AREA_AFTER = re.compile(r"^\s*(?:square\s+(?:kilometers|kilometres|km|meters|metres)|sq\.?\s*km|km2|km²"
                         r"|hectares?|mu\b|acres?)", re.IGNORECASE)
_DIGIT_TOKEN_RE = re.compile(rf"(?<![\w.,]){DIGIT_PATTERN}(?!\w)")
_YEAR_RE = re.compile(r"^(?:19|20)\d\d$")

FAMILY_BY_UNIT = {
    "%": "percent", "percent": "percent", "percentage points": "percent",
    "yuan": "money", "rmb": "money", "¥": "money",
    "km2": "area", "km²": "area", "square kilometers": "area", "hectares": "area", "mu": "area",
    "acres": "area", "m²": "area",
}  # fmt: skip


@dataclass(frozen=True)
class Mention:
    """A number as stated in a text: its value (scale applied), unit family if visible, and span."""

    value: float
    family: str
    raw: str
    start: int
    end: int


def norm_text(text: str) -> str:
    """Case-folded, whitespace-collapsed text with straight quotes and plain hyphens."""
    t = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    t = t.replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return " ".join(t.split()).casefold()


def unit_family(unit: str | None) -> str:
    """'yuan' -> money, '%' -> percent, 'km2' -> area, any other non-empty unit -> count, '' -> ''."""
    u = (unit or "").strip().lower()
    if not u:
        return ""
    return FAMILY_BY_UNIT.get(u, "count")


def parse_numbers(text: str) -> list[Mention]:
    """Every number stated in ``text``: '350 million Yuan' -> 3.5e8 money, '54.9%' -> 54.9 percent."""
    out: list[Mention] = []
    for m in _NUMBER_RE.finditer(text):
        value = float(scale_value(to_number(m.group("digits") or m.group("word")), m.group("scale")))
        family = ""
        if m.group("pct"):
            family = "percent"
        elif _MONEY_BEFORE.search(text[max(0, m.start() - 6) : m.start()]) or _MONEY_AFTER.match(
            text[m.end() :]
        ):
            family = "money"
        elif _AREA_AFTER.match(text[m.end():]):
            family = "area"
        out.append(Mention(value, family, m.group(0), m.start(), m.end()))
    return out


def values_match(got: float, want: float, rel_tol: float = REL_TOL) -> bool:
    if want == 0:
        return got == 0
    return math.isclose(got, want, rel_tol=rel_tol, abs_tol=0.0) or abs(got - want) <= rel_tol * abs(want)


def families_agree(a: str, b: str) -> bool:
    return not a or not b or a == b


def expected_values(expected: dict[str, Any]) -> list[tuple[float, str]]:
    """The accepted (value, unit family) pairs of a numeric expectation, alternatives included."""
    vals = [(float(expected["value"]), unit_family(expected.get("unit")))]
    for alt in expected.get("alternatives") or []:
        vals.append((float(alt["value"]), unit_family(alt.get("unit", expected.get("unit")))))
    return vals


def phrase_in(needle: str, haystack_norm: str) -> bool:
    """``needle`` occurs in the normalized haystack on word boundaries ('no' does not match 'not')."""
    n = norm_text(needle)
    if not n:
        return True
    left = r"(?<!\w)" if n[0].isalnum() else ""
    right = r"(?!\w)" if n[-1].isalnum() else ""
    return re.search(left + re.escape(n) + right, haystack_norm) is not None


@dataclass
class Verdict:
    passed: bool
    reason: str


def results(text: str) -> list[str]:
    """The text after the last "=" of each line that has one: what a computation, or an answer that
    writes one out, gives as its results (one line per report across reports)."""
    return [line.rsplit("=", 1)[1] for line in text.splitlines() if "=" in line]


def asserted_text(answer: str, computation: str | None) -> str:
    """What an answer asserts: for a computed answer, its results, not its operands ("389 ÷ 5.71
    million = 0.0 kilograms" does not state 389 kilograms)."""
    return " ".join(results(answer)) if computation and "=" in answer else answer


def score_answer(q: dict[str, Any], answered: bool, text: str,
                 fact_values: Sequence[tuple[float | None, str]] = ()) -> Verdict:
    """Does this answer pass question ``q``? ``fact_values`` are (value, unit) of returned facts."""
    if not q.get("answerable", True):
        return Verdict(not answered, "abstained" if not answered else "answered an unanswerable question")
    if not answered:
        return Verdict(False, "abstained on an answerable question")
    exp = q.get("expected") or {}
    if "value" in exp:
        wanted = expected_values(exp)
        facts = [(fv, fu) for fv, fu in fact_values if fv is not None]
        if facts and q.get("kind") not in ("arithmetic", "comparison"):
            # The answer's facts are what it asserts; its quoted source clause may hold other
            # figures, which must not earn a pass.
            for fv, fu in facts:
                for v, fam in wanted:
                    if values_match(float(fv), v) and families_agree(unit_family(fu), fam):
                        return Verdict(True, f"fact value {fv:g} {fu}".rstrip())
            shown = ", ".join(f"{fv:g} {fu}".strip() for fv, fu in facts[:6])
            return Verdict(False, f"expected {exp['value']:g} {exp.get('unit', '')}; answered {shown}")
        stated = parse_numbers(text)
        for m in stated:
            for v, fam in wanted:
                if values_match(m.value, v) and families_agree(m.family, fam):
                    return Verdict(True, f"states {m.raw!r}")
        if q.get("kind") != "arithmetic":
            for fv, fu in fact_values:
                if fv is None:
                    continue
                for v, fam in wanted:
                    if values_match(float(fv), v) and families_agree(unit_family(fu), fam):
                        return Verdict(True, f"fact value {fv:g} {fu}".rstrip())
        shown = ", ".join(m.raw for m in stated[:6]) or "no number"
        want = f"expected {exp['value']:g} {exp.get('unit', '')}".rstrip()
        return Verdict(False, f"{want}; stated {shown}")
    low = norm_text(text)
    if "contains" in exp:
        missing = [c for c in exp["contains"] if not phrase_in(c, low)]
        return Verdict(not missing, "contains all" if not missing else f"missing {missing}")
    if "any" in exp:
        hit = [c for c in exp["any"] if phrase_in(c, low)]
        return Verdict(bool(hit), f"contains {hit[0]!r}" if hit else f"none of {exp['any']}")
    return Verdict(False, "question has no usable `expected`")


def citation_supports(evidence: str, evidence_all: Sequence[str] | None, snippets: Iterable[str]) -> bool:
    """Some cited snippet contains the evidence; with ``evidence_all`` every operand is in some snippet."""
    snips = [norm_text(s) for s in snippets]
    need = [e for e in (evidence_all or []) if e] or ([evidence] if evidence else [])
    return bool(need) and all(any(norm_text(e) in s for s in snips) for e in need)


def digit_tokens(text: str) -> list[str]:
    """Numbers written with digits, without thousands separators: '31,000 people' -> ['31000']."""
    return [m.group(0).replace(",", "") for m in _DIGIT_TOKEN_RE.finditer(text)]


def computation_result(computation: str | None) -> set[str]:
    """Digit tokens of the result of a computation string ('333 - 200 = 133 million' -> {'133'}); an
    answer across reports gives one computation a line ("Lanshan, 2009: 81,000 ÷ 96,000 = 84.4%"),
    each line's result its own."""
    return {t for part in results(computation or "") for t in digit_tokens(part)}


# "2 reports state this (1 other asked does not):" opens an answer across reports: counts of reports
_REPORTS_HEAD = re.compile(r"^(\d+) reports? states? this(?: \((\d+) others? asked do(?:es)? not\))?")


def unsupported_numbers(answer_text: str, snippets: Iterable[str], computation: str | None,
                        question: str, report_years: Iterable[int] = ()) -> list[str]:
    """Numbers in the answer that no cited snippet states verbatim (thousands separators aside).

    Allowed besides: the result of ``computation``, years that appear in the question, and in an
    answer labelled by report ("Sichuan, 2009: ...") the years of the cited reports and the count
    of reports it opens with: they name reports, they are not figures of one.
    """
    seen: set[str] = set()
    for s in snippets:
        seen.update(digit_tokens(s))
    allowed = set(computation_result(computation)) | {str(y) for y in report_years}
    head = _REPORTS_HEAD.match(answer_text)
    if head:
        allowed |= {g for g in head.groups() if g}
    q_years = {t for t in digit_tokens(question) if _YEAR_RE.match(t)}
    out: list[str] = []
    for tok in digit_tokens(answer_text):
        if tok in seen or tok in allowed or tok in q_years:
            continue
        if tok not in out:
            out.append(tok)
    return out


def ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def abstention_metrics(rows: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """From (answerable, answered) pairs: abstention precision/recall and false-abstention rate."""
    pairs = list(rows)
    abstained = [a for a, ans in pairs if not ans]
    abst_unans = sum(1 for a in abstained if not a)
    unanswerable = sum(1 for a, _ in pairs if not a)
    answerable = sum(1 for a, _ in pairs if a)
    return {
        "abstention_precision": ratio(abst_unans, len(abstained)),
        "abstention_recall": ratio(abst_unans, unanswerable),
        "false_abstention_rate": ratio(len(abstained) - abst_unans, answerable),
    }


def retrieval_metrics(ranks: Iterable[int | None]) -> dict[str, float | None]:
    """hit@1, hit@3 and MRR from 1-based ranks of the first gold passage (None = not retrieved)."""
    rs = list(ranks)
    n = len(rs)
    return {
        "hit_at_1": ratio(sum(1 for r in rs if r is not None and r <= 1), n),
        "hit_at_3": ratio(sum(1 for r in rs if r is not None and r <= 3), n),
        "mrr": None if n == 0 else sum(1.0 / r for r in rs if r) / n,
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def changes(previous: dict[str, bool], current: dict[str, bool]) -> dict[str, list[str]]:
    """Questions that went pass -> fail (regressed) or fail -> pass (fixed), plus new and dropped ids."""
    return {
        "regressed": sorted(k for k, v in current.items() if k in previous and previous[k] and not v),
        "fixed": sorted(k for k, v in current.items() if k in previous and not previous[k] and v),
        "new": sorted(k for k in current if k not in previous),
        "dropped": sorted(k for k in previous if k not in current),
    }


def check_thresholds(metrics: dict[str, Any], limits: dict[str, Any]) -> list[str]:
    """Failures of ``metrics`` against a thresholds table (``[check]`` or ``[targets]``).

    Keys ending in ``_max`` are upper bounds on the metric without the suffix; other keys are
    lower bounds; ``kind`` and ``tag`` sub-tables bound ``accuracy_by_kind`` / ``accuracy_by_tag``.
    A metric that could not be measured (None) fails a non-zero lower bound.
    """
    fails: list[str] = []

    def low(name: str, got: float | None, want: float) -> None:
        if want > 0 and (got is None or got < want - 1e-12):
            fails.append(f"{name} = {_fmt(got)} < {want}")

    for key, want in limits.items():
        if isinstance(want, dict):
            table = metrics.get(f"accuracy_by_{key}", {})
            for sub, w in want.items():
                low(f"{key} {sub} accuracy", table.get(sub), float(w))
        elif key.endswith("_max"):
            name = key[: -len("_max")]
            got = metrics.get(name)
            if got is not None and got > want + 1e-12:
                fails.append(f"{name} = {_fmt(got)} > {want}")
        else:
            low(key, metrics.get(key), float(want))
    return fails


def _fmt(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f}" if isinstance(v, float) else str(v)
