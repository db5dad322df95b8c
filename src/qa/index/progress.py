"""The progress bar of ``qa index``: files read (with how many were reused from the previous build)
and passages and sentences embedded, on stderr.

``rich.progress`` (already a dependency for the command line's tables) draws several labelled
bars with counts and a time estimate, and does nothing when stderr is not a terminal beyond a
final render; with ``enabled=False`` every call is a no-op, so the build code has no branches.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType


class BuildProgress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress = None
        self._files = None
        self.read = 0
        self.reused = 0

    def __enter__(self) -> BuildProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=False)
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def task(self, label: str, total: int, note: str = ""):
        if self._progress is None:
            return None
        return self._progress.add_task(label, total=total, note=note)

    def advance(self, task, n: int = 1, note: str | None = None) -> None:
        if self._progress is not None and task is not None:
            self._progress.update(task, advance=n, **({"note": note} if note is not None else {}))

    def file_read(self, path: Path, total: int, reused: bool) -> None:
        """One corpus file done (``scan_corpus``'s progress hook)."""
        self.read += 1
        self.reused += int(reused)
        if self._progress is None:
            return
        if self._files is None:
            self._files = self.task("reading documents", total)
        self.advance(self._files, 1, f"{self.reused} reused, {self.read - self.reused} parsed")
