"""Path parameters read relative to the study file that gives them.

A parameter typed :class:`StudyPath` (``circuit: StudyPath``) holds a path as written in the
study (``net/circuit_config.json``); structuring it against a loaded study (``structure(...,
tree=tree)``, as :func:`mozaik.study.load_study` does) makes a relative path relative to the
folder of the study file, so a study runs the same from any working directory. Without a study
(a parameter class built in Python) a relative path stays relative to the working directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

__all__ = ["StudyPath", "study_folder"]

_FOLDER: ContextVar[Path | None] = ContextVar("mozaik_study_folder", default=None)


class StudyPath(str):
    """A path parameter: the resolved path (``str`` of it), knowing how it was written.

    Attributes
    ----------
    written : str
        The path as the study gives it.
    folder : pathlib.Path or None
        The folder of the study file a relative path was read against; None if the path is
        absolute or no study file was known (then it is relative to the working directory).
    """

    written: str
    folder: Path | None

    def __new__(cls, written: str, folder: Path | None = None) -> StudyPath:
        if isinstance(written, StudyPath) and folder is None:
            return written  # already read (a converter meeting the structured value)
        path = Path(written).expanduser()
        relative = not path.is_absolute() and folder is not None
        self = super().__new__(cls, str(folder / path) if relative and folder else str(path))
        self.written = written
        self.folder = folder if relative else None
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (StudyPath, (self.written, self.folder))

    def origin(self) -> str:
        """How the path was resolved, for error messages: ``'net/c.json' (relative to the
        study file's folder /studies/x, so /studies/x/net/c.json)``."""
        if self.folder is None:
            return repr(self.written) if self.written == str(self) else (
                f"{self.written!r} ({self})")
        return (f"{self.written!r} (relative to the study file's folder {self.folder}, so "
                f"{self})")


@contextmanager
def study_folder(folder: Path | None) -> Iterator[None]:
    """Structure :class:`StudyPath` parameters relative to ``folder`` inside the block."""
    token = _FOLDER.set(folder)
    try:
        yield
    finally:
        _FOLDER.reset(token)


def structure_study_path(value: Any, _: type) -> StudyPath:
    """cattrs hook: a string (or path) to a :class:`StudyPath` read against the current
    study folder."""
    if isinstance(value, StudyPath):
        return value
    if not isinstance(value, (str, Path)) or not str(value):
        msg = f"expected a path (a non-empty string), got {value!r}"
        raise TypeError(msg)
    return StudyPath(str(value), _FOLDER.get())
