"""The int8 copy of the query encoder (``QA_ENCODER_INT8``): made from the build's model, close to
it but not equal, reused by the next build, used only when asked for."""

from __future__ import annotations

import os

import numpy as np

from qa.index.encoder import OnnxEncoder
from qa.index.quantize import FLOAT_DIR, INT8_DIR, encoder_folder, write_int8


def test_int8_copy_encodes_close_to_the_float_model_and_is_reused(qa_index, tmp_path):
    build = tmp_path / "build"
    (build / FLOAT_DIR).mkdir(parents=True)
    for f in (qa_index.path / FLOAT_DIR).iterdir():
        os.link(f, build / FLOAT_DIR / f.name)
    assert encoder_folder(build, True) == build / FLOAT_DIR  # asked for but not built: the float model
    write_int8(build / FLOAT_DIR, build / INT8_DIR)
    assert encoder_folder(build, True) == build / INT8_DIR and encoder_folder(build, False) == build / FLOAT_DIR
    small, full = (build / INT8_DIR / "model.onnx").stat().st_size, (build / FLOAT_DIR / "model.onnx").stat().st_size
    assert small < full / 3
    q8, f32 = OnnxEncoder(build / INT8_DIR), OnnxEncoder(build / FLOAT_DIR)
    texts = ["What is the poverty line?", "How many herders were relocated in 2009?"]
    cos = (q8.encode(texts) * f32.encode(texts)).sum(axis=1)
    assert np.all(cos > 0.95) and np.all(cos < 1 - 1e-6)  # close, and really another model
    # The next build (same float model, hard-linked) links the copy instead of quantizing again.
    nxt = tmp_path / "next"
    (nxt / FLOAT_DIR).mkdir(parents=True)
    for f in (build / FLOAT_DIR).iterdir():
        os.link(f, nxt / FLOAT_DIR / f.name)
    write_int8(nxt / FLOAT_DIR, nxt / INT8_DIR, build / INT8_DIR)
    assert os.path.samefile(nxt / INT8_DIR / "model.onnx", build / INT8_DIR / "model.onnx")


def test_load_index_uses_the_int8_copy_only_when_asked(qa_index, tmp_path):
    import shutil

    from qa.index.load import load_index

    model = qa_index.manifest["model"]
    path = lambda idx: idx.retriever.encoder.session._model_path  # noqa: E731
    # No int8 copy in the build: asked for or not, the float model.
    assert path(load_index(qa_index.path, model, encoder_int8=True)).endswith(f"{FLOAT_DIR}/model.onnx")
    copy = tmp_path / "index"
    shutil.copytree(qa_index.path, copy, copy_function=os.link)
    write_int8(copy / FLOAT_DIR, copy / INT8_DIR)
    assert path(load_index(copy, model, encoder_int8=True)).endswith(f"{INT8_DIR}/model.onnx")
    assert path(load_index(copy, model)).endswith(f"{FLOAT_DIR}/model.onnx")
