"""Documents of the corpus: a report as UTF-8 text (``.txt``/``.md``) with its metadata in a JSON
file of the same name; site footers and other boilerplate lines are skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import CorpusError

DOC_SUFFIXES = (".txt", ".md")


SECTION_RE = re.compile(r"【([^】]{1,120})】|^\s*\[([^\]\n]{1,80})\]")
FOOTER_RE = re.compile(
    r"(©|copyright|all rights reserved|ICP备|京ICP|版权所有|邮编|电话|传真|地址[:：]|扫描|下载|客户端"
    r"|download (the|our) app|privacy policy|terms of use)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    meta: dict = field(default_factory=dict)
    path: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()



def cjk_share(line: str) -> float:
    chars = [c for c in line if not c.isspace()]
    if not chars:
        return 0.0
    cjk = sum(1 for c in chars if unicodedata.east_asian_width(c) in ("W", "F"))
    return cjk / len(chars)


def is_boilerplate(line: str, doc_is_latin: bool = True) -> bool:
    """Footer/navigation lines of the source website, not part of the report.

    General rule: in a report written in a Latin script, a line mostly in CJK characters is
    site chrome; so is any line with copyright, licence, address or app-download markers.
    """
    stripped = line.strip()
    if not stripped:
        return False
    if doc_is_latin and cjk_share(stripped) > 0.3 and not SECTION_RE.search(stripped):
        return True
    return bool(FOOTER_RE.search(stripped)) and len(stripped) < 200


def _read_meta(path: Path) -> dict:
    side = path.with_suffix(".json")
    if side.exists():
        try:
            return json.loads(side.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{side}: invalid JSON metadata ({exc.msg})") from exc
    return {}


def load_document(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text") from exc
    meta = _read_meta(path)
    doc_id = str(meta.get("id") or path.stem)
    title = meta.get("title") or next((ln.strip() for ln in text.splitlines() if ln.strip()), doc_id)
    title = title.lstrip("# ").strip()
    # Without a metadata file, the series' title ("... Development in Hebei") names the region and
    # the file name usually carries the year ("hebei-2009.txt").
    if not meta.get("region"):
        m = re.search(r"\bin ([A-Z][\w'’ -]{1,60}?)(?: Province| Autonomous Region| Municipality)?\s*$", title)
        if m:
            meta = {**meta, "region": m.group(1).strip()}
    if not meta.get("year"):
        y = re.search(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)", path.stem)
        if y:
            meta = {**meta, "year": int(y.group(1))}
    return Document(id=doc_id, title=title, text=text, meta=meta, path=str(path))


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every ``.txt`` / ``.md`` file of the folder, sorted by name, with its sidecar metadata."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    docs = [load_document(p) for p in sorted(corpus_dir.iterdir()) if p.suffix in DOC_SUFFIXES]
    ids = [d.id for d in docs]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise CorpusError(f"duplicate document ids in {corpus_dir}: {sorted(dupes)}")
    return docs

