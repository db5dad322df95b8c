"""Load an index directory: ``manifest.json`` first (format, model, counts), then the files it
names; an index built with another model or format is refused with the fix to run.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import threading
from pathlib import Path

import numpy as np
import orjson

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
    from qa.index.wordvecs import FILES as WORD_FILES

    # The word vectors are optional (an index built before them loads without), unless the manifest lists them.
    listed = [n for n in WORD_FILES.values() if n in (manifest.get("files") or {}).values()]
    for name in [*FILES.values(), *listed]:
        if not (index_dir / name).exists():
            raise IndexLoadError(f"{index_dir / name} is missing; {fix}")


class QAIndex:
    """Everything the query path needs, loaded once: documents, passages, retriever, facts.

    The facts stay in their SQLite table until needed (building all 30k of a 1,000-report index
    into objects took a second of every start): ``facts_by_passage`` reads one report's facts the
    first time a question reaches one of its passages, ``facts_of_kind`` one kind, and ``facts``
    (the whole table: the facts page, the chart, the evaluation) is read on first use. ``facts``
    may also be given, for an index built in memory.
    """

    def __init__(self, path: Path, manifest: dict, documents: dict[str, Document], passages: list[Passage],
                 retriever: object, facts: list | None, facts_db: Path, sentences: list | None = None,
                 sentence_vectors: np.ndarray | None = None, fact_ids: list | None = None,
                 fact_vectors: np.ndarray | None = None, word_vectors=None, common_words=None) -> None:
        self.path = path
        self.manifest = manifest
        self.documents = documents
        self.passages = passages
        self.retriever = retriever
        self.facts_db = facts_db
        self.sentences = sentences if sentences is not None else []  # [passage index, start, end] per sentence
        self.sentence_vectors = sentence_vectors
        self.fact_ids = fact_ids if fact_ids is not None else []  # [fact id, figure context] per row of fact_vectors
        self.fact_vectors = fact_vectors
        # Single words embedded at index time (``qa.index.wordvecs.WordVectors``), or None: the answerer
        # then encodes the words it meets.
        self.word_vectors = word_vectors
        # Common English words embedded when the encoder was exported (``qa.index.common_words``), or
        # None: a question word no report uses is looked up there before it is encoded.
        self.common_words = common_words
        # State that later stages derive from this index once (the answer stage's vocabulary, the page's
        # example questions), keyed by the stage that owns it: one explicit slot instead of ad-hoc attributes.
        self.derived: dict = {}
        self._facts = facts
        self._lock = threading.Lock()
        self.passage_by_id = {p.id: p for p in self.passages}
        # passage id -> [(start, end, row in sentence_vectors)]
        self.sentences_by_passage: dict[str, list[tuple[int, int, int]]] = {}
        for row, (i, a, b) in enumerate(self.sentences):
            self.sentences_by_passage.setdefault(self.passages[i].id, []).append((a, b, row))
        self.fact_row = {fid: row for row, (fid, _text) in enumerate(self.fact_ids)}
        self.fact_context = {fid: text for fid, text in self.fact_ids}
        self.facts_by_passage = FactsByPassage(self)

    @property
    def facts(self) -> list:
        """Every fact of the index, ordered by document and start offset (read on first use)."""
        if self._facts is None:
            from qa.facts.store import load_facts

            with self._lock:
                if self._facts is None:
                    self._facts = load_facts(self.facts_db)
        return self._facts

    def facts_of_kind(self, kind: str) -> list:
        """The facts of one kind, in the order of ``facts``, without reading the others."""
        if self._facts is not None:
            return [f for f in self._facts if f.kind == kind]
        from qa.facts.store import load_facts

        return load_facts(self.facts_db, kind=kind)

    def facts_of_document(self, doc: str) -> list:
        """One report's facts, in the order of ``facts`` (read from the table once per report: the
        report's context and its passages' facts both ask for them)."""
        if self._facts is not None:
            return [f for f in self._facts if f.doc == doc]
        return list(self.facts_by_passage.of_document(doc))

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


class FactsByPassage:
    """Passage id -> its facts (in the order of ``QAIndex.facts``), read from the fact table one
    report at a time, the first time one of the report's passages (or the report) is asked for;
    thread-safe. The reads share one read-only connection, under the index's lock: at 1,000
    reports a question reaches ~3 new reports, and opening a connection per read cost as much as
    the read itself."""

    def __init__(self, index: QAIndex) -> None:
        self._index = index
        self._by_passage: dict[str, list] = {}
        self._by_doc: dict[str, tuple] = {}
        self._con: sqlite3.Connection | None = None

    def of_document(self, doc: str) -> tuple:
        """The report's facts, read on first use."""
        got = self._by_doc.get(doc)
        if got is not None:
            return got
        with self._index._lock:
            got = self._by_doc.get(doc)
            if got is None:
                got = tuple(self._read(doc))
                by: dict[str, list] = {}
                for f in got:
                    by.setdefault(f.passage_id, []).append(f)
                self._by_passage.update(by)
                self._by_doc[doc] = got
        return got

    def _read(self, doc: str) -> list:
        # What ``qa.facts.store.load_facts(path, doc=doc)`` returns (tests/test_index_facts_cache.py
        # compares them), on the kept connection and without a dict per row.
        from qa.facts.model import Fact
        from qa.facts.store import COLUMNS, INT_COLUMNS

        if self._con is None:
            from qa.facts.store import connect_ro

            self._con = connect_ro(self._index.facts_db)
            self._con.row_factory = None
        cols = ", ".join(f'"{c}"' for c in COLUMNS)
        rows = self._con.execute(f'SELECT {cols} FROM facts WHERE "doc" = ? ORDER BY doc, start, "end", kind',
                                 (doc,)).fetchall()
        ints = [i for i, c in enumerate(COLUMNS) if c in INT_COLUMNS]
        vi = COLUMNS.index("value")
        # Built without Fact's __init__: a frozen dataclass sets each of its 22 fields through
        # object.__setattr__ (~5 us a fact, ~30 facts a report, ~3 reports a question at 1,000
        # reports); filling the instance's dict gives the same object (equality, hash, repr).
        fields = tuple(COLUMNS)
        make = object.__new__
        out = []
        for r in rows:
            r = list(r)
            v = r[vi]
            if isinstance(v, float) and v.is_integer():
                r[vi] = int(v)
            for i in ints:
                if r[i] is not None:
                    r[i] = int(r[i])
            f = make(Fact)
            f.__dict__.update(zip(fields, r, strict=True))
            out.append(f)
        return out

    def get(self, passage_id: str, default=()):
        got = self._by_passage.get(passage_id)
        if got is not None:
            return got
        p = self._index.passage_by_id.get(passage_id)
        if p is None or p.doc in self._by_doc:
            return default
        self.of_document(p.doc)
        return self._by_passage.get(passage_id, default)

    def __getitem__(self, passage_id: str) -> list:
        got = self.get(passage_id, None)
        if got is None:
            raise KeyError(passage_id)
        return got

    def __contains__(self, passage_id: object) -> bool:
        return isinstance(passage_id, str) and self.get(passage_id, None) is not None


def load_index(index_dir: Path, model: str, encoder_int8: bool = False) -> QAIndex:
    """Load an index directory, manifest first; raises ``IndexLoadError`` with a one-line fix.
    ``encoder_int8``: encode questions with the build's int8 copy of the encoder when it has one
    (``qa.index.quantize``; built with ``QA_ENCODER_INT8=1``)."""
    from qa.facts.store import fact_count
    from qa.index.encoder import OnnxEncoder
    from qa.index.quantize import FLOAT_DIR, encoder_folder
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

    # orjson: the same objects as json, parsed in a third of the time (~10 MB of JSON at 1,000 reports)
    docs_raw = read("documents", lambda p: orjson.loads(p.read_bytes()))
    documents = read("documents", lambda _p: {
        d["id"]: Document(id=d["id"], title=d["title"], text=d["text"], meta=d.get("meta", {}),
                          path=d.get("path", ""))
        for d in docs_raw
    })
    passages = read("passages", lambda p: [Passage(**orjson.loads(line))
                                           for line in p.read_bytes().splitlines() if line.strip()])
    encoder = read("encoder", lambda p: OnnxEncoder(encoder_folder(real, encoder_int8)))
    read("vocab", lambda p: json.loads(p.read_text()))  # checked here to be named; the retriever loads it
    retriever = read("vectors", lambda _p: Retriever.load(real, encoder, len(passages)))
    if retriever.vindex.ntotal != len(passages):
        raise IndexLoadError(f"{real / FILES['vectors']} holds {retriever.vindex.ntotal} vectors for "
                          f"{len(passages)} passages; {fix}")
    read("facts", fact_count)  # opened here, so that a damaged table is named at load; read on use
    sentences = read("sentences", lambda p: orjson.loads(p.read_bytes()))
    # Memory-mapped: a question reads a few rows; at 1,000 reports the two files are ~130 MB, which
    # np.load would read whole at every start (builds are never written in place: a mapping stays valid).
    # (viewed as plain arrays: indexing a np.memmap row builds a memmap object, 4 us each, ~60 a question)
    sentence_vectors = read("sentence_vectors", lambda p: np.load(p, mmap_mode="r").view(np.ndarray))
    if len(sentences) != len(sentence_vectors):
        raise IndexLoadError(f"{real / FILES['sentence_vectors']} does not match {FILES['sentences']}; {fix}")
    fact_ids = read("fact_ids", lambda p: orjson.loads(p.read_bytes()))
    fact_vectors = read("fact_vectors", lambda p: np.load(p, mmap_mode="r").view(np.ndarray))
    if len(fact_ids) != len(fact_vectors):
        raise IndexLoadError(f"{real / FILES['fact_vectors']} does not match {FILES['fact_ids']}; {fix}")
    # Stored word vectors are the float encoder's: with the int8 one, the answerer encodes words itself,
    # so that a word and the question it is compared with come from the same encoder.
    word_vectors = common_words = None
    if encoder_folder(real, encoder_int8).name == FLOAT_DIR:
        from qa.index.wordvecs import WORD_VECTORS, load_word_vectors

        try:
            word_vectors = load_word_vectors(real)
        except Exception as exc:
            raise IndexLoadError(f"{real / WORD_VECTORS}: cannot be read ({type(exc).__name__}: "
                                 f"{str(exc)[:120]}); {fix}") from exc
        from qa.index.common_words import VECTORS, load_common_words

        try:
            common_words = load_common_words(real / FLOAT_DIR)
        except Exception as exc:
            raise IndexLoadError(f"{real / FLOAT_DIR / VECTORS}: cannot be read ({type(exc).__name__}: "
                                 f"{str(exc)[:120]}); {fix}") from exc
    return QAIndex(real, manifest, documents, passages, retriever, None, real / FILES["facts"], sentences,
                   sentence_vectors, fact_ids, fact_vectors, word_vectors, common_words)

