"""The API contract check of ``make test``: schemathesis with every check against a real ``qa serve``.

    .venv/bin/python tests/contract/run_schemathesis.py [--index data/index] [--max-examples 30]

Starts ``qa serve`` on a free loopback port (its own data folder, an admin token), runs
``schemathesis run <server>/openapi.json --checks all`` on every operation, stops the server and
exits with schemathesis' status: any failure, error or warning fails it. ``/api/admin/reload`` is
included: the run sends the token, so it really reloads (a few times: it has no input to vary).
The default number of examples keeps the run near half a minute; the seed is fixed so a finding
reproduces, and ``--seed`` or ``--max-examples 200`` explore more.
"""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

from live_server import ROOT, LiveServer

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--max-examples", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20261130)
    args = ap.parse_args()
    token = secrets.token_urlsafe(16)
    st = Path(sys.executable).parent / "schemathesis"
    t0 = time.monotonic()
    with LiveServer(args.index, env={"QA_ADMIN_TOKEN": token}) as srv:
        cmd = [str(st), "--config-file", str(HERE / "schemathesis.toml"), "run", f"{srv.base}/openapi.json",
               "--checks", "all", "--max-examples", str(args.max_examples), "--seed", str(args.seed),
               "--request-timeout", "10", "-H", f"Authorization: Bearer {token}"]
        print("contract:", " ".join(cmd).replace(token, "<token>"), flush=True)
        proc = subprocess.Popen(cmd, cwd=srv.tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = []
        for line in proc.stdout or ():
            sys.stdout.write(line)
            out.append(line)
        code = proc.wait()
        if code != 0:
            print(f"contract: schemathesis found problems (exit {code}); server log:\n{srv.log_tail()}",
                  file=sys.stderr)
    passed, failed = counts("".join(out), code)
    print(f"contract: schemathesis --checks all in {time.monotonic() - t0:.0f} s", flush=True)
    print(f"contract: {passed} passed, {failed} failed", flush=True)
    return code


def counts(output: str, code: int) -> tuple[int, int]:
    """Test cases passed and failed, from the last line of schemathesis' summary ("848 generated,
    848 passed" or "1272 generated, 8 found 8 unique failures, 50 errored"); a failed run counts at
    least one failure."""
    lines = [line for line in output.splitlines() if re.search(r"\d+ generated", line)]
    last = lines[-1] if lines else ""
    passed = re.search(r"(\d+) passed", last)
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:unique failures|errored)", last))
    return int(passed.group(1)) if passed else 0, max(failed, 1 if code else 0)


if __name__ == "__main__":
    sys.exit(main())
