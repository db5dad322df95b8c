"""Metadata rules of the series "Poverty Alleviation and Development in <Province>": the region from
the title, the data year from the yearbook address or the text, a stable document id.

The yearbook of volume N reports the data of year N-1: a page under ``.../2010njyw/...`` (the 2010
English yearbook) describes 2009.
"""

from __future__ import annotations

import re
from collections import Counter

SERIES_RE = re.compile(r"Poverty Alleviation and Development in\s+(?P<place>[A-Z][\w'’ -]{1,80})", re.IGNORECASE)
# Administrative suffixes, then the titular nationality of an autonomous region ("Ningxia Hui").
_SUFFIX_RE = re.compile(r"\s+(?:Province|Autonomous Region|Municipality|Special Administrative Region)\s*$",
                        re.IGNORECASE)
_NATIONALITY_RE = re.compile(r"\s+(?:Hui|Zhuang|Uygur|Uyghur|Uighur)\s*$", re.IGNORECASE)
VOLUME_URL_RE = re.compile(r"/((?:19|20)\d{2})njyw/", re.IGNORECASE)
VOLUME_TITLE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:年中国扶贫开发年鉴|年鉴|\s*Yearbook)", re.IGNORECASE)
YEAR_RE = re.compile(r"(?<!\d)((?:19[5-9]|20[0-4])\d)(?!\d)")


def region_from_title(title: str) -> str | None:
    """"Poverty Alleviation and Development in Ningxia Hui Autonomous Region" -> "Ningxia"."""
    m = SERIES_RE.search(title or "")
    if not m:
        return None
    place = _SUFFIX_RE.sub("", m.group("place").strip())
    place = _NATIONALITY_RE.sub("", place).strip()
    return place or None


def series_title(candidates: list[str]) -> str | None:
    """The report's title among a page's title candidates: a site's ``<title>`` adds the site
    name after "_", " - " or " | "; the part that names the series wins, else the first part."""
    parts = [p.strip() for c in candidates if c for p in re.split(r"\s*(?:_|\s-\s|\s\|\s|–|—)\s*", c) if p.strip()]
    for p in parts:
        m = SERIES_RE.search(p)
        if m:
            return p[m.start():].strip()
    return parts[0] if parts else None


def year_from_url(url: str | None) -> int | None:
    """The data year of a yearbook address: volume N (``/2010njyw/``) reports year N-1."""
    m = VOLUME_URL_RE.search(url or "")
    return int(m.group(1)) - 1 if m else None


def year_from_volume_title(title: str | None) -> int | None:
    """The data year from a page title that names the yearbook volume ("..._2012年中国扶贫开发年鉴")."""
    m = VOLUME_TITLE_RE.search(title or "")
    return int(m.group(1)) - 1 if m else None


def year_from_text(text: str) -> int | None:
    """The year the report names most often (its data year in the reports seen); a tie goes to the
    latest year, since reports look back to earlier years more than forward."""
    counts = Counter(int(y) for y in YEAR_RE.findall(text))
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def document_id(region: str | None, year: int | None, stem: str) -> str:
    """``<region>-<year>`` (the corpus' naming, "inner-mongolia-2009") when both are known, else the
    file name."""
    if region and year:
        return f"{slug(region)}-{year}"
    return slug(stem) or stem
