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

from qa.corpus.documents import Document, load_corpus
from qa.corpus.passages import Passage, split_passages
from qa.errors import BuildLockedError
from qa.index.load import FILES, FORMAT_VERSION, MANIFEST, build_in_use
from qa.settings import Settings

KEEP_BUILDS = 2



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
    from qa.index.encoder import model_id, token_counter
    from qa.index.export import export_onnx, load_sentence_transformer

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

            from qa.index.vectors import build_vector_index, choose_index_type

            vindex = build_vector_index(vectors)
            faiss.write_index(vindex, str(tmp / FILES["vectors"]))
            _maybe_fail(fail_after, "vectors")
            export_onnx(st, tmp / "encoder")
            _build_sentences(passages, docs_by_id, tmp)

            from qa.index.search import build_bm25

            build_bm25([p.embed_text() for p in passages], tmp)
            fact_rows = _build_facts(docs, passages, tmp / FILES["facts"])
            _build_fact_vectors(fact_rows, tmp)
            facts = len(fact_rows)
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
    from qa.corpus.passages import split_sentences
    from qa.index.encoder import OnnxEncoder

    sents = [[i, a, b] for i, p in enumerate(passages) for a, b in split_sentences(p.text, p.start)]
    texts = [f"{passages[i].section}: {docs_by_id[passages[i].doc].text[a:b]}" for i, a, b in sents]
    enc = OnnxEncoder(out / "encoder", threads=0)
    vecs = [enc.encode(texts[k : k + 16]) for k in range(0, len(texts), 16)]
    _write_json(out / FILES["sentences"], sents)
    np.save(out / FILES["sentence_vectors"], np.vstack(vecs) if vecs else np.zeros((0, 1), np.float32))


def _maybe_fail(fail_after: str | None, step: str) -> None:
    if fail_after == step:
        raise RuntimeError(f"simulated failure after step {step!r}")


def _build_facts(docs: list[Document], passages: list[Passage], path: Path) -> list:
    from qa.facts.extract import extract_facts
    from qa.facts.store import write_facts

    facts = []
    for doc in docs:
        facts.extend(extract_facts(doc, [p for p in passages if p.doc == doc.id]))
    write_facts(path, facts)
    return facts


def _build_fact_vectors(facts: list, out: Path) -> None:
    """One vector per figure: its section and its own clause (``qa.text.clauses.figure_context``), so
    that the answerer compares a question with what each figure measures, not with its whole
    sentence. Encoded with the ONNX export, as the sentences are."""
    from qa.facts.model import NUMERIC_KINDS, figure_texts
    from qa.index.encoder import OnnxEncoder

    numeric = [f for f in facts if f.kind in NUMERIC_KINDS]
    texts = figure_texts(numeric)
    enc = OnnxEncoder(out / "encoder", threads=0)
    vecs = [enc.encode(texts[k : k + 16]) for k in range(0, len(texts), 16)]
    _write_json(out / FILES["fact_ids"], [[f.id, t] for f, t in zip(numeric, texts, strict=True)])
    np.save(out / FILES["fact_vectors"], np.vstack(vecs) if vecs else np.zeros((0, 1), np.float32))


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

