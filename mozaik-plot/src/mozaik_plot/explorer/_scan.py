"""Finding the run directories and search masters under the served directory."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pyarrow.parquet as pq
from mozaik import MozaikError
from mozaik.datastore import read_run_json

__all__ = ["Entry", "run_status", "scan", "search_status"]

#: How deep under DIR runs and searches are looked for.
MAX_DEPTH = 4
#: Most directories looked at in one scan (a DIR of a whole file system stays answerable).
MAX_DIRS = 20_000
_MANIFEST = "manifest.json"
_LOCK = ".writer.lock"
_SEARCH = "search.yaml"


@attrs.frozen
class Entry:
    """A run directory or a search master found under DIR.

    ``rel`` is its path relative to DIR (``/``-separated); ``status`` one of complete,
    in progress, interrupted, exploded, failed, damaged (runs) or complete, in progress,
    failed (searches); ``date`` the start time recorded (ISO), else the directory's mtime;
    ``size`` in bytes.
    """

    kind: str
    rel: str
    name: str
    study: str
    status: str
    date: str
    size: int
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


def _lock_held(root: Path) -> bool:
    # a writer (``mozaik run``) holds an exclusive flock on the lock file while it writes
    try:
        fd = os.open(root / _LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def run_status(root: Path, manifest: Mapping[str, Any]) -> str:
    """What the home page says of a run: complete, exploded, failed, in progress (a writer
    holds the run's lock now) or interrupted (unfinished, nobody writing)."""
    status = str(manifest.get("status") or "")
    if manifest.get("exploded") or status == "exploded":
        return "exploded"
    if status == "complete":
        return "complete"
    if status == "failed":
        return "failed"
    return "in progress" if _lock_held(root) else "interrupted"


def _size(root: Path) -> int:
    total, todo = 0, [root]
    while todo:
        with contextlib.suppress(OSError), os.scandir(todo.pop()) as it:
            for e in it:
                st = e.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    todo.append(Path(e.path))
                elif stat.S_ISREG(st.st_mode):
                    total += st.st_size
    return total


def _mtime(path: Path) -> str:
    import datetime as dt

    with contextlib.suppress(OSError):
        t = os.lstat(path).st_mtime
        return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds")
    return ""


def read_manifest(root: Path) -> dict[str, Any]:
    """A run's manifest, read without following links and bounded in size."""
    data = read_run_json(root, _MANIFEST, "the explorer", 16 << 20)
    if not isinstance(data, dict) or data.get("format") is None:
        msg = f"{root / _MANIFEST} is not a Mozaik manifest"
        raise MozaikError(msg)
    return data


def _run_entry(root: Path, rel: str) -> Entry:
    try:
        manifest = read_manifest(root)
    except MozaikError as exc:
        return Entry("run", rel, root.name, "", "damaged", _mtime(root), _size(root), str(exc))
    config = manifest.get("config") if isinstance(manifest.get("config"), Mapping) else {}
    study = str((config or {}).get("name") or "")
    return Entry("run", rel, root.name, study, run_status(root, manifest),
                 str(manifest.get("start_time") or _mtime(root)), _size(root))


def search_status(statuses: list[str]) -> str:
    """A search's status from its points': complete (all done), failed (some failed,
    crashed or exploded, none left), in progress (points missing)."""
    if not statuses or any(s in ("missing", "incomplete") for s in statuses):
        return "in progress"
    return "complete" if all(s == "done" for s in statuses) else "failed"


def _search_entry(root: Path, rel: str) -> Entry:
    study, statuses, detail = "", [], ""
    with contextlib.suppress(OSError, ValueError):
        text = (root / _SEARCH).read_text(encoding="utf-8")[:4096]
        for line in text.splitlines():
            if line.startswith("study:"):
                study = Path(line.partition(":")[2].strip().strip("'\"")).parent.name
    index = root / "index.parquet"
    if index.is_file() and not index.is_symlink():
        try:
            statuses = [str(s) for s in pq.read_table(index, columns=["status"])[
                "status"].to_pylist()]
        except (OSError, ValueError, KeyError) as exc:
            detail = f"index.parquet unreadable: {exc}"
    counts = {s: statuses.count(s) for s in dict.fromkeys(statuses)}
    detail = detail or ", ".join(f"{n} {s}" for s, n in counts.items())
    return Entry("search", rel, root.name, study, search_status(statuses), _mtime(root),
                 _size(root), detail)


def _walk(root: Path) -> Iterator[tuple[Path, str, int]]:
    todo: list[tuple[Path, str, int]] = [(root, "", 0)]
    seen = 0
    while todo and seen < MAX_DIRS:
        path, rel, depth = todo.pop()
        seen += 1
        yield path, rel, depth
        if depth >= MAX_DEPTH:
            continue
        with contextlib.suppress(OSError), os.scandir(path) as it:
            for e in sorted(it, key=lambda e: e.name, reverse=True):
                if e.name.startswith(".") or not e.is_dir(follow_symlinks=False):
                    continue
                todo.append((Path(e.path), f"{rel}/{e.name}" if rel else e.name, depth + 1))


def is_search(path: Path) -> bool:
    """Whether ``path`` is a search master (it holds ``search.yaml`` and ``points/`` or its
    index)."""
    return (path / _SEARCH).is_file() and ((path / "points").is_dir()
                                           or (path / "index.parquet").is_file())


def scan(root: Path) -> list[Entry]:
    """Every run and search master under ``root`` (points of a search are listed by the
    search, not here), in path order; nothing through a symbolic link."""
    entries: list[Entry] = []
    skip: list[Path] = []
    for path, rel, _ in _walk(root):
        if any(path.is_relative_to(s) for s in skip):
            continue
        if os.path.lexists(path / _MANIFEST):
            entries.append(_run_entry(path, rel or "."))
            skip.append(path)
        elif is_search(path):
            entries.append(_search_entry(path, rel or "."))
            skip.append(path)
    return sorted(entries, key=lambda e: e.rel)
