"""The query path (``qa ask``: load the index, answer) never imports torch or sentence-transformers.

``import sentence_transformers`` costs ~9 s; the query path must stay on onnxruntime + tokenizers.
Each check runs in a fresh interpreter, so modules imported by other tests do not count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "transformers")

LIBRARY = """
import json, sys
from qa.answer.pipeline import answer
from qa.index.load import load_index
from qa.settings import get_settings
s = get_settings(index_dir=sys.argv[1])
idx = load_index(s.index_dir, s.model)
a = answer(idx, "What was the total population?", [])
a = answer(idx, "And how did it change?", ["What was the total population?"])
print(json.dumps({"heavy": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY_NAMES), "answered": a.answer}))
""".replace("HEAVY_NAMES", repr(HEAVY))

CLI = """
import json, sys
from qa.cli import app
try:
    app(["ask", "What was the total population?", "--index", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"heavy": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY_NAMES), "code": code}))
""".replace("HEAVY_NAMES", repr(HEAVY))


def _run(code: str, index_dir) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    p = subprocess.run([sys.executable, "-c", code, str(index_dir)], capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_answer_path_is_lean(index_settings):
    out = _run(LIBRARY, index_settings.index_dir)
    assert out["heavy"] == [], f"query path imported {out['heavy']}"
    assert out["answered"]


def test_qa_ask_is_lean(index_settings):
    out = _run(CLI, index_settings.index_dir)
    assert out["code"] in (0, None)
    assert out["heavy"] == [], f"`qa ask` imported {out['heavy']}"
