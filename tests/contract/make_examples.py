"""Write ``src/qa/web/openapi_examples.json``: one example request and response per API operation,
from real questions of the eval set answered on a built index.

    .venv/bin/python tests/contract/make_examples.py [--index data/index]

Run it again when the answer contract changes; ``tests/web/test_openapi_contract.py`` checks the
file (eval questions, responses that fit their models, quotes that are in the corpus).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "qa" / "web" / "openapi_examples.json"
EVAL = ROOT / "eval" / "questions.jsonl"
# Which eval questions illustrate which operation: a computed total (values with operands) for POST
# /api/ask, a plain figure for the rest.
ASK_POST, ASK_GET, SEARCH, FEEDBACK = "q122", "q028", "q028", "q028"
# The series chart's example: a measure the seed report states (its Overview), in analysts' words.
SERIES = "poor population"


def _eval() -> dict[str, dict]:
    lines = EVAL.read_text(encoding="utf-8").splitlines()
    return {q["id"]: q for q in (json.loads(line) for line in lines if line.strip())}


def build(index_dir: Path) -> dict:
    from qa import service
    from qa.index.load import load_index
    from qa.settings import get_settings

    settings = get_settings(index_dir=index_dir)
    index = load_index(settings.index_dir, settings.model)
    questions = _eval()

    def ask(qid: str) -> dict:
        q = questions[qid]
        ans = service.ask(index, q["question"], q["history"], timeout=30)
        assert ans.answered, f"{qid} is not answered: {ans.answer}"
        return ans.model_dump(mode="json")

    ops: dict[str, dict] = {}
    q = questions[ASK_POST]
    ops["ask_post"] = {"eval_id": ASK_POST, "request": {"question": q["question"], "history": q["history"]},
                       "response": ask(ASK_POST)}
    q = questions[ASK_GET]
    got = ask(ASK_GET)
    ops["ask_get"] = {"eval_id": ASK_GET, "request": {"question": q["question"]}, "response": got}
    ops["search"] = {"eval_id": SEARCH, "request": {"q": questions[SEARCH]["question"], "k": 2},
                     "response": service.search(index, questions[SEARCH]["question"], 2, "hybrid")
                     .model_dump(mode="json")}
    fact = got["facts"][0]
    ops["facts"] = {"eval_id": ASK_GET, "request": {"kind": fact["kind"], "section": fact["section"]},
                    "response": service.facts(index, kind=fact["kind"], section=fact["section"], limit=2)
                    .model_dump(mode="json")}
    cite = got["citations"][0]
    p = index.passage_by_id[cite["passage_id"]]
    hl = ",".join(f"{cite['start'] - p.start + a}-{cite['start'] - p.start + b}" for a, b in cite["highlights"])
    ops["passage"] = {"eval_id": ASK_GET, "request": {"passage_id": p.id, "hl": hl},
                      "response": service.passage(index, p.id, hl).model_dump(mode="json")}
    q = questions[FEEDBACK]
    ops["feedback"] = {"eval_id": FEEDBACK,
                       "request": {"question": q["question"], "history": [], "answer": got["answer"],
                                   "vote": "up", "kind": got["kind"], "answered": True},
                       "response": {"id": 1, "stored": True}}
    ops["series"] = {"eval_id": None, "request": {"measure": SERIES},
                     "response": service.series(index, SERIES).model_dump(mode="json")}
    ops["health"] = {"eval_id": None, "request": {},
                     "response": service.health(index, "2026-01-01T00:00:00+00:00").model_dump(mode="json")}
    m = index.manifest
    ops["reload"] = {"eval_id": None, "request": {},
                     "response": {"status": "reloaded", "counts": {k: int(v) for k, v in m["counts"].items()},
                                  "built_at": m.get("built_at"), "index_path": "data/index"}}
    ops["health"]["response"]["index_path"] = "data/index"
    return {"source": "eval/questions.jsonl", "operations": ops}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index")
    args = ap.parse_args()
    OUT.write_text(json.dumps(build(args.index), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
