"""Generate a series of N reports (default 1,000) from the real ones, for the scale benchmark.

Each generated report is a real report of the repository (``eval/series/corpus/*.txt``,
``corpus/*.txt``) with its region, its years and its figures substituted, deterministically
from ``--seed``:

* region: one of the provinces and poor prefectures below; every (region, year) pair is used once,
  so ids (``<region>-<year>``) are unique;
* years: every year the report names is shifted by the same offset (the data year becomes the new
  year), so "up 13.1% over 2009" still looks one year back;
* figures: amounts and counts are scaled by one factor per report (totals stay consistent with
  their parts), percentages are moved by a few points and kept below 100; numbers up to 12,
  ordinals ("12th") and item numbers are left alone.

A share of the reports (``--html-share``, default 0.1) is written as pages saved from the yearbook
site (``bench/yearbook_page.py``), so HTML ingestion runs at scale too; the others as ``.txt`` with
a JSON metadata file. ``questions.jsonl`` beside the corpus holds a fixed list of questions: the
real series questions with the region and year of a generated report put in.

    python bench/series_gen.py OUT_DIR [-n 1000] [--seed 20261130] [--html-share 0.1]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yearbook_page import wrap  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "corpus", ROOT / "eval" / "series" / "corpus"]
QUESTIONS = ROOT / "eval" / "series" / "questions"
REGIONS = [
    "Anhui", "Beijing", "Chongqing", "Fujian", "Gansu", "Guangdong", "Guangxi", "Guizhou", "Hainan", "Hebei",
    "Heilongjiang", "Henan", "Hubei", "Hunan", "Inner Mongolia", "Jiangsu", "Jiangxi", "Jilin", "Liaoning",
    "Ningxia", "Qinghai", "Shaanxi", "Shandong", "Shanghai", "Shanxi", "Sichuan", "Tianjin", "Tibet", "Xinjiang",
    "Yunnan", "Zhejiang", "Dingxi", "Liangshan", "Bijie", "Xiangxi", "Enshi", "Ganzi", "Aba", "Nujiang",
    "Zhaotong", "Wenshan", "Hechi", "Baise", "Longnan", "Linxia", "Guyuan", "Yushu", "Golog", "Hotan", "Kashgar",
    "Shangluo", "Ankang", "Lvliang", "Fuyang", "Ganzhou", "Shaoyang", "Tongren", "Qiandongnan", "Lincang",
    "Qianxinan",
]  # fmt: skip
YEARS = range(2001, 2021)
YEAR_RE = re.compile(r"(?<![\d.,])(19[89]\d|20[0-2]\d)(?![\d.,]?\d)")
# A figure: digits with optional thousands commas and decimals, not part of a word or an ordinal.
NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|,\d|\.\d)")
UNIT_AFTER_YEAR = re.compile(r"^\s*(?:yuan|people|persons|households|villages|mu|ha|hectares|tons|km|kilometers"
                             r"|square|counties|million|billion|thousand|poor|rural|farmers)\b", re.IGNORECASE)


def load_sources() -> list[tuple[str, dict]]:
    out = []
    for folder in SOURCES:
        for txt in sorted(folder.glob("*.txt")):
            meta = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
            out.append((txt.read_text(encoding="utf-8"), meta))
    return out


def _is_year(text: str, m: re.Match) -> bool:
    return not UNIT_AFTER_YEAR.match(text[m.end():m.end() + 20])


def substitute(text: str, src: dict, region: str, year: int, rng: random.Random) -> str:
    """The report ``text`` (of ``src``'s region and year) as if about ``region`` in ``year``."""
    text = re.sub(rf"\b{re.escape(src['region'])}\b", region, text)
    shift = year - int(src["year"])
    factor = rng.uniform(0.6, 1.6)
    protected: list[tuple[int, int]] = []

    def years(m: re.Match) -> str:
        return str(int(m.group(1)) + shift) if _is_year(m.string, m) else m.group(0)

    text = YEAR_RE.sub(years, text)
    protected = [m.span() for m in YEAR_RE.finditer(text)]

    def figure(m: re.Match) -> str:
        if any(a <= m.start() < b for a, b in protected):
            return m.group(0)
        whole, frac = m.group(1), m.group(2) or ""
        value = float(whole.replace(",", "") + frac)
        if value <= 12 and not frac:
            return m.group(0)  # item numbers, "12th Five-Year Plan", small counts
        percent = m.string[m.end():m.end() + 2].startswith("%")
        new = min(99.0, max(0.1, value + rng.uniform(-5, 5))) if percent else value * factor
        decimals = len(frac) - 1 if frac else 0
        if decimals:
            return f"{new:.{decimals}f}"
        n = max(13, round(new))
        return f"{n:,}" if "," in whole else str(n)

    return NUMBER_RE.sub(figure, text)


def generate(out: Path, n: int = 1000, seed: int = 20261130, html_share: float = 0.1) -> list[dict]:
    """Write ``n`` reports (and ``questions.jsonl`` beside the corpus) to ``out/corpus``; returns
    their metadata."""
    rng = random.Random(seed)
    sources = load_sources()
    pairs = [(r, y) for r in REGIONS for y in YEARS]
    if n > len(pairs):
        raise ValueError(f"at most {len(pairs)} reports (regions x years)")
    rng.shuffle(pairs)
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    metas = []
    for i, (region, year) in enumerate(pairs[:n]):
        text, src = sources[i % len(sources)]
        body = substitute(text, src, region, year, rng)
        rid = f"{re.sub(r'[^a-z0-9]+', '-', region.lower())}-{year}"
        meta = {"id": rid, "title": body.splitlines()[0].strip(), "region": region, "year": year,
                "source_url": f"https://yearbook.iprcc.org.cn/zggjfpzxnj/{year + 1}njyw/sdffpp/{900000 + i}.shtml",
                "generated_from": src["id"]}
        if rng.random() < html_share:
            (corpus / f"{rid}.html").write_bytes(wrap(body, meta, ("p", "strong", "br")[i % 3]))
        else:
            (corpus / f"{rid}.txt").write_text(body, encoding="utf-8")
            (corpus / f"{rid}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        metas.append(meta)
    write_questions(out / "questions.jsonl", metas, rng)
    return metas


def write_questions(path: Path, metas: list[dict], rng: random.Random, count: int = 200) -> None:
    """A fixed list of questions: real series questions, put to generated reports of the same source."""
    by_source: dict[str, list[dict]] = {}
    for f in sorted(QUESTIONS.glob("*.jsonl")):
        by_source[f.stem] = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    real = {m["id"]: m for _, m in load_sources()}
    pool = [m for m in metas if by_source.get(m["generated_from"])]
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(min(count, 10 * len(pool))):
            m = pool[k % len(pool)] if k < len(pool) else rng.choice(pool)
            src = real[m["generated_from"]]
            q = rng.choice(by_source[m["generated_from"]])

            def put(text: str, src: dict = src, m: dict = m) -> str:
                text = re.sub(rf"\b{re.escape(src['region'])}\b", m["region"], text)
                return re.sub(rf"\b{src['year']}\b", str(m["year"]), text)

            fh.write(json.dumps({"id": f"gen-{k:04d}", "question": put(q["question"]),
                                 "history": [put(h) for h in q.get("history", [])], "doc": m["id"],
                                 "from": q["id"]}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--html-share", type=float, default=0.1)
    a = ap.parse_args(argv)
    metas = generate(a.out, a.n, a.seed, a.html_share)
    print(f"wrote {len(metas)} reports to {a.out / 'corpus'} and questions to {a.out / 'questions.jsonl'}")


if __name__ == "__main__":
    main()
