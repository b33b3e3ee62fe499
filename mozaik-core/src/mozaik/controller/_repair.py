"""Repair of a run whose stored payloads were damaged after they were committed.

A run whose index counts every planned presentation as stored is complete only if the payload
files hold what the index says. Before a run is resumed or declared complete, the controller
checks the payload files' footers (:func:`~mozaik.datastore.damaged_presentations`) and refuses
a damaged run (:func:`refuse_damaged`); :func:`repair_run` (``mozaik run RUN_DIR --repair``)
drops the damaged presentations, so the next run simulates them again, replaying what the
network state needs exactly as a resumed run does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mozaik._errors import DataStoreFormatError, MozaikError
from mozaik.controller._faults import check_writable
from mozaik.datastore import DamagedPresentation, DataStore, damaged_presentations, now_iso
from mozaik.stimulus import StimulusIdentity

__all__ = ["damage_message", "refuse_damaged", "repair_run"]

_LISTED = 5  # damaged presentations named in a message; the rest are counted


def damage_message(run_dir: Path, damaged: list[DamagedPresentation]) -> str:
    """What is damaged in ``run_dir`` and how to repair it (one paragraph)."""
    shown = "; ".join(str(d) for d in damaged[:_LISTED])
    more = f"; and {len(damaged) - _LISTED} more" if len(damaged) > _LISTED else ""
    return (f"run directory {run_dir} holds {len(damaged)} damaged presentation(s) (their "
            f"payload files are missing or cut short, so their recordings are lost): {shown}"
            f"{more}. Run `mozaik run {run_dir} --repair` to drop them and simulate them again "
            "(every other presentation is kept; the network state is restored by replaying, "
            "as on resume; from Python: mozaik.controller.repair_run); `mozaik check` lists every "
            "damaged file")


def refuse_damaged(store: DataStore) -> None:
    """Raise if a presentation ``store`` counts as stored lost its payload files.

    Raises
    ------
    DataStoreFormatError
        Naming the damaged presentations and the repair.
    """
    damaged = damaged_presentations(store)
    if damaged:
        raise DataStoreFormatError(damage_message(store.root, damaged))


def _to_drop(store: DataStore, damaged: list[DamagedPresentation]) -> set[int]:
    """The damaged presentations, and the stimulus presentation after each damaged blank:
    a blank is recorded only together with the stimulus it comes before."""
    drop = {d.presentation_id for d in damaged}
    seg = store.segment_index.select(["presentation_id", "stimulus_id", "trial", "is_null"])
    stimuli = {(r["stimulus_id"], r["trial"]): r["presentation_id"]
               for r in seg.to_pylist() if not r["is_null"]}
    for d in damaged:
        if not d.is_null:
            continue
        try:
            before = StimulusIdentity.from_string(d.stimulus).params.get("before")
        except (MozaikError, ValueError, KeyError, TypeError):
            continue
        pid = stimuli.get((before, d.trial))
        if pid is not None:
            drop.add(pid)
    return drop


def repair_run(run_dir: str | Path, *, confirm: Callable[[str], bool] | None = None
               ) -> list[DamagedPresentation]:
    """Drop the damaged presentations of ``run_dir`` so that ``run_study`` (``mozaik run
    RUN_DIR``) simulates them again; the damaged presentations found (none: nothing done).

    A damaged blank takes the stimulus presentation it comes before with it. The repair is
    recorded in the manifest's ``repairs`` list.

    Parameters
    ----------
    run_dir : path
        A run directory.
    confirm : callable, optional
        ``confirm(message) -> bool``, asked with what is damaged before anything is dropped
        (``mozaik run --repair`` answers yes, a terminal asks the user); default: repair.

    Raises
    ------
    DataStoreFormatError
        If ``confirm`` says no: names the damaged presentations and the repair.
    DataStoreError
        If the run directory cannot be written, or another process writes it.
    """
    run_dir = Path(run_dir)
    with DataStore.open(run_dir, mode="r") as store:
        damaged = damaged_presentations(store)
    if not damaged:
        return []
    message = damage_message(run_dir, damaged)
    if confirm is not None and not confirm(message):
        raise DataStoreFormatError(message)
    check_writable(run_dir, writes="the repair")
    with DataStore.open(run_dir, mode="a") as store:
        damaged = damaged_presentations(store)  # again, now that no other process writes
        if not damaged:
            return []
        drop = _to_drop(store, damaged)
        store.remove_presentations(drop)
        repairs = list(store.manifest.get("repairs") or [])
        repairs.append({"time": now_iso(), "dropped": sorted(drop),
                        "damaged": [str(d) for d in damaged]})
        store.update_manifest(repairs=repairs, status="incomplete")
    return damaged
