"""What a build may take from the previous one, so that ``qa index`` parses and embeds only the
files that are new or changed.

A file is unchanged when its name and the sha256 of its bytes (and of its metadata file) match an
entry of the previous manifest (``source_sha256``). Its document, passages, passage vectors,
sentence spans and vectors, and facts are then taken from the previous build as they are; BM25 and
the vector index are rebuilt over the whole corpus (their statistics span every document), which
costs little next to embedding. The facts are never read back into objects: the previous fact table
is copied and only the changed reports' rows deleted and inserted (at 1,000 reports, reading its
30k facts back and writing them again took 2 s of the 5 s budget for adding one report), and the
reused passages' BM25 tokens come from the previous build's ``bm25_terms.json``.

Reuse is only sound when the previous build was made by the same pipeline: the manifest records
a fingerprint of the code that shapes passages and facts (``qa.text`` with its lexicon,
``qa.corpus``, ``qa.facts`` and the build itself), of the model, of the chunking parameters and of the HTML
extractor's version. Any difference, or a previous build that cannot be read, means a full build.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson

from qa.corpus.documents import Document
from qa.corpus.passages import Passage
from qa.index.load import FILES, FORMAT_VERSION, MANIFEST

_PACKAGE = Path(__file__).resolve().parents[1]  # src/qa
# The code whose change changes what a build writes for a document.
PIPELINE_SOURCES = ("text", "corpus", "facts", "index/build.py", "index/incremental.py", "index/encoder.py",
                    "index/wordvecs.py")
SOURCE_SUFFIXES = (".py", ".toml", ".json")  # code and the data it reads (the lexicon)


def pipeline_fingerprint(model: str, max_tokens: int) -> str:
    h = hashlib.sha256(f"format={FORMAT_VERSION}\x00model={model}\x00max_tokens={max_tokens}".encode())
    for rel in PIPELINE_SOURCES:
        root = _PACKAGE / rel
        files = sorted(f for f in root.rglob("*") if f.suffix in SOURCE_SUFFIXES) if root.is_dir() else [root]
        for f in files:
            h.update(f"\x00{f.relative_to(_PACKAGE)}\x00".encode() + f.read_bytes())
    try:
        from importlib.metadata import version

        h.update(f"\x00trafilatura={version('trafilatura')}".encode())
    except Exception:  # noqa: BLE001 - not installed: .html files will be reported as skipped anyway
        pass
    return h.hexdigest()


@dataclass
class DocumentParts:
    """One document's share of a build: passages with their vectors, sentences, facts."""

    document: Document
    passages: list[Passage]
    vectors: np.ndarray  # (len(passages), dim)
    sentences: list[tuple[int, int, int]]  # (passage index within this document, start, end)
    sentence_vectors: np.ndarray  # (len(sentences), dim)
    facts: list | None = field(default_factory=list)  # None: the document's rows of the previous fact table
    fact_rows: list = field(default_factory=list)  # [fact id, figure context] of its numeric facts
    fact_vectors: np.ndarray | None = None  # (len(fact_rows), dim)
    terms: list | None = None  # per passage its BM25 tokens and words (``qa.index.search.passage_terms``)


class PreviousBuild:
    """The build the index path points to, read for reuse."""

    def __init__(self, path: Path, manifest: dict) -> None:
        self.path = path
        self.manifest = manifest
        self._by_file = {(Path(d.get("path", "")).name, d.get("source_sha256")): d["id"]
                         for d in manifest.get("documents", []) if d.get("source_sha256")}
        records = orjson.loads((path / FILES["documents"]).read_bytes())
        self.documents = {r["id"]: Document(id=r["id"], title=r["title"], text=r["text"], meta=r.get("meta", {}),
                                            path=r.get("path", ""), source_sha256=r.get("source_sha256", ""))
                          for r in records}
        self.passages = [Passage(**orjson.loads(line))
                         for line in (path / FILES["passages"]).read_bytes().splitlines() if line]
        import faiss

        vindex = faiss.read_index(str(path / FILES["vectors"]))
        if vindex.ntotal != len(self.passages):
            raise ValueError("vector count does not match the passages")
        self.vectors = vindex.reconstruct_n(0, vindex.ntotal)
        self.sentences = orjson.loads((path / FILES["sentences"]).read_bytes())
        self.sentence_vectors = np.load(path / FILES["sentence_vectors"])
        self._passage_rows: dict[str, list[int]] = {}
        for row, p in enumerate(self.passages):
            self._passage_rows.setdefault(p.doc, []).append(row)
        self._sentence_rows: dict[int, list[int]] = {}
        for row, (i, _a, _b) in enumerate(self.sentences):
            self._sentence_rows.setdefault(i, []).append(row)
        self.fact_rows = orjson.loads((path / FILES["fact_ids"]).read_bytes())
        self.fact_vectors = np.load(path / FILES["fact_vectors"])
        if len(self.fact_rows) != len(self.fact_vectors):
            raise ValueError("figure vectors do not match their ids")
        from qa.facts.store import fact_documents

        fact_doc = fact_documents(path / FILES["facts"])
        self._fact_rows_by_doc: dict[str, list[int]] = {}
        for row, (fid, _text) in enumerate(self.fact_rows):
            if fid in fact_doc:
                self._fact_rows_by_doc.setdefault(fact_doc[fid], []).append(row)
        from qa.index.search import TERMS_FILE

        terms = path / TERMS_FILE
        self.terms = orjson.loads(terms.read_bytes()) if terms.exists() else None
        if self.terms is not None and len(self.terms) != len(self.passages):
            self.terms = None  # not this build's: tokenize again

    def document(self, path: str, sha: str) -> Document | None:
        """The stored document for a file whose name and hash are unchanged (the ``reuse`` hook of
        ``scan_corpus``); its stored path is updated to where the file is now."""
        doc_id = self._by_file.get((Path(path).name, sha))
        doc = self.documents.get(doc_id) if doc_id else None
        if doc is None or doc_id not in self._passage_rows:
            return None
        return Document(id=doc.id, title=doc.title, text=doc.text, meta=doc.meta, path=path, source_sha256=sha)

    def parts(self, doc: Document) -> DocumentParts:
        rows = self._passage_rows[doc.id]
        local = {g: k for k, g in enumerate(rows)}
        srows = [r for g in rows for r in self._sentence_rows.get(g, [])]
        sentences = [(local[self.sentences[r][0]], self.sentences[r][1], self.sentences[r][2]) for r in srows]
        dim = self.vectors.shape[1]
        svecs = self.sentence_vectors[srows] if srows else np.zeros((0, dim), np.float32)
        frows = self._fact_rows_by_doc.get(doc.id, [])
        fvecs = self.fact_vectors[frows] if frows else np.zeros((0, dim), np.float32)
        return DocumentParts(doc, [self.passages[g] for g in rows], self.vectors[rows], sentences, svecs, None,
                             [self.fact_rows[r] for r in frows], fvecs,
                             [self.terms[g] for g in rows] if self.terms is not None else None)


def load_previous(index_dir: Path, fingerprint: str) -> PreviousBuild | None:
    """The current build of ``index_dir`` if it was made by this pipeline, else None (full build)."""
    try:
        path = Path(index_dir).resolve()
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION or manifest.get("pipeline") != fingerprint:
            return None
        if not (path / "encoder" / "model.onnx").exists():
            return None
        return PreviousBuild(path, manifest)
    except Exception:  # noqa: BLE001 - an unreadable previous build is simply not reused
        return None
