"""An int8 copy of the query encoder (``QA_ENCODER_INT8=1``; off by default).

``onnxruntime.quantization.quantize_dynamic`` (int8 weights, per output channel) of the exported
model, written beside it at index time as ``encoder-int8/`` (the same tokenizer and config,
hard-linked). On 2 cores a question encodes ~3x faster (2.7 vs 7.5 ms alone, and the 21 MB of
weights stay in the CPU caches between the answer's Python work) and the session opens in a third
of the time. But its vectors are not the passages' model: cosine 0.99 (min 0.989 on the series
questions) to the float encoder, against 1e-6 for the exported graph. Passages stay embedded by
the float model; some answers change (bench/RESULTS.md counts them), so it is a setting, not the
default.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

INT8_DIR = "encoder-int8"
FLOAT_DIR = "encoder"


def write_int8(encoder: Path, out: Path, previous: Path | None = None) -> None:
    """``out``: the int8 copy of the model in ``encoder``; the previous build's copy hard-linked when
    it quantized the same model (the encoders of a build and its previous are the same files)."""
    out.mkdir()
    if previous is not None and (previous / "model.onnx").exists() and _same(previous.parent / FLOAT_DIR, encoder):
        for f in previous.iterdir():
            _link(f, out / f.name)
        return
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger("root").setLevel(logging.ERROR)  # its "run pre-processing first" advice
    quantize_dynamic(str(encoder / "model.onnx"), str(out / "model.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True)
    for name in ("tokenizer.json", "encoder.json"):
        _link(encoder / name, out / name)


def encoder_folder(index_dir: Path, int8: bool) -> Path:
    """The folder the query encoder loads: the int8 copy when asked for and built, else the float."""
    if int8 and (index_dir / INT8_DIR / "model.onnx").exists():
        return index_dir / INT8_DIR
    return index_dir / FLOAT_DIR


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a / "model.onnx", b / "model.onnx")
    except OSError:
        return False


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
