"""Build time only: load the sentence-transformers model (torch) and export it to ONNX beside the
index, so that the query path (``qa.index.encoder``) never imports torch.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from qa.index.encoder import resolve_model


def load_sentence_transformer(name: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolve_model(name), device="cpu")


def export_onnx(st_model, out_dir: Path) -> None:
    """Export the transformer of a SentenceTransformer to ``out_dir/model.onnx`` with its tokenizer,
    and the vectors of common English words made with it (``qa.index.common_words``)."""
    import torch

    out_dir.mkdir(parents=True, exist_ok=True)
    transformer = st_model[0]
    hf_model = transformer.auto_model.eval()
    tok = transformer.tokenizer
    enc = tok(["a short example", "another one"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in enc]

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, *args):
            return self.m(**dict(zip(names, args, strict=True))).last_hidden_state

    dyn = {n: {0: "batch", 1: "seq"} for n in names}
    dyn["last_hidden_state"] = {0: "batch", 1: "seq"}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns about shape-dependent Python branches in transformers' masking code;
        # the exported graph is checked against sentence-transformers by tests/test_onnx.py.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Wrapper(hf_model),
            tuple(enc[n] for n in names),
            str(out_dir / "model.onnx"),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=dyn,
            opset_version=17,
            dynamo=False,
        )
    tok.backend_tokenizer.save(str(out_dir / "tokenizer.json"))
    pooling = st_model[1].get_config_dict() if len(st_model) > 1 else {"pooling_mode_mean_tokens": True}
    cfg = {
        "inputs": names,
        "max_seq_length": int(st_model.max_seq_length),
        "pooling": pooling,
        "normalize": any(type(m).__name__ == "Normalize" for m in st_model),
        "dimension": int(getattr(st_model, "get_embedding_dimension", st_model.get_sentence_embedding_dimension)()),
    }
    (out_dir / "encoder.json").write_text(json.dumps(cfg, indent=2))
    from qa.index.common_words import write_common_words

    write_common_words(out_dir)

