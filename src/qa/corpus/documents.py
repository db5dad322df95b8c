"""Documents of the corpus: a report as UTF-8 text (``.txt``/``.md``) or as the HTML page saved from
the yearbook site (``.html``, see ``qa.corpus.html``), with its metadata in a JSON file of the same
name (which wins over what is read from a page); site footers and other boilerplate lines are skipped.

``scan_corpus`` reads a folder and keeps going past a bad file (it is reported, with the reason,
in ``CorpusScan.skipped``); ``load_corpus`` is the strict form that raises on the first one. Each
document carries the hash of its source bytes (file and metadata file), so that an incremental
build can tell an unchanged file without parsing it again.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qa.corpus.html import HTML_SUFFIXES, read_page
from qa.corpus.meta import document_id, region_from_title
from qa.errors import CorpusError

DOC_SUFFIXES = (".txt", ".md", *HTML_SUFFIXES)


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
    source_sha256: str = ""  # of the file's bytes and its metadata file's: what changed since a build

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


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _read_meta(path: Path) -> dict:
    side = _sidecar(path)
    if side.exists():
        try:
            return json.loads(side.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{side}: invalid JSON metadata ({getattr(exc, 'msg', exc)})") from exc
    return {}


def source_hash(path: Path) -> str:
    """sha256 of a document's file and of its metadata file (either changing means a new version)."""
    h = hashlib.sha256(Path(path).read_bytes())
    side = _sidecar(Path(path))
    if side.exists():
        h.update(b"\x00meta\x00" + side.read_bytes())
    return h.hexdigest()


def load_document(path: Path, sha: str | None = None) -> Document:
    path = Path(path)
    sha = sha or source_hash(path)
    if path.suffix.lower() in HTML_SUFFIXES:
        page = read_page(path)
        meta = {**page.meta, **_read_meta(path)}
        doc_id = str(meta.get("id") or document_id(meta.get("region"), meta.get("year"), path.stem))
        return Document(id=doc_id, title=meta["title"], text=page.text, meta=meta, path=str(path),
                        source_sha256=sha)
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
        region = region_from_title(title) or (m.group(1).strip() if m else None)
        if region:
            meta = {**meta, "region": region}
    if not meta.get("year"):
        y = re.search(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)", path.stem)
        if y:
            meta = {**meta, "year": int(y.group(1))}
    return Document(id=doc_id, title=title, text=text, meta=meta, path=str(path), source_sha256=sha)


@dataclass
class CorpusScan:
    """A corpus folder read leniently: its documents, and the files left out with the reason."""

    documents: list[Document]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, message naming the file)
    reused: set[str] = field(default_factory=set)  # ids of documents taken from a previous build


def corpus_files(corpus_dir: Path) -> list[Path]:
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    return [p for p in sorted(corpus_dir.iterdir()) if p.is_file() and p.suffix.lower() in DOC_SUFFIXES]


def scan_corpus(corpus_dir: Path, reuse: Callable[[str, str], Document | None] | None = None,
                progress: Callable[[Path, int, bool], None] | None = None) -> CorpusScan:
    """Every document of the folder, sorted by file name. A file that cannot be read or parsed,
    or that repeats an id taken by an earlier file, is skipped and reported. ``reuse(path, sha)``
    may return the document as a previous build stored it, so an unchanged file is not parsed;
    ``progress(path, total, reused)`` is called after each file."""
    scan = CorpusScan([])
    seen: dict[str, str] = {}
    files = corpus_files(corpus_dir)
    for path in files:
        reused = _scan_one(path, reuse, scan, seen)
        if progress is not None:
            progress(path, len(files), reused)
    return scan


def _scan_one(path: Path, reuse: Callable[[str, str], Document | None] | None, scan: CorpusScan,
              seen: dict[str, str]) -> bool:
    """Add one file's document to ``scan`` (or its reason to ``skipped``); True if it was reused."""
    try:
        sha = source_hash(path)
        doc = reuse(str(path), sha) if reuse else None
        was_reused = doc is not None
        if doc is None:
            doc = load_document(path, sha)
    except CorpusError as exc:
        scan.skipped.append((str(path), exc.message))
        return False
    except OSError as exc:
        scan.skipped.append((str(path), f"{path}: cannot be read ({exc.strerror or exc})"))
        return False
    if doc.id in seen:
        scan.skipped.append((str(path), f"{path}: duplicate document id {doc.id!r} (already used by "
                                        f"{Path(seen[doc.id]).name})"))
        return False
    seen[doc.id] = str(path)
    scan.documents.append(doc)
    if was_reused:
        scan.reused.add(doc.id)
    return was_reused


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every document of the folder, sorted by name, with its sidecar metadata; raises
    ``CorpusError`` on the first bad file (``scan_corpus`` is the lenient form)."""
    scan = scan_corpus(corpus_dir)
    if scan.skipped:
        dupes = [m for _, m in scan.skipped if "duplicate document id" in m]
        if dupes:
            raise CorpusError(f"duplicate document ids in {corpus_dir}: {dupes[0]}")
        raise CorpusError(scan.skipped[0][1])
    return scan.documents


def add_document(src: Path, corpus_dir: Path, replace: bool = False) -> Document:
    """Copy one report into the corpus folder after checking that it reads as a document (a bad
    page is refused here, naming the file, and nothing is copied). An HTML page is stored as
    ``<id>.html`` (``<region>-<year>``, read from the page); a text report keeps its name and its
    metadata file comes along. An existing file of the same id is only overwritten with ``replace``."""
    import shutil

    src = Path(src)
    if not src.is_file():
        raise CorpusError(f"{src}: no such file")
    if src.suffix.lower() not in DOC_SUFFIXES:
        raise CorpusError(f"{src}: not a report file (expected {', '.join(DOC_SUFFIXES)})")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    doc = load_document(src)
    html = src.suffix.lower() in HTML_SUFFIXES
    dest = corpus_dir / (f"{doc.id}.html" if html else src.name)
    same_id = [p for p in corpus_files(corpus_dir) if p.stem == dest.stem and p != dest]
    if same_id:
        raise CorpusError(f"{src}: the corpus already has a report {doc.id!r} ({same_id[0].name}); remove it first")
    if dest.exists() and not replace and dest.read_bytes() != src.read_bytes():
        raise CorpusError(f"{src}: {dest.name} is already in the corpus with other content; use --replace")
    if dest.resolve() != src.resolve():
        shutil.copyfile(src, dest)
        if _sidecar(src).exists():
            shutil.copyfile(_sidecar(src), _sidecar(dest))
    return load_document(dest)
