"""Presentations whose payload files were lost or cut short after they were committed.

A presentation is committed by the rename of its index fragment, after its payloads are
written and synced, so a crash never leaves a committed presentation without its data. A file
truncated or removed afterwards (a copy that stopped half-way, a disk that failed, a hand that
deleted it) does: the index still counts the presentation as stored, so a resumed run would not
simulate it again. :func:`damaged_presentations` finds such presentations cheaply (it reads the
footer of every payload file, not the data) so a run can refuse to call itself complete, and
:meth:`DataStore.remove_presentations` drops them so they can be simulated again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from mozaik.datastore import _format as fmt
from mozaik.datastore._check import _Checker

if TYPE_CHECKING:
    from mozaik.datastore._store import DataStore

__all__ = ["DamagedPresentation", "damaged_presentations"]


@attrs.frozen
class DamagedPresentation:
    """A committed presentation whose payload files are missing or do not match the index.

    Attributes
    ----------
    presentation_id : int
        Its id in the segment index.
    stimulus : str
        Its stimulus identity (``StimulusIdentity.to_string()``).
    stimulus_name : str
        The stimulus's name.
    trial : int
        Its trial.
    is_null : bool
        Whether it is the blank period before a stimulus.
    problems : tuple of str
        What is wrong with its files, one line each.
    """

    presentation_id: int
    stimulus: str
    stimulus_name: str
    trial: int
    is_null: bool
    problems: tuple[str, ...]

    def __str__(self) -> str:
        kind = "blank before " if self.is_null else ""
        return (f"presentation {self.presentation_id} ({kind}{self.stimulus_name} trial "
                f"{self.trial}): {'; '.join(self.problems)}")


class _FooterChecker(_Checker):
    """The payload checks of :func:`~mozaik.datastore.check_store` that read footers only:
    each file exists, lies in the run directory, is Parquet of the format's schema and has
    the row groups the index names."""

    def payload_counts(self, kind: str, rel: str, pf: pq.ParquetFile,
                       rows: list[dict[str, Any]]) -> None:
        for row in rows:
            first, count = int(row[f"{kind}_row_group"]), int(row[f"{kind}_row_groups"])
            if first < 0 or first + count > pf.num_row_groups:
                self.add("index", rel, f"segment {row['segment_id']} names row groups {first}.."
                         f"{first + count - 1} but the file has {pf.num_row_groups}")


def damaged_presentations(store: DataStore) -> list[DamagedPresentation]:
    """The committed presentations of ``store`` whose payload files are missing, unreadable
    (truncated) or hold fewer row groups than the index names, in id order.

    Reads the index and the footer of each payload file, no recording.
    """
    seg = store.segment_index
    if seg.num_rows == 0:
        return []
    checker = _FooterChecker(store.root, quick=False)
    checker.segments(seg)
    if not checker.problems:
        return []
    owner = _file_owners(seg)
    found: dict[int, list[str]] = {}
    for problem in checker.problems:
        pid = fmt.id_from_file(Path(problem.file).name)
        for p in ([pid] if pid is not None else owner.get(problem.file, [])):
            found.setdefault(p, []).append(f"{problem.file}: {problem.message}")
    rows = {r["presentation_id"]: r for r in seg.select(
        ["presentation_id", "stimulus_id", "stimulus_name", "trial", "is_null"]).to_pylist()}
    return [DamagedPresentation(pid, rows[pid]["stimulus_id"], rows[pid]["stimulus_name"],
                                int(rows[pid]["trial"]), bool(rows[pid]["is_null"]),
                                tuple(found[pid]))
            for pid in sorted(found) if pid in rows]


def _file_owners(seg: pa.Table) -> dict[str, list[int]]:
    """Payload file to the presentations naming it (for files not named by the format)."""
    owners: dict[str, list[int]] = {}
    for row in seg.select(["presentation_id", "spikes_file", "analog_file"]).to_pylist():
        for rel in (row["spikes_file"], row["analog_file"]):
            if rel:
                owners.setdefault(rel, []).append(row["presentation_id"])
    return owners
