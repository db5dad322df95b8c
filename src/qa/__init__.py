"""qa: cited answers from the yearbook reports.

Public entry points, imported on first use so that ``import qa`` stays cheap::

    from qa import Settings, build_index, load_index, ask
    index = load_index(settings.index_dir, settings.model)
    answer = ask(index, "How much went to entire village advancement?")   # an ``Answer``

The stages live in subpackages, in the order data flows: ``text`` -> ``corpus`` -> ``facts`` ->
``index`` -> ``answer``; ``service`` is what the shells (``cli``, ``web``) call.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ask": ("qa.answer.pipeline", "answer"),
    "Answer": ("qa.answer.models", "Answer"),
    "build_index": ("qa.index.build", "build_index"),
    "load_index": ("qa.index.load", "load_index"),
    "Settings": ("qa.settings", "Settings"),
    "QAError": ("qa.errors", "QAError"),
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    module, attr = _EXPORTS[name]
    return getattr(import_module(module), attr)
