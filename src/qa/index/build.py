"""Build the index directory: passages, vectors, BM25, facts and figure contexts, published atomically.

A saved index is a directory whose ``manifest.json`` is read first (format version, model and
dimension, per-document hashes, chunking parameters, counts, build time), as txtai does; loading
refuses an index built with another model or format. Builds go to a fresh versioned folder next
to the index path, and the index path itself is a symlink swapped atomically with ``os.replace``,
so a crash never leaves half an index and a running server never reads one. A file lock keeps two
builds from racing.

Builds are incremental (``qa.index.incremental``): a file whose name and hash match the previous
manifest is neither parsed nor embedded again; its passages, vectors, sentences and facts come
from the previous build. A full build embeds passages with sentence-transformers (batch 8:
measured less padding, 1.6 s vs 2.4 s at 32 on 2 cores) and exports the model to ONNX, which
embeds sentences and figures. An incremental build loads neither torch nor sentence-transformers
(their import alone is ~6-9 s, more than the 5 s budget for adding a report): it links the previous
build's exported encoder and embeds the new passages with it, the same graph that encodes
questions, within 1e-6 cosine of sentence-transformers here (tests/test_onnx.py checks 1e-4).
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
import orjson

from qa.corpus.documents import Document, scan_corpus
from qa.corpus.passages import Passage, split_passages
from qa.errors import BuildLockedError, CorpusError
from qa.index.incremental import DocumentParts, PreviousBuild, load_previous, pipeline_fingerprint
from qa.index.load import FILES, FORMAT_VERSION, MANIFEST, build_in_use
from qa.index.progress import BuildProgress
from qa.index.wordvecs import FILES as WORD_FILES
from qa.index.wordvecs import write_word_vectors
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
    reused: int = 0  # documents taken from the previous build
    parsed: int = 0  # documents read and cut into passages by this build
    embedded: int = 0  # passages embedded by this build
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    incremental: bool = False


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


def build_index(settings: Settings, progress: bool = True, fail_after: str | None = None,
                full: bool = False) -> BuildReport:
    """Build the index for ``settings.corpus_dir`` into ``settings.index_dir`` atomically, reusing
    the previous build for unchanged files unless ``full``. Files that cannot be read are skipped and
    listed in the report (and the manifest); a corpus with no readable document is a ``CorpusError``.

    ``fail_after`` names a build step after which to raise, for the atomicity test.
    """
    from qa.index.encoder import OnnxEncoder, model_id, token_counter

    t0 = time.perf_counter()
    steps: dict[str, float] = {}  # seconds per step, in the manifest: where a build's time goes

    def lap(step: str) -> None:
        steps[step] = round(time.perf_counter() - t0 - sum(steps.values()), 3)

    index_dir = settings.index_dir
    fingerprint = pipeline_fingerprint(model_id(settings.model), settings.max_passage_tokens)
    with build_lock(index_dir), BuildProgress(progress) as bar:
        prev = None if full else load_previous(index_dir, fingerprint)
        lap("previous")
        scan = scan_corpus(settings.corpus_dir, reuse=prev.document if prev else None, progress=bar.file_read)
        docs = scan.documents
        lap("scan")
        if not docs:
            why = "; ".join(m for _, m in scan.skipped[:5])
            raise CorpusError(f"no document to index in {settings.corpus_dir}" + (f" (skipped: {why})" if why else ""))
        builds = index_dir.parent / f"{index_dir.name}.builds"
        builds.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        tmp = builds / f".tmp-{stamp}-{os.getpid()}"
        final = builds / stamp
        tmp.mkdir()
        try:
            count = token_counter(settings.model)
            kept = {d.id: prev.parts(d) for d in docs if d.id in scan.reused} if prev else {}
            fresh = {d.id: split_passages(d, settings.max_passage_tokens, count) for d in docs if d.id not in kept}
            passages = [p for d in docs for p in (fresh[d.id] if d.id in fresh else kept[d.id].passages)]
            _write_json(tmp / FILES["documents"], [_doc_record(d) for d in docs])
            # orjson serialises the dataclass itself (asdict's deep copies took 0.2 s at 1,000 reports)
            (tmp / FILES["passages"]).write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in passages))
            _maybe_fail(fail_after, "passages")
            lap("passages")

            st = _encoder(settings.model, prev, tmp / "encoder")
            if settings.encoder_int8:
                from qa.index.quantize import INT8_DIR, write_int8

                write_int8(tmp / "encoder", tmp / INT8_DIR, prev.path / INT8_DIR if prev else None)
            # Opened only when there is something to embed: a rebuild with nothing new skips it. Both cores,
            # their threads not spinning (spinning, they fought the build's other work and other jobs).
            enc = OnnxEncoder(tmp / "encoder", threads=0, spinning=False) if fresh else None
            lap("encoder")
            parts = _document_parts(docs, fresh, kept, enc, bar, st)
            lap("embed_and_facts")
            vectors = np.vstack([x.vectors for x in parts]).astype(np.float32)
            import faiss

            from qa.index.vectors import build_vector_index, choose_index_type

            faiss.write_index(build_vector_index(vectors), str(tmp / FILES["vectors"]))
            _maybe_fail(fail_after, "vectors")
            _write_sentences(parts, tmp)

            from qa.index.search import build_bm25

            lap("vectors_and_sentences")
            terms = [t for x in parts for t in (x.terms or [None] * len(x.passages))]
            build_bm25([p.embed_text() for p in passages], tmp, terms)
            lap("bm25")
            facts = _write_facts(parts, tmp / FILES["facts"], prev)
            _write_fact_vectors(parts, tmp)
            _maybe_fail(fail_after, "facts")
            lap("facts")
            words = _write_words(parts, tmp, prev, set(fresh), enc, bar)
            lap("words")

            embedded = sum(len(v) for v in fresh.values())
            manifest = {
                "format_version": FORMAT_VERSION,
                "model": model_id(settings.model),
                "dimension": int(vectors.shape[1]),
                "vector_index": choose_index_type(len(passages)),
                "normalized": True,
                "metric": "inner_product",
                "chunking": {"unit": "paragraph", "max_tokens": settings.max_passage_tokens,
                             "split": "sentence"},
                "pipeline": fingerprint,
                "documents": [
                    {"id": d.id, "title": d.title, "sha256": d.sha256, "source_sha256": d.source_sha256,
                     "path": d.path, "region": d.meta.get("region"), "year": d.meta.get("year"),
                     "source_url": d.meta.get("source_url")}
                    for d in docs
                ],
                "skipped": [{"path": path, "reason": reason} for path, reason in scan.skipped],
                "counts": {"documents": len(docs), "passages": len(passages), "facts": facts, "words": words[0]},
                "build": {"incremental": prev is not None, "reused_documents": len(scan.reused),
                          "parsed_documents": len(docs) - len(scan.reused), "embedded_passages": embedded,
                          "embedded_words": words[1], "seconds": steps},
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - t0, 2),
                "files": {**FILES, **WORD_FILES},
            }
            _write_json(tmp / MANIFEST, manifest, indent=1)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_symlink(index_dir, final)
        _prune(builds, keep=final)
    return BuildReport(final, len(docs), len(passages), facts, time.perf_counter() - t0, manifest,
                       reused=len(scan.reused), parsed=len(docs) - len(scan.reused), embedded=embedded,
                       skipped=scan.skipped, incremental=prev is not None)


def _encoder(model: str, prev: PreviousBuild | None, out: Path):
    """The ONNX encoder of the build: the previous build's (hard-linked: files are never written in
    place), or exported from the sentence-transformers model, which is then returned (a full build
    embeds passages with it)."""
    if prev is not None:
        out.mkdir()
        for f in (prev.path / "encoder").iterdir():
            try:
                os.link(f, out / f.name)
            except OSError:
                shutil.copy2(f, out / f.name)
        return None
    from qa.index.export import export_onnx, load_sentence_transformer

    st = load_sentence_transformer(model)
    export_onnx(st, out)
    return st


def _document_parts(docs: list[Document], fresh: dict[str, list[Passage]], kept: dict[str, DocumentParts],
                    enc, bar: BuildProgress, st=None) -> list[DocumentParts]:
    """Each document's passages, vectors, sentences, facts and figure vectors: taken from the previous
    build, or extracted and embedded now (all new texts of a kind in one pass over the encoder)."""
    from qa.corpus.passages import split_sentences
    from qa.facts.extract import extract_facts
    from qa.facts.model import NUMERIC_KINDS, figure_texts

    new = [(d, fresh[d.id]) for d in docs if d.id in fresh]
    if not new:
        return [kept[d.id] for d in docs]
    facts = [extract_facts(d, ps) for d, ps in new]
    figures = [[f for f in fs if f.kind in NUMERIC_KINDS] for fs in facts]
    ftexts = [figure_texts(fg) for fg in figures]
    texts = [p.embed_text() for _, ps in new for p in ps]
    sents = [[(k, a, b) for k, p in enumerate(ps) for a, b in split_sentences(p.text, p.start)] for _, ps in new]
    stexts = [f"{ps[k].section}: {d.text[a:b]}" for (d, ps), ss in zip(new, sents, strict=True) for k, a, b in ss]
    if st is not None:  # a full build: passages through sentence-transformers, as before incremental builds
        task = bar.task("embedding passages", len(texts))
        pvecs = st.encode(texts, batch_size=8, normalize_embeddings=True, show_progress_bar=False,
                          convert_to_numpy=True).astype(np.float32).reshape(-1, enc.dimension)
        bar.advance(task, len(texts))
    else:
        pvecs = _encode(enc, texts, bar, "embedding passages")
    svecs = _encode(enc, stexts, bar, "embedding sentences")
    fvecs = _encode(enc, [t for ts in ftexts for t in ts], bar, "embedding figures")
    dim = enc.dimension
    out: dict[str, DocumentParts] = {}
    i = j = k = 0
    for n, ((d, ps), ss) in enumerate(zip(new, sents, strict=True)):
        rows = [[f.id, t] for f, t in zip(figures[n], ftexts[n], strict=True)]
        out[d.id] = DocumentParts(d, ps, pvecs[i : i + len(ps)].reshape(-1, dim), ss,
                                  svecs[j : j + len(ss)].reshape(-1, dim), facts[n], rows,
                                  fvecs[k : k + len(rows)].reshape(-1, dim))
        i += len(ps)
        j += len(ss)
        k += len(rows)
    return [out[d.id] if d.id in out else kept[d.id] for d in docs]


def _encode(enc, texts: list[str], bar: BuildProgress, label: str, batch: int = 16) -> np.ndarray:
    """Embed texts in batches of similar length in tokens, in the input order. A batch is padded to
    its longest text: one long sentence among short ones made the whole batch long (adding one
    report: 8 sentences padded to 157 tokens where all but one had under 48). Pooling is masked and
    ONNX Runtime gives a text the same bits whatever its batch (tests/index/test_word_vectors.py),
    so the batching changes only the time."""
    vecs = np.zeros((len(texts), enc.dimension), np.float32)
    task = bar.task(label, len(texts))
    for idx in length_batches(enc.token_counts(texts), batch):
        vecs[idx] = enc.encode([texts[m] for m in idx])
        bar.advance(task, len(idx))
    return vecs


def length_batches(lengths: list[int], size: int, slack: float = 1.25) -> list[list[int]]:
    """Indexes of ``lengths`` in batches of at most ``size``, shortest first, a batch closed when the
    next text is more than ``slack`` times (plus 4 tokens) its shortest: little padding, few runs."""
    out: list[list[int]] = []
    for k in sorted(range(len(lengths)), key=lengths.__getitem__):
        if out and len(out[-1]) < size and lengths[k] <= lengths[out[-1][0]] * slack + 4:
            out[-1].append(k)
        else:
            out.append([k])
    return out


def _write_sentences(parts: list[DocumentParts], out: Path) -> None:
    """Sentence spans (``[passage index, start, end]``) and vectors, so the answerer can pick the
    sentence that answers."""
    sents, base = [], 0
    for x in parts:
        sents.extend([base + k, a, b] for k, a, b in x.sentences)
        base += len(x.passages)
    vecs = [x.sentence_vectors for x in parts if len(x.sentence_vectors)]
    _write_json(out / FILES["sentences"], sents)
    np.save(out / FILES["sentence_vectors"], np.vstack(vecs).astype(np.float32) if vecs
            else np.zeros((0, 1), np.float32))


def _write_words(parts: list[DocumentParts], out: Path, prev: PreviousBuild | None, fresh: set[str], enc,
                 bar: BuildProgress) -> tuple[int, int]:
    """The word vectors (``qa.index.wordvecs``): the previous build's, and the words of the new
    documents it lacks (of every document when it has none). Returns (words stored, words encoded)."""
    from qa.index.encoder import OnnxEncoder
    from qa.index.wordvecs import WORDS, document_words, load_word_vectors

    base = prev.path if prev is not None and (prev.path / WORDS).exists() else None
    wanted: set[str] = set()
    for x in parts:
        if base is None or x.document.id in fresh:
            wanted |= document_words(x.document.text, (p.section for p in x.passages), (t for _, t in x.fact_rows))

    def encode(ws: list[str]) -> np.ndarray:
        # The float ONNX encoder that encodes questions (a build with no new passage opened none)
        return _encode(enc or OnnxEncoder(out / "encoder", threads=0, spinning=False), ws, bar, "embedding words",
                       batch=64)

    encoded = write_word_vectors(out, base, wanted, encode)
    stored = load_word_vectors(out)
    return (len(stored) if stored is not None else 0), encoded


def _maybe_fail(fail_after: str | None, step: str) -> None:
    if fail_after == step:
        raise RuntimeError(f"simulated failure after step {step!r}")


def _write_facts(parts: list[DocumentParts], path: Path, prev: PreviousBuild | None) -> int:
    """The fact table: written whole by a full build; an incremental one copies the previous table
    and replaces only the new and changed documents' rows (reused parts carry no fact objects)."""
    from qa.facts.store import update_facts, write_facts

    new = [f for x in parts if x.facts is not None for f in x.facts]
    keep = {x.document.id for x in parts if x.facts is None}
    if keep:
        return update_facts(prev.path / FILES["facts"], path, keep, new)
    write_facts(path, new)
    return len(new)


def _write_fact_vectors(parts: list[DocumentParts], out: Path) -> None:
    """One vector per figure: its section and its own clause (``qa.text.clauses.figure_context``), so
    that the answerer compares a question with what each figure measures, not with its whole
    sentence (embedded in ``_document_parts`` for new documents, reused for the others)."""
    rows = [r for x in parts for r in x.fact_rows]
    vecs = [x.fact_vectors for x in parts if len(x.fact_vectors)]
    _write_json(out / FILES["fact_ids"], rows)
    np.save(out / FILES["fact_vectors"], np.vstack(vecs).astype(np.float32) if vecs
            else np.zeros((0, 1), np.float32))


def _doc_record(d: Document) -> dict:
    return {"id": d.id, "title": d.title, "text": d.text, "meta": d.meta, "path": d.path,
            "sha256": d.sha256, "source_sha256": d.source_sha256}


def _write_json(path: Path, obj: object, indent: int | None = None) -> None:
    # Compact by default: the data files are read by programs, and at 1,000 reports an indented
    # sentences.json puts each of ~40k numbers on its own line. The manifest stays readable.
    # orjson for the data files: ~10 MB of JSON rewritten by every build, in a fifth of json's time.
    if indent is None:
        path.write_bytes(orjson.dumps(obj))
    else:
        path.write_text(json.dumps(obj, ensure_ascii=False, indent=indent), encoding="utf-8")


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

