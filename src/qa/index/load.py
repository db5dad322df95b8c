"""Load an index directory: ``manifest.json`` first (format, model, counts), then the files it
names; an index built with another model or format is refused with the fix to run.
"""

from __future__ import annotations

import fcntl
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.corpus.documents import Document
from qa.corpus.passages import Passage
from qa.errors import IndexLoadError

FORMAT_VERSION = 3  # 3: figure-context vectors (facts.npy)


MANIFEST = "manifest.json"


FILES = {
    "documents": "documents.json",
    "passages": "passages.jsonl",
    "vectors": "vectors.faiss",
    "bm25": "bm25",
    "vocab": "vocab.json",
    "encoder": "encoder/model.onnx",
    "facts": "facts.sqlite3",
    "sentences": "sentences.json",
    "sentence_vectors": "sentences.npy",
    "fact_ids": "fact_ids.json",
    "fact_vectors": "facts.npy",
}


PIN_FILE = ".serving.lock"  # a server holds a shared flock on it while it serves the build



def pin_build(build: Path):
    """Hold a shared lock on the build's pin file, so that ``qa index`` does not prune a build a
    server still reads (the fact table is queried from disk). Returns the open file (close it to
    unpin), or None where the build folder is read-only."""
    try:
        fh = open(Path(build) / PIN_FILE, "a+b")  # noqa: SIM115
    except OSError:
        return None
    try:
        fcntl.flock(fh, fcntl.LOCK_SH)  # a pruner holds its exclusive probe only for a moment
    except OSError:
        fh.close()
        return None
    return fh


def build_in_use(build: Path) -> bool:
    """True while some process holds the build's pin (``pin_build``)."""
    try:
        fh = open(Path(build) / PIN_FILE, "rb")  # noqa: SIM115
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def read_manifest(index_dir: Path) -> dict:
    path = index_dir / MANIFEST
    if not index_dir.exists():
        raise IndexLoadError(f"no index at {index_dir}; run: qa index --index {index_dir}")
    if not path.exists():
        raise IndexLoadError(f"{path} is missing; run: qa index --index {index_dir}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexLoadError(f"{path} is damaged ({exc}); run: qa index --index {index_dir}") from exc


def check_manifest(manifest: dict, index_dir: Path, model: str) -> None:
    from qa.index.encoder import model_id

    fix = f"run: qa index --index {index_dir}"
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexLoadError(
            f"{index_dir / MANIFEST}: format version {manifest.get('format_version')!r}, this qa reads "
            f"{FORMAT_VERSION}; {fix}"
        )
    if manifest.get("model") != model_id(model):
        raise IndexLoadError(
            f"{index_dir / MANIFEST}: built with model {manifest.get('model')!r}, settings ask for "
            f"{model_id(model)!r}; {fix} (or set QA_MODEL={manifest.get('model')})"
        )
    for name in FILES.values():
        if not (index_dir / name).exists():
            raise IndexLoadError(f"{index_dir / name} is missing; {fix}")


@dataclass
class QAIndex:
    """Everything the query path needs, loaded once: documents, passages, retriever, facts."""

    path: Path
    manifest: dict
    documents: dict[str, Document]
    passages: list[Passage]
    retriever: object
    facts: list
    facts_db: Path
    sentences: list = field(default_factory=list)  # [passage index, start, end] per sentence
    sentence_vectors: np.ndarray | None = None
    fact_ids: list = field(default_factory=list)  # [fact id, figure context] per row of fact_vectors
    fact_vectors: np.ndarray | None = None
    # State that later stages derive from this index once (the answer stage's vocabulary, the page's
    # example questions), keyed by the stage that owns it: one explicit slot instead of ad-hoc attributes.
    derived: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.passage_by_id = {p.id: p for p in self.passages}
        # passage id -> [(start, end, row in sentence_vectors)]
        self.sentences_by_passage: dict[str, list[tuple[int, int, int]]] = {}
        for row, (i, a, b) in enumerate(self.sentences):
            self.sentences_by_passage.setdefault(self.passages[i].id, []).append((a, b, row))
        self.fact_row = {fid: row for row, (fid, _text) in enumerate(self.fact_ids)}
        self.fact_context = {fid: text for fid, text in self.fact_ids}
        self.facts_by_passage: dict[str, list] = {}
        for f in self.facts:
            self.facts_by_passage.setdefault(f.passage_id, []).append(f)

    def search(self, query: str, k: int = 8, mode: str = "hybrid", docs: frozenset[str] | set[str] | None = None):
        """Top passages for ``query`` as ``(Passage, Hit)`` pairs; with ``docs``, only those reports'
        passages, ranked as if they were the whole index (all of them: no restriction)."""
        within = None
        if docs is not None and set(docs) != set(self.documents):
            within = frozenset(i for d in docs for i in self.passages_of(d))
        kwargs = {"within": within} if within is not None else {}
        return [(self.passages[h.passage_index], h) for h in self.retriever.search(query, k, mode, **kwargs)]

    def passages_of(self, doc: str) -> tuple[int, ...]:
        """The indexes (in ``passages``) of one report's passages."""
        by_doc = self.derived.get("index.passages_of")
        if by_doc is None:
            by_doc = {}
            for i, p in enumerate(self.passages):
                by_doc.setdefault(p.doc, []).append(i)
            by_doc = self.derived["index.passages_of"] = {d: tuple(v) for d, v in by_doc.items()}
        return by_doc.get(doc, ())


def load_index(index_dir: Path, model: str) -> QAIndex:
    """Load an index directory, manifest first; raises ``IndexLoadError`` with a one-line fix."""
    from qa.facts.store import load_facts
    from qa.index.encoder import OnnxEncoder
    from qa.index.search import Retriever

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    check_manifest(manifest, index_dir, model)
    real = index_dir.resolve()  # pin the build: a later swap must not change files under us
    fix = f"run: qa index --index {index_dir}"

    def read(name: str, loader):
        # Each file is read on its own, so that a damaged one is named in the error.
        try:
            return loader(real / FILES[name])
        except IndexLoadError:
            raise
        except Exception as exc:
            raise IndexLoadError(f"{real / FILES[name]}: cannot be read ({type(exc).__name__}: "
                              f"{str(exc)[:120]}); {fix}") from exc

    docs_raw = read("documents", lambda p: json.loads(p.read_text(encoding="utf-8")))
    documents = read("documents", lambda _p: {
        d["id"]: Document(id=d["id"], title=d["title"], text=d["text"], meta=d.get("meta", {}),
                          path=d.get("path", ""))
        for d in docs_raw
    })
    passages = read("passages", lambda p: [Passage(**json.loads(line))
                                           for line in p.read_text(encoding="utf-8").splitlines() if line.strip()])
    encoder = read("encoder", lambda p: OnnxEncoder(p.parent))
    read("vocab", lambda p: json.loads(p.read_text()))  # checked here to be named; the retriever loads it
    retriever = read("vectors", lambda _p: Retriever.load(real, encoder, len(passages)))
    if retriever.vindex.ntotal != len(passages):
        raise IndexLoadError(f"{real / FILES['vectors']} holds {retriever.vindex.ntotal} vectors for "
                          f"{len(passages)} passages; {fix}")
    facts = read("facts", load_facts)
    sentences = read("sentences", lambda p: json.loads(p.read_text()))
    sentence_vectors = read("sentence_vectors", np.load)
    if len(sentences) != len(sentence_vectors):
        raise IndexLoadError(f"{real / FILES['sentence_vectors']} does not match {FILES['sentences']}; {fix}")
    fact_ids = read("fact_ids", lambda p: json.loads(p.read_text()))
    fact_vectors = read("fact_vectors", np.load)
    if len(fact_ids) != len(fact_vectors):
        raise IndexLoadError(f"{real / FILES['fact_vectors']} does not match {FILES['fact_ids']}; {fix}")
    return QAIndex(real, manifest, documents, passages, retriever, facts, real / FILES["facts"], sentences,
                   sentence_vectors, fact_ids, fact_vectors)

