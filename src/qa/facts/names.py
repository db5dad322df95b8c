"""Span finders for names: people (a common surname and pinyin given name), organisations (a
capitalized phrase headed by an organisation noun, acronyms) and places (administrative and
geographic suffixes, bare stems, coordinated lists). No name list of any province is used.
"""

from __future__ import annotations

import re

from qa.facts.spans import Span, is_free
from qa.text.lexicon import GEO_HEADS, ORG_HEADS, PLACE_HEADS
from qa.text.words import word_set

# --- people -----------------------------------------------------------------------------------
SURNAMES = word_set(
    """
    Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang
    Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Du Ye Cheng Wei
    Su Lu Ding Ren Shen Yao Jin Fu Zhong Cui Tan Liao Fan Wen Shi Qin Jia Xia Fang Hou Zou Xiong
    Meng Qiu Qian Dai Yan Mo Kong Xiang Chang Duan Lei Bai Hao Gong Long Wan Duan Qi Tao Mao He Hui
    Ni Niu Ou Bao Zhan Kang Gu Lai Shao Wan Ji Shu Yin Qiao Lan Gan Geng Jing Ge Xing Lou Tong Mu
    Ai Hua Chu Bi Ning Pang Zhai Rao Ruan Zuo Yi Hong An Chai Quan Zhuo Liang Nie Hou Wei
    Mei Miao Qu Rong Sang Shang Sheng Xin Xue Yue Zang Zhen Zhuang Zong Bian Cen Diao Fei Gou Guan
    Gui Kou Kuang Leng Lian Ling Min Ming Pei Pu Que Shou Sui Teng Weng Xian Xuan Yong Zha Huo Jian
    Jiao Ke Lv Mi Nong Qiang Rui Shuai Tai Xun
    """
)


_INITIAL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"


_FINAL = (
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er|in|un|ia|ie|iu|ua|uo|ui"
    r"|ue|ve|a|o|e|i|u|v)"
)


_PINYIN = re.compile(rf"^(?:{_INITIAL}{_FINAL}(?:’|')?){{1,3}}$")


TITLE_WORDS = word_set(
    """
    Vice Deputy Secretary Secretary-General Director Director-General Governor Chairman Chairwoman
    Leader Mayor Minister President Premier Head Chief Commissioner Member Party Executive General
    Standing Counsel Inspector Consultant Chief-Executive
    """
)



def is_pinyin(word: str) -> bool:
    return bool(_PINYIN.match(word.lower().replace("-", "")))


_PERSON = re.compile(r"\b(?P<s>[A-Z][a-z]{0,5})\s(?P<g>[A-Z][a-z]{1,10}(?:-[a-z]{1,6})?)\b")


def find_people(text: str) -> list[Span]:
    out = []
    for m in _PERSON.finditer(text):
        s, g = m.group("s"), m.group("g")
        if s not in SURNAMES or not is_pinyin(g) or g in SURNAMES and len(g) <= 3:
            continue
        nxt = re.match(r"\s+([A-Z][a-z]+)", text[m.end() :])
        if nxt and (nxt.group(1) in PLACE_HEADS or nxt.group(1) in ORG_HEADS):
            continue
        out.append(Span("person", m.start(), m.end(), name=m.group(0), role=_role(text, m.start(), m.end())))
    return out


def _role(text: str, a: int, b: int) -> str:
    after = text[b:]
    m = re.match(r",\s+(?=([A-Z][\w-]*))", after)
    if m and m.group(1) in TITLE_WORDS:
        rest = after[m.end() :]
        stop = re.search(r",\s+(?=[a-z])|[;.](?:\s|$)|\s+(?=(?:was|is|has|had|visited|attended)\b)", rest)
        return rest[: stop.start() if stop else len(rest)].strip(" ,")
    before = text[:a]
    toks = re.findall(r"[A-Za-z][\w’'-]*", before)[-6:]
    run: list[str] = []
    for t in reversed(toks):
        if t[0].isupper():
            run.insert(0, t)
        else:
            break
    if any(t in TITLE_WORDS for t in run):
        j = before.rfind(run[0])
        return before[j:].strip(" ,")
    return ""


# --- organisations and places -----------------------------------------------------------------

CONNECT = {"of", "for", "and", "the", "on", "in"}


_LEAD_STOP = word_set(
    """
    In The By At From On Through According Based To For With As Since During After Before Under
    First Second Third Fourth Fifth Finally Also And But This That These It Its Our We They A An
    Among Within Meanwhile However Besides Moreover Furthermore Then
    """
)


_CAPSEQ = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:of|for|and|the|on|in)\s+)*[A-Z][\w’'-]*)*")


_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")


_NOT_ORG_ACRONYMS = {"RMB", "GDP", "USD", "CPI", "PPP"}


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    words = [(m.start() + a, m.end() + a, m.group()) for m in re.finditer(r"\S+", text[a:b])]
    while words and (words[0][2] in _LEAD_STOP or words[0][2].lower() in CONNECT):
        words.pop(0)
    # Title words before "of": "Vice Secretary of X Committee" -> "X Committee"
    i = 0
    while i < len(words) and words[i][2] in TITLE_WORDS:
        i += 1
    if i and i < len(words) and words[i][2] == "of":
        words = words[i + 1 :]
        while words and words[0][2].lower() in CONNECT:
            words.pop(0)
    while words and words[-1][2].lower() in CONNECT:
        words.pop()
    if not words:
        return a, a
    return words[0][0], words[-1][1]


def _split_and(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """'Tsinghua University and Three Gorges Corporation' -> two names; keep 'Party Committee and
    Government' (one-word right side) and 'Group for Poverty Alleviation and Development' whole."""
    seg = text[a:b]
    for m in reversed(list(re.finditer(r",\s+|\s+and\s+(?:the\s+)?", seg))):
        left, right = seg[: m.start()], seg[m.end() :]
        rw = right.split()
        if rw and rw[0] in TITLE_WORDS or len(rw) >= 2 and _has_head(left) and _has_head(right):
            return _split_and(text, a, a + m.start()) + _split_and(text, a + m.end(), b)
    return [(a, b)]


DOC_WORDS = word_set(
    """
    Procedures Measures Regulations Rules Opinions Notice Methods Plan Provisions Law Outline
    Program Programme Guidelines Implementation
    """
)


def _has_head(s: str) -> bool:
    ws = s.split()
    return any(w in ORG_HEADS for w in ws) and not any(w in DOC_WORDS for w in ws)


def _quoted(text: str) -> list[tuple[int, int]]:
    return [(m.start() + 1, m.end() - 1) for m in re.finditer(r"[“\"][^”\"]{3,200}[”\"]", text)]


_GOVT = re.compile(r"\s+government\b")


def find_orgs(text: str, skip: list[tuple[int, int]]) -> list[Span]:
    out: list[Span] = []
    quotes = _quoted(text)
    for m in _CAPSEQ.finditer(text):
        for a, b in _split_and(text, *_trim(text, m.start(), m.end())):
            a, b = _trim(text, a, b)
            gov = _GOVT.match(text, b)
            if gov and a < b and text[a:b].split()[-1] not in TITLE_WORDS:
                b = gov.end()  # "Beijing Municipal government", "X Autonomous Region government"
            name = text[a:b]
            words = name.split()
            if not gov and (len(words) < 2 or not _has_head(name)) or any(not (b <= x or a >= y) for x, y in skip):
                continue
            q = next(((x, y) for x, y in quotes if x <= a and b <= y), None)
            if q and (q[0], q[1]) != (a, b):
                continue  # inside the quoted title of a document or a meeting
            out.append(Span("organisation", a, b, name=name))
    taken = [(s.start, s.end) for s in out] + skip
    for m in _ACRONYM.finditer(text):
        if m.group() in _NOT_ORG_ACRONYMS or any(not (m.end() <= x or m.start() >= y) for x, y in taken):
            continue
        out.append(Span("organisation", m.start(), m.end(), name=m.group()))
    return sorted(out, key=lambda s: s.start)



_PLACE = re.compile(
    r"(?<![\w-])(?P<name>(?:[A-Z][\w’'-]*\s+){0,2}[A-Z][\w’'-]*\s+"
    r"(?:City|County|Province|Prefecture|District|Banner|League|Township|Municipality|"
    r"Autonomous Prefecture|Autonomous County|Autonomous Region|" + "|".join(GEO_HEADS) + r"))\b"
    r"(?!\s+(?:[A-Z]|government|Government))"
)


ADMIN_SUFFIX = re.compile(
    r"\s+(?:City|County|Prefecture|District|Banner|League|Township|Municipality|Autonomous Prefecture|"
    r"Autonomous County)$"
)


# "in Yinshan wind erosion and desertification areas": a capitalized name premodifying "areas"
_AREA_MOD = re.compile(
    r"(?:\b(?:in|of|to|from|and|across|throughout)\s+|,\s*)(?P<name>[A-Z][a-z’'-]+)\s+"
    r"(?:[a-z][\w-]*\s+){0,4}?(?:areas?|regions?|zones?)\b"
)


_LIST_BEFORE = re.compile(r"((?:[A-Z][\w’'-]*,\s+)*[A-Z][\w’'-]*)\s+and\s+$")


_MUNICIPAL = re.compile(r"(?<![\w-])(?P<name>[A-Z][a-z’'-]+)\s+(?:Municipal|Provincial|Prefectural)\s+[Gg]overnment\b")


def find_places(text: str, skip: list[tuple[int, int]], region: str) -> list[Span]:
    out: list[Span] = []
    for m in _MUNICIPAL.finditer(text):
        a, b = m.span("name")
        if m.group("name") != region and m.group("name") not in _LEAD_STOP and is_free(skip, a, b):
            out.append(Span("place", a, b, name=m.group("name")))
    for m in _PLACE.finditer(text):
        a, b = _trim(text, m.start("name"), m.end("name"))
        name = text[a:b]
        if region and name.startswith(region) or len(name.split()) < 2:
            continue
        if not is_free(skip, a, b):
            continue
        out.append(Span("place", a, b, name=name))
        lm = _LIST_BEFORE.search(text[:a])
        if lm:
            base = lm.start(1)
            for w in re.finditer(r"[A-Z][\w’'-]*", lm.group(1)):
                if w.group() in _LEAD_STOP:
                    continue
                out.append(Span("place", base + w.start(), base + w.end(), name=w.group()))
    for m in _AREA_MOD.finditer(text):
        a, b = m.span("name")
        name = m.group("name")
        if name in _LEAD_STOP or name in TITLE_WORDS or name in ORG_HEADS or name in region.split():
            continue
        if is_free(skip, a, b) and is_free([(x.start, x.end) for x in out], a, b):
            out.append(Span("place", a, b, name=name))
    return sorted(out, key=lambda s: s.start)


_BARE_LIST = re.compile(
    r"\b(?:in|to|visited|between|from|at|across|covering)\s+(?P<list>[A-Z][a-z’'-]+(?:,\s+[A-Z][a-z’'-]+)*"
    r",?\s+and\s+[A-Z][a-z’'-]+)(?![\w’'-]|\s+[A-Z])"
)


def find_bare_place_lists(text: str, skip: list[tuple[int, int]], region: str) -> list[Span]:
    """'inspected projects in Pingliang and Qingyang': two or more single names coordinated after a
    locative word are places when every name reads as pinyin (so 'in Science and Technology' is not)."""
    out: list[Span] = []
    for m in _BARE_LIST.finditer(text):
        names = list(re.finditer(r"[A-Z][a-z’'-]+", m.group("list")))
        words = [w.group() for w in names]
        if any(w == region or w in _LEAD_STOP or not is_pinyin(w.replace("’", "").replace("'", "")) for w in words):
            continue
        base = m.start("list")
        for w in names:
            a, b = base + w.start(), base + w.end()
            if is_free(skip, a, b):
                out.append(Span("place", a, b, name=w.group()))
    return out


def place_stems(names: set[str], region: str) -> set[str]:
    """Names a place is also called by: 'Erdos City' -> 'Erdos' (single words only, not the region)."""
    out = set()
    for n in names:
        stem = ADMIN_SUFFIX.sub("", n)
        if " " not in stem and stem != region and stem not in _LEAD_STOP:
            out.add(stem)
    return out


def find_known_places(text: str, names: set[str], skip: list[tuple[int, int]]) -> list[Span]:
    """Mentions of place names already known in the document: 'Beijing invested',
    'Beijing-Tianjin cooperation'; not inside a longer name or a quoted title."""
    out: list[Span] = []
    quotes = _quoted(text)
    for name in sorted(names):
        for m in re.finditer(rf"(?<![\w’']){re.escape(name)}(?![\w’'])", text):
            a, b = m.span()
            if re.match(r"\s+[A-Z]|-(?![A-Z])", text[b:]):
                continue  # part of a longer name, or a compound like "Beijing-based"
            if text[:a].endswith("-") and not re.search(r"[A-Z][\w’']*-$", text[:a]):
                continue
            if is_free(skip, a, b) and is_free(quotes, a, b):
                out.append(Span("place", a, b, name=name))
    return out


def list_mates(text: str, places: list[Span], skip: list[tuple[int, int]], region: str) -> list[Span]:
    """Single capitalized names coordinated with a place are places: 'visited Alashan, Erdos and ten
    banners' (Erdos known) -> Alashan."""
    out: list[Span] = []
    taken = list(skip) + [(p.start, p.end) for p in places]

    def ok(a: int, b: int) -> bool:
        w = text[a:b]
        bad = w in _LEAD_STOP or w in TITLE_WORDS or w in ORG_HEADS or w in region.split() or w == region
        return not bad and is_free(taken, a, b)

    for p in places:
        a = p.start
        while m := re.search(r"(?<![\w’'-])([A-Z][\w’'-]*)(?:,\s+|,?\s+and\s+)$", text[:a]):
            if re.search(r"[A-Z][\w’'-]*\s+$", text[: m.start(1)]) or not ok(*m.span(1)):
                break
            out.append(Span("place", *m.span(1), name=m.group(1)))
            taken.append(m.span(1))
            a = m.start(1)
        b = p.end
        while m := re.match(r"(?:,\s+|,?\s+and\s+)([A-Z][\w’'-]*)(?![\w’'-]|\s+[A-Z])", text[b:]):
            x, y = b + m.start(1), b + m.end(1)
            if not ok(x, y):
                break
            out.append(Span("place", x, y, name=m.group(1)))
            taken.append((x, y))
            b = y
    return out


