"""A readable text summary of a store or view (what ``mozaik show`` prints)."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import AnalysisDataStructureError, DataStoreError
from mozaik.ads import ads_class
from mozaik.datastore._format import ST_PREFIX
from mozaik.datastore._view import DataStoreView

__all__ = ["summarize"]

_MAX_VALUES = 8


def _values(values: list[object]) -> str:
    shown = ", ".join(repr(v) for v in values[:_MAX_VALUES])
    return shown + (f", ... ({len(values)} values)" if len(values) > _MAX_VALUES else "")


def _unreadable(index: pa.Table) -> dict[str, str]:
    """Identifiers of results whose class no installed plugin provides, with who wrote them."""
    out: dict[str, str] = {}
    writers = (index["ads_distribution"].to_pylist() if "ads_distribution" in index.column_names
               else [None] * index.num_rows)
    for ident, writer in zip(index["identifier"].to_pylist(), writers, strict=True):
        if ident in out:
            continue
        try:
            ads_class(ident)
        except AnalysisDataStructureError:
            out[ident] = (f"written by {writer}, which is not installed" if writer
                          else "its class is registered by no installed plugin")
    return out


def summarize(dsv: DataStoreView, *, ads: bool = True) -> str:
    """Summarise a view: run, sheets and neurons, stimuli, segments, analysis results."""
    store = dsv.store
    m = store.manifest
    prov = m.get("provenance", {}) or {}
    lines = [
        f"Run directory : {store.root}",
        f"Format        : {m.get('format')} v{m.get('format_version')}",
        f"Started/ended : {m.get('start_time')} / {m.get('end_time') or 'not finished'}",
    ]
    if prov.get("host"):
        lines.append(f"Host          : {prov['host']}")
    dists = prov.get("distributions") or {}
    if dists:
        lines.append("Distributions : " + ", ".join(f"{k} {v}" for k, v in dists.items()))
    if m.get("simulator"):
        lines.append(f"Simulator     : {m['simulator']} {m.get('simulator_version', '')}".rstrip())

    seg = dsv.segment_index
    lines += ["", "Sheets:"]
    sheets = dsv.sheets() if dsv is not store else store.sheets()
    for sheet in sheets:
        try:
            n = f"{len(store.neuron_ids(sheet))} neurons"
            ann = sorted(store.neuron_annotations(sheet))
            if ann:
                n += f", annotations: {', '.join(ann)}"
        except DataStoreError:
            n = "neurons not recorded"
        part = seg.filter(pc.equal(seg["sheet_name"], sheet))
        real = part.filter(pc.invert(part["is_null"]))
        variables = (
            sorted(set(pc.list_flatten(part["variables"]).to_pylist())) if part.num_rows else []
        )
        spikes = pc.sum(part["n_spikes"]).as_py() or 0
        lines.append(
            f"  {sheet}: {n}; {real.num_rows} segments (+{part.num_rows - real.num_rows} blank), "
            f"{spikes} spikes; variables: {', '.join(variables) or '-'}"
        )
    if not sheets:
        lines.append("  (none)")

    lines += ["", "Stimuli:"]
    real = seg.filter(pc.invert(seg["is_null"])) if seg.num_rows else seg
    names = Counter(real["stimulus_name"].to_pylist())
    for name in sorted(names):
        part = real.filter(pc.equal(real["stimulus_name"], name))
        n_stim = len(pc.unique(part["stimulus_id"]))
        n_pres = len(pc.unique(part["presentation_id"]))
        lines.append(f"  {name}: {n_stim} stimuli, {n_pres} presentations")
        trials = sorted(set(part["trial"].to_pylist()))
        lines.append(f"      trial: {_values(trials)}")
        for col in sorted(c for c in part.column_names if c.startswith(ST_PREFIX)):
            vals = [v for v in pc.unique(part[col]).to_pylist() if v is not None]
            if vals and col != "st_trial":
                lines.append(
                    f"      {col.removeprefix(ST_PREFIX)}: {_values(sorted(vals, key=repr))}"
                )
    if not names:
        lines.append("  (none)")

    if ads:
        a = dsv.analysis_index
        lines += ["", f"Analysis results: {a.num_rows}"]
        if a.num_rows:
            value_name = (
                a["value_name"].to_pylist()
                if "value_name" in a.column_names
                else [None] * a.num_rows
            )
            groups = Counter(
                zip(
                    a["identifier"].to_pylist(),
                    a["analysis_algorithm"].to_pylist(),
                    value_name,
                    strict=True,
                )
            )
            unreadable = _unreadable(a)
            for (ident, algo, value), count in sorted(groups.items(), key=lambda kv: repr(kv[0])):
                extra = f", value_name={value!r}" if value is not None else ""
                extra += f" (UNREADABLE: {unreadable[ident]})" if ident in unreadable else ""
                lines.append(f"  {ident} from {algo}{extra}: {count}")
    return "\n".join(lines)
