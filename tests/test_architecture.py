"""The house rules of ../shared/design/architecture.md that import-linter does not check: no module
imports another module's private name, no source file over 400 lines, and an installed wheel carries
the templates, static files and lexicon (a non-editable install must serve pages)."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "qa"


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_module_imports_a_private_name_of_another():
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qa"):
                offenders += [f"{path.relative_to(ROOT)}: {node.module}.{a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")]
    assert offenders == []


def test_no_source_file_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


@pytest.mark.slow
def test_wheel_contains_templates_static_files_and_lexicon(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("qa-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in ["web/templates/base.html", "web/templates/chat.html", "web/static/app.js", "web/static/style.css",
                "text/lexicon.toml", "py.typed"]:
        assert f"qa/{rel}" in names, f"wheel lacks qa/{rel}"
    assert not any(n.startswith("qa/") and "__pycache__" in n for n in names)
