"""Build and load the index directory.

A saved index is a directory whose ``manifest.json`` is read first (format version, model and
dimension, per-document hashes, chunking parameters, counts, build time), as txtai does; loading
refuses an index built with another model or format. Builds go to a fresh versioned folder next
to the index path, and the index path itself is a symlink swapped atomically with ``os.replace``,
so a crash never leaves half an index and a running server never reads one. A file lock keeps two
builds from racing.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from qa.ingest import Document, Passage, load_corpus, split_passages
from qa.settings import Settings

FORMAT_VERSION = 2
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
}
KEEP_BUILDS = 2
PIN_FILE = ".serving.lock"  # a server holds a shared flock on it while it serves the build


class IndexLoadError(Exception):
    """An index that is missing, damaged or incompatible; the message names the file and the fix."""


class BuildLockedError(Exception):
    """Another ``qa index`` holds the build lock."""


@dataclass
class BuildReport:
    path: Path
    documents: int
    passages: int
    facts: int
    seconds: float
    manifest: dict = field(default_factory=dict)


@contextmanager
def build_lock(index_dir: Path, wait: float = 120.0):
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir.parent / f".{index_dir.name}.lock"
    with open(lock_path, "w") as fh:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BuildLockedError(
                        f"another `qa index` is building {index_dir} (lock {lock_path}); try again later"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_index(settings: Settings, progress: bool = True, fail_after: str | None = None) -> BuildReport:
    """Build the index for ``settings.corpus_dir`` into ``settings.index_dir`` atomically.

    ``fail_after`` names a build step after which to raise, for the atomicity test.
    """
    from qa.embed import export_onnx, load_sentence_transformer, model_id, token_counter

    t0 = time.perf_counter()
    index_dir = settings.index_dir
    docs = load_corpus(settings.corpus_dir)
    with build_lock(index_dir):
        builds = index_dir.parent / f"{index_dir.name}.builds"
        builds.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        tmp = builds / f".tmp-{stamp}-{os.getpid()}"
        final = builds / stamp
        tmp.mkdir()
        try:
            count = token_counter(settings.model)
            docs_by_id = {d.id: d for d in docs}
            passages: list[Passage] = []
            for doc in docs:
                passages.extend(split_passages(doc, settings.max_passage_tokens, count))
            _write_json(tmp / FILES["documents"], [_doc_record(d) for d in docs])
            with open(tmp / FILES["passages"], "w", encoding="utf-8") as fh:
                for p in passages:
                    fh.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
            _maybe_fail(fail_after, "passages")

            st = load_sentence_transformer(settings.model)
            vectors = st.encode(
                [p.embed_text() for p in passages],
                batch_size=8,  # measured: less padding, 1.6 s vs 2.4 s at 32 on 2 cores
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            ).astype(np.float32)
            import faiss

            from qa.vectors import build_vector_index, choose_index_type

            vindex = build_vector_index(vectors)
            faiss.write_index(vindex, str(tmp / FILES["vectors"]))
            _maybe_fail(fail_after, "vectors")
            export_onnx(st, tmp / "encoder")
            _build_sentences(passages, docs_by_id, tmp)

            from qa.retrieve import build_bm25

            build_bm25([p.embed_text() for p in passages], tmp)
            facts = _build_facts(docs, passages, tmp / FILES["facts"])
            _maybe_fail(fail_after, "facts")

            manifest = {
                "format_version": FORMAT_VERSION,
                "model": model_id(settings.model),
                "dimension": int(vectors.shape[1]),
                "vector_index": choose_index_type(len(passages)),
                "normalized": True,
                "metric": "inner_product",
                "chunking": {"unit": "paragraph", "max_tokens": settings.max_passage_tokens,
                             "split": "sentence"},
                "documents": [
                    {"id": d.id, "title": d.title, "sha256": d.sha256, "path": d.path,
                     "region": d.meta.get("region"), "year": d.meta.get("year"),
                     "source_url": d.meta.get("source_url")}
                    for d in docs
                ],
                "counts": {"documents": len(docs), "passages": len(passages), "facts": facts},
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - t0, 2),
                "files": FILES,
            }
            _write_json(tmp / MANIFEST, manifest)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_symlink(index_dir, final)
        _prune(builds, keep=final)
    return BuildReport(final, len(docs), len(passages), facts, time.perf_counter() - t0, manifest)


def _build_sentences(passages: list[Passage], docs_by_id: dict[str, Document], out: Path) -> None:
    """Sentence spans and vectors, so the answerer can pick the sentence that answers.

    They are encoded with the ONNX export of the same model (equal to sentence-transformers
    within 1e-4 cosine, tests/test_onnx.py), which is about 3x faster on CPU than torch here.
    """
    from qa.embed import OnnxEncoder
    from qa.ingest import split_sentences

    sents = [[i, a, b] for i, p in enumerate(passages) for a, b in split_sentences(p.text, p.start)]
    texts = [f"{passages[i].section}: {docs_by_id[passages[i].doc].text[a:b]}" for i, a, b in sents]
    enc = OnnxEncoder(out / "encoder", threads=0)
    vecs = [enc.encode(texts[k : k + 16]) for k in range(0, len(texts), 16)]
    _write_json(out / FILES["sentences"], sents)
    np.save(out / FILES["sentence_vectors"], np.vstack(vecs) if vecs else np.zeros((0, 1), np.float32))


def _maybe_fail(fail_after: str | None, step: str) -> None:
    if fail_after == step:
        raise RuntimeError(f"simulated failure after step {step!r}")


def _build_facts(docs: list[Document], passages: list[Passage], path: Path) -> int:
    from qa.facts import extract_facts
    from qa.factstore import write_facts

    facts = []
    for doc in docs:
        facts.extend(extract_facts(doc, [p for p in passages if p.doc == doc.id]))
    write_facts(path, facts)
    return len(facts)


def _doc_record(d: Document) -> dict:
    return {"id": d.id, "title": d.title, "text": d.text, "meta": d.meta, "path": d.path,
            "sha256": d.sha256}


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")


def _swap_symlink(index_dir: Path, target: Path) -> None:
    if index_dir.exists() and not index_dir.is_symlink():
        # An index directory from elsewhere: keep it beside the builds rather than delete it.
        index_dir.rename(index_dir.parent / f"{index_dir.name}.builds" / f"replaced-{time.time_ns()}")
    tmp_link = index_dir.parent / f".{index_dir.name}.link-{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(os.path.relpath(target, index_dir.parent), tmp_link)
    os.replace(tmp_link, index_dir)


def _prune(builds: Path, keep: Path) -> None:
    # Keep the previous build too: a server that loaded it a moment ago may still be reading it.
    # Older builds go unless a server still serves them (it holds their pin, see ``pin_build``).
    done = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".tmp-"))
    for old in done[:-KEEP_BUILDS]:
        if old != keep and not build_in_use(old):
            shutil.rmtree(old, ignore_errors=True)


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
    from qa.embed import model_id

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

    def __post_init__(self) -> None:
        self.passage_by_id = {p.id: p for p in self.passages}
        # passage id -> [(start, end, row in sentence_vectors)]
        self.sentences_by_passage: dict[str, list[tuple[int, int, int]]] = {}
        for row, (i, a, b) in enumerate(self.sentences):
            self.sentences_by_passage.setdefault(self.passages[i].id, []).append((a, b, row))
        self.facts_by_passage: dict[str, list] = {}
        for f in self.facts:
            self.facts_by_passage.setdefault(f.passage_id, []).append(f)

    def search(self, query: str, k: int = 8, mode: str = "hybrid"):
        """Top passages for ``query`` as ``(Passage, Hit)`` pairs."""
        return [(self.passages[h.passage_index], h) for h in self.retriever.search(query, k, mode)]


def load_index(index_dir: Path, model: str) -> QAIndex:
    """Load an index directory, manifest first; raises ``IndexLoadError`` with a one-line fix."""
    from qa.embed import OnnxEncoder
    from qa.factstore import load_facts
    from qa.retrieve import Retriever

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
    return QAIndex(real, manifest, documents, passages, retriever, facts, real / FILES["facts"], sentences,
                   sentence_vectors)


