"""Workflow steps: their identity, input views, content digests and records in the manifest.

A *step* is one entry of ``analyses:`` or ``plots:``. Its id is the section and the component
name, with ``#k`` for the k-th entry (k >= 2) of the same component in that section
(``analyses/PopulationMean``, ``analyses/PopulationMean#2``): inserting an entry of another
component does not rename the others. The manifest field ``workflow`` maps step ids to what the
step last ran on (:func:`step_record`).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.compute as pc

from mozaik.datastore import DataStore, DataStoreView, QueryWarning, param_filter_query
from mozaik.study import Entry

__all__ = [
    "MANIFEST_FIELD",
    "Step",
    "code_version",
    "declaration",
    "plan_steps",
    "step_view",
    "view_digest",
]

#: Manifest field holding the record of every step that ran (step id -> record).
MANIFEST_FIELD = "workflow"


@attrs.frozen
class Step:
    """One analysis or plot of a workflow.

    Attributes
    ----------
    id : str
        ``<section>/<component>[#k]``, see the module docstring.
    kind : {"analysis", "plot"}
        What the entry is.
    entry : Entry
        The declaration.
    index : int
        Position within its section (figures are named ``<index:02d>_<component>.png``).
    """

    id: str
    kind: str
    entry: Entry
    index: int


def plan_steps(analyses: Sequence[Entry], plots: Sequence[Entry]
               ) -> list[Step]:
    """The steps of a workflow in the order they run: analyses, then plots."""
    steps = []
    for section, kind, entries in (("analyses", "analysis", analyses), ("plots", "plot", plots)):
        seen: dict[str, int] = {}
        for i, entry in enumerate(entries):
            seen[entry.name] = seen.get(entry.name, 0) + 1
            k = seen[entry.name]
            steps.append(Step(f"{section}/{entry.name}" + (f"#{k}" if k > 1 else ""), kind,
                              entry, i))
    return steps


def query_of(entry: Entry) -> dict[str, Any]:
    """The ``query:`` of an entry (empty if it has none)."""
    return dict(getattr(entry, "query", None) or {})


def declaration(entry: Entry) -> dict[str, Any]:
    """The JSON-able declaration of a step: component, parameters and query.

    Two declarations are equal exactly when a re-run would compute the same thing from the
    same inputs (with the same code).
    """
    params = attrs.asdict(entry.params) if attrs.has(type(entry.params)) else entry.params
    record: dict[str, Any] = json.loads(json.dumps(
        {"component": entry.name, "params": params, "query": query_of(entry)},
        default=str, sort_keys=True))
    return record


def code_version(entry: Entry) -> str:
    """The providing distribution and its version, and the class's ``version`` attribute."""
    own = getattr(entry.registered.factory, "version", None)
    text = f"{entry.registered.distribution} {entry.registered.version}"
    return text if own is None else f"{text}; {entry.name} version {own}"


def _without_steps(table: pa.Table, step_ids: Sequence[str]) -> pa.Table:
    if table.num_rows == 0 or "workflow_step" not in table.column_names or not step_ids:
        return table
    made = pc.fill_null(pc.is_in(table["workflow_step"], value_set=pa.array(list(step_ids))),
                        False)
    return table.filter(pc.invert(made))


def step_view(store: DataStore, steps: Sequence[Step], k: int) -> tuple[DataStoreView, list[str]]:
    """The view step ``k`` reads, and the warnings its query raised.

    Everything in the store except the results of step ``k`` and of the steps after it (so a
    step sees the recordings, results stored outside this workflow and results of the steps
    before it: the same on every run), narrowed by the step's query.
    """
    later = [s.id for s in steps[k:]]
    view = store.derive(store.segment_index, _without_steps(store.analysis_index, later))
    query = query_of(steps[k].entry)
    if not query:
        return view, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        view = param_filter_query(view, **query)
    return view, [str(w.message) for w in caught if issubclass(w.category, QueryWarning)]


def _rows_digest(table: pa.Table, order: str, digest: Any) -> None:
    table = table.sort_by(order) if table.num_rows else table
    for row in table.to_pylist():
        text = json.dumps({k: v for k, v in row.items() if v is not None}, sort_keys=True,
                          default=str, separators=(",", ":"))
        digest.update(text.encode())
        digest.update(b"\n")


def view_digest(view: DataStoreView) -> str:
    """SHA-256 of the segment-index and ADS-index rows of ``view`` (content, not layout).

    Rows are hashed as canonical JSON without their null cells, in id order, so the digest
    does not depend on how the index is split into files or on the columns other rows add.
    Recordings are never rewritten, so their index rows stand for their content; a result
    stored again gets a new ``ads_id`` and ``payload_file``, so its row changes with it.
    """
    digest = hashlib.sha256()
    digest.update(b"segments\n")
    _rows_digest(view.segment_index, "segment_id", digest)
    digest.update(b"ads\n")
    _rows_digest(view.analysis_index, "ads_id", digest)
    return digest.hexdigest()


def records(store: DataStore) -> dict[str, dict[str, Any]]:
    """The manifest's step records (step id -> record); empty if none ran."""
    found = store.manifest.get(MANIFEST_FIELD)
    return dict(found) if isinstance(found, Mapping) else {}


def step_record(step: Step, inputs: str, *, ads_ids: Sequence[int] = (),
                files: Sequence[str] = (), finished: str, seconds: float,
                failed: str | None = None) -> dict[str, Any]:
    """What the manifest records of a step that ran: enough to tell whether it is unchanged.

    ``failed`` is the error of a plot that raised (a failed step is never unchanged).
    """
    record: dict[str, Any] = {
        "kind": step.kind,
        "path": step.entry.path,
        "declaration": declaration(step.entry),
        "code_version": code_version(step.entry),
        "inputs": inputs,
        "ads_ids": [int(i) for i in ads_ids],
        "files": list(files),
        "finished": finished,
        "seconds": round(seconds, 6),
    }
    if failed is not None:
        record["failed"] = failed
    return record


def unchanged(step: Step, record: Mapping[str, Any] | None, inputs: str,
              store: DataStore) -> bool:
    """Whether ``record`` shows ``step`` ran on the same inputs, declaration and code (and,
    for a plot, its files are still there)."""
    if not record or record.get("failed"):
        return False
    same = (record.get("declaration") == declaration(step.entry)
            and record.get("code_version") == code_version(step.entry)
            and record.get("inputs") == inputs)
    if same and step.kind == "plot":
        files = record.get("files") or []
        same = bool(files) and all((store.root / f).is_file() for f in files)
    return bool(same)


def stale_results(store: DataStore, step: Step, keep: Sequence[int]) -> list[int]:
    """Ids of the stored results made by ``step`` that are not among ``keep``."""
    ads = store.analysis_index
    if ads.num_rows == 0 or "workflow_step" not in ads.column_names:
        return []
    mine = ads.filter(pc.fill_null(pc.equal(ads["workflow_step"], step.id), False))
    return sorted(set(mine["ads_id"].to_pylist()) - {int(i) for i in keep})
