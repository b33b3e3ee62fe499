"""A summary of a store or view (what ``mozaik show`` prints): as data, and as text."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import AnalysisDataStructureError, DataStoreError
from mozaik.ads import ads_class
from mozaik.datastore._check import check_store
from mozaik.datastore._view import DataStoreView
from mozaik.plugin import Registry
from mozaik.stimulus import StimulusIdentity

__all__ = ["summarize", "summary_data"]

#: Presentations listed in the text summary (the JSON summary lists all).
MAX_PRESENTATIONS = 20


def _rate_hz(n_spikes: int, n_neurons: int, t_start: float, t_stop: float) -> float | None:
    """Mean firing rate in Hz of ``n_neurons`` neurons over (t_start, t_stop] ms."""
    duration_s = (t_stop - t_start) / 1000.0
    if n_neurons <= 0 or duration_s <= 0:
        return None
    return round(n_spikes / n_neurons / duration_s, 3)


def _variables(part: pa.Table) -> dict[str, int | None]:
    """Recorded variable -> most neurons recorded in one segment (None: not in the index)."""
    out: dict[str, int | None] = {}
    has_counts = "variable_neurons" in part.column_names
    for row in part.select(
        ["variables", "n_spiketrains"] + (["variable_neurons"] if has_counts else [])
    ).to_pylist():
        counts = row.get("variable_neurons") or [None] * len(row["variables"])
        for variable, n in zip(row["variables"], counts, strict=False):
            if variable == "spikes" and n is None:
                n = row["n_spiketrains"]
            old = out.get(variable)
            out[variable] = n if old is None else max(old, n) if n is not None else old
    return out


def _sheets(dsv: DataStoreView, seg: pa.Table) -> list[dict[str, Any]]:
    store = dsv.store
    sheets = dsv.sheets() if dsv is not store else store.sheets()
    out = []
    for sheet in sheets:
        entry: dict[str, Any] = {"name": sheet, "neurons": None, "annotations": []}
        try:
            entry["neurons"] = len(store.neuron_ids(sheet))
            entry["annotations"] = sorted(store.neuron_annotations(sheet))
        except DataStoreError:
            pass
        part = seg.filter(pc.equal(seg["sheet_name"], sheet))
        real = part.filter(pc.invert(part["is_null"]))
        spikes = int(pc.sum(real["n_spikes"]).as_py() or 0)
        durations = pc.subtract(real["t_stop"], real["t_start"])
        neuron_ms = float(pc.sum(pc.multiply(real["n_spiketrains"], durations)).as_py() or 0.0)
        entry.update(
            segments=real.num_rows,
            blank_segments=part.num_rows - real.num_rows,
            spikes=spikes,
            spikes_with_blanks=int(pc.sum(part["n_spikes"]).as_py() or 0),
            # spikes per recorded neuron per second, over the real presentations
            mean_rate_hz=round(spikes / (neuron_ms / 1000.0), 3) if neuron_ms > 0 else None,
            variables=_variables(part),
        )
        out.append(entry)
    return out


def _stimuli(real: pa.Table) -> list[dict[str, Any]]:
    """One entry per stimulus (identity), in order of first presentation."""
    out: dict[str, dict[str, Any]] = {}
    rows = real.select(["stimulus_id", "presentation_id", "trial", "t_start", "t_stop"])
    for row in sorted(rows.to_pylist(), key=lambda r: r["presentation_id"]):
        sid = row["stimulus_id"]
        if sid not in out:
            identity = StimulusIdentity.from_string(sid)
            out[sid] = {"name": identity.name, "params": dict(identity.params), "trials": [],
                        "presentation_ids": [], "duration_ms": row["t_stop"] - row["t_start"]}
        entry = out[sid]
        if row["presentation_id"] not in entry["presentation_ids"]:
            entry["presentation_ids"].append(row["presentation_id"])
            entry["trials"].append(int(row["trial"]))
    return list(out.values())


def _presentations(real: pa.Table, sheets: list[str]) -> list[dict[str, Any]]:
    """One entry per real presentation: stimulus, trial, span and mean rate per sheet."""
    out: dict[int, dict[str, Any]] = {}
    for row in sorted(real.to_pylist(), key=lambda r: r["segment_id"]):
        pid = int(row["presentation_id"])
        if pid not in out:
            params = dict(StimulusIdentity.from_string(row["stimulus_id"]).params)
            out[pid] = {"presentation_id": pid, "stimulus": row["stimulus_name"],
                        "params": params,
                        "stimulus_id": row["stimulus_id"], "trial": int(row["trial"]),
                        "t_start_ms": row["t_start"], "t_stop_ms": row["t_stop"],
                        "rate_hz": dict.fromkeys(sheets)}
        out[pid]["rate_hz"][row["sheet_name"]] = _rate_hz(
            row["n_spikes"], row["n_spiketrains"], row["t_start"], row["t_stop"]
        )
    return list(out.values())


def _unreadable(index: pa.Table, registry: Registry) -> dict[str, str]:
    """Identifiers of results whose class no installed plugin provides, with who wrote them."""
    out: dict[str, str] = {}
    writers = (index["ads_distribution"].to_pylist() if "ads_distribution" in index.column_names
               else [None] * index.num_rows)
    for ident, writer in zip(index["identifier"].to_pylist(), writers, strict=True):
        if ident in out:
            continue
        try:
            ads_class(ident, registry)
        except AnalysisDataStructureError:
            out[ident] = (f"written by {writer}, which is not installed" if writer
                          else "its class is registered by no installed plugin")
    return out


def _analysis(a: pa.Table, registry: Registry) -> list[dict[str, Any]]:
    if a.num_rows == 0:
        return []
    column = {c: a[c].to_pylist() if c in a.column_names else [None] * a.num_rows
              for c in ("analysis_algorithm", "value_name")}
    groups = Counter(zip(a["identifier"].to_pylist(), column["analysis_algorithm"],
                         column["value_name"], strict=True))
    unreadable = _unreadable(a, registry)
    return [{"identifier": i, "analysis_algorithm": algo, "value_name": value, "count": n,
             "unreadable": unreadable.get(i)}
            for (i, algo, value), n in sorted(groups.items(), key=lambda kv: repr(kv[0]))]


def varied_parameters(stimuli: list[dict[str, Any]]) -> list[str]:
    """The stimulus parameters that take more than one value across ``stimuli`` (entries of
    the summary's ``stimuli``), in order of first appearance: what the experiments varied."""
    values: dict[str, set[str]] = {}
    for stimulus in stimuli:
        for key, value in stimulus["params"].items():
            values.setdefault(key, set()).add(json.dumps(value, sort_keys=True, default=str))
    return [k for k, v in values.items() if len(v) > 1 and k != "trial"]  # trial: own column


#: SingleValues listed in the text summary (the JSON summary lists all).
MAX_SINGLE_VALUES = 40


def _stimulus_text(stimulus: object) -> str | None:
    """``Name(param=value...)`` of a result's stimulus (an identity or its string form)."""
    if isinstance(stimulus, str) and stimulus:
        stimulus = StimulusIdentity.from_string(stimulus)
    if not isinstance(stimulus, StimulusIdentity):
        return None
    params = ", ".join(f"{k}={_cell(v)}" for k, v in stimulus.params.items())
    return f"{stimulus.name}({params})"


def _single_values(dsv: DataStoreView) -> list[dict[str, Any]]:
    """Every SingleValue of the view: value with units, what it is, sheet, stimulus, analysis."""
    index = dsv.analysis_index
    if index.num_rows == 0 or "SingleValue" not in set(index["identifier"].to_pylist()):
        return []
    out = []
    for result in dsv.get_analysis_result(identifier="SingleValue"):
        fields = {name: getattr(result, name, None) for name in (
            "value", "value_name", "value_units", "sheet_name", "stimulus_id",
            "analysis_algorithm")}
        units = fields["value_units"]
        stimulus = fields["stimulus_id"]
        out.append({
            "value_name": fields["value_name"],
            "value": float(fields["value"]) if fields["value"] is not None else None,
            "units": str(getattr(units, "dimensionality", units)) if units is not None
            else "",
            "sheet": fields["sheet_name"],
            "stimulus": _stimulus_text(stimulus),
            "analysis_algorithm": fields["analysis_algorithm"],
        })
    return out


def summary_data(dsv: DataStoreView, *, ads: bool = True) -> dict[str, Any]:
    """A JSON-able summary of a view (what ``mozaik show --json`` prints).

    Keys: ``run`` (manifest fields), ``sheets`` (neurons, segments, spikes, ``mean_rate_hz``
    over the real presentations, ``variables``: recorded variable -> neurons recorded),
    ``stimuli`` (one entry per stimulus with its own parameters and trials), ``presentations``
    (mean firing rate in Hz per sheet of each real presentation, and its stimulus's
    parameters), ``varied_parameters`` (the stimulus parameters that vary), ``analysis_results``,
    ``single_values`` (every SingleValue with its units) and ``integrity`` (problems a quick
    check of the files found; ``mozaik check`` does a full one).
    """
    store = dsv.store
    m = store.manifest
    prov = m.get("provenance", {}) or {}
    seg = dsv.segment_index
    real = seg.filter(pc.invert(seg["is_null"])) if seg.num_rows else seg
    sheets = _sheets(dsv, seg)
    stimuli = _stimuli(real)
    problems = check_store(store.root, quick=True)
    return {
        "run": {"run_dir": str(store.root), "format": m.get("format"),
                "format_version": m.get("format_version"), "status": m.get("status"),
                "start_time": m.get("start_time"), "end_time": m.get("end_time"),
                "host": prov.get("host"), "distributions": prov.get("distributions") or {},
                "simulator": m.get("simulator"),
                "simulator_version": m.get("simulator_version"),
                "exploded": m.get("exploded")},
        "sheets": sheets,
        "stimuli": stimuli,
        "varied_parameters": varied_parameters(stimuli),
        "presentations": _presentations(real, [s["name"] for s in sheets]),
        "analysis_results": _analysis(dsv.analysis_index, dsv.store.registry) if ads
        else None,
        "single_values": _single_values(dsv) if ads else None,
        "integrity": {"checked": "quick", "problems": [str(p) for p in problems]},
    }


def _value(v: Any) -> str:
    return json.dumps(v) if isinstance(v, str) and v[:1] in "[{" else repr(v)


def _text_header(run: dict[str, Any]) -> list[str]:
    lines = [
        f"Run directory : {run['run_dir']}",
        f"Format        : {run['format']} v{run['format_version']}",
        f"Status        : {run['status'] or '-'}",
        f"Started/ended : {run['start_time']} / {run['end_time'] or 'not finished'}",
    ]
    exploded = run.get("exploded")
    if isinstance(exploded, dict):
        lines.append(f"Exploded      : sheet {exploded.get('sheet')!r} ran away at "
                     f"{exploded.get('rate_hz')} Hz (threshold {exploded.get('threshold_hz')} "
                     f"Hz over {exploded.get('window_ms')} ms) at t = {exploded.get('time_ms')} "
                     "ms; the run stopped there")
    if run["host"]:
        lines.append(f"Host          : {run['host']}")
    if run["distributions"]:
        lines.append("Distributions : "
                     + ", ".join(f"{k} {v}" for k, v in run["distributions"].items()))
    if run["simulator"]:
        version = run["simulator_version"] or ""
        lines.append(f"Simulator     : {run['simulator']} {version}".rstrip())
    return lines


def _text_sheets(sheets: list[dict[str, Any]]) -> list[str]:
    lines = ["", "Sheets:"]
    for s in sheets:
        n = "neurons not recorded" if s["neurons"] is None else f"{s['neurons']} neurons"
        if s["annotations"]:
            n += f", annotations: {', '.join(s['annotations'])}"
        rate = "-" if s["mean_rate_hz"] is None else f"{s['mean_rate_hz']:g} Hz"
        variables = ", ".join(f"{v} ({'?' if k is None else k} neurons)"
                              for v, k in s["variables"].items())
        lines += [f"  {s['name']}: {n}; {s['segments']} segments (+{s['blank_segments']} blank), "
                  f"{s['spikes']} spikes, mean rate {rate}",
                  f"      recorded: {variables or '-'}"]
    return lines + (["  (none)"] if not sheets else [])


def _text_stimuli(stimuli: list[dict[str, Any]]) -> list[str]:
    lines = ["", f"Stimuli ({len(stimuli)}, one line each, in order of first presentation):"]
    for s in stimuli:
        trials = s["trials"]
        params = ", ".join(f"{k}={_value(v)}" for k, v in s["params"].items())
        lines.append(f"  {s['name']}: {len(trials)} presentation(s), trials "
                     f"{', '.join(map(str, sorted(set(trials))))}; {params or 'no parameters'}")
    return lines + (["  (none)"] if not stimuli else [])


def _text_presentations(pres: list[dict[str, Any]], sheets: list[str],
                        varied: list[str]) -> list[str]:
    """One row per presentation: id, the whole stimulus name, the value of every varied
    stimulus parameter (a column each), trial, span, and the mean rate of each sheet."""
    if not pres:
        return []
    shown = pres[:MAX_PRESENTATIONS]
    heads = ["id", "stimulus", *varied, "trial", "t_start..t_stop ms", *sheets]
    rows = []
    for p in shown:
        rates = ["-" if p["rate_hz"][s] is None else f"{p['rate_hz'][s]:.2f}" for s in sheets]
        rows.append([str(p["presentation_id"]), p["stimulus"],
                     *[_cell(p["params"].get(k)) for k in varied], str(p["trial"]),
                     f"{p['t_start_ms']:g}..{p['t_stop_ms']:g}", *rates])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    left = {1}  # the stimulus name; numbers align right

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(c.ljust(w) if i in left else c.rjust(w)
                                for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    lines = ["", "Presentations (mean firing rate per sheet, Hz; blank periods excluded"
             + (f"; varied stimulus parameters: {', '.join(varied)}" if varied else "") + "):",
             line(heads)] + [line(r) for r in rows]
    if len(pres) > MAX_PRESENTATIONS:
        lines.append(f"  ... {len(pres) - MAX_PRESENTATIONS} more (mozaik show --json lists all)")
    return lines


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return value if isinstance(value, str) else json.dumps(value)


def _text_single_values(values: list[dict[str, Any]]) -> list[str]:
    if not values:
        return []
    lines = ["", f"Single values ({len(values)}):"]
    for v in values[:MAX_SINGLE_VALUES]:
        number = "-" if v["value"] is None else f"{v['value']:.6g}"
        units = "" if v["units"] in ("", "dimensionless") else f" {v['units']}"
        where = ", ".join(x for x in (f"sheet {v['sheet']}" if v["sheet"] else "",
                                      v["stimulus"] or "", f"from {v['analysis_algorithm']}"
                                      if v["analysis_algorithm"] else "") if x)
        lines.append(f"  {v['value_name']}: {number}{units}" + (f"  ({where})" if where else ""))
    if len(values) > MAX_SINGLE_VALUES:
        lines.append(f"  ... {len(values) - MAX_SINGLE_VALUES} more (mozaik show --json lists "
                     "all)")
    return lines


def summarize(dsv: DataStoreView, *, ads: bool = True) -> str:
    """Summarise a view as text: run, sheets, stimuli, presentations, results, integrity."""
    data = summary_data(dsv, ads=ads)
    sheets = [s["name"] for s in data["sheets"]]
    lines = _text_header(data["run"]) + _text_sheets(data["sheets"])
    lines += _text_stimuli(data["stimuli"]) + _text_presentations(
        data["presentations"], sheets, data["varied_parameters"])
    if data["analysis_results"] is not None:
        results = data["analysis_results"]
        lines += ["", f"Analysis results: {sum(r['count'] for r in results)}"]
        for r in results:
            extra = f", value_name={r['value_name']!r}" if r["value_name"] is not None else ""
            extra += f" (UNREADABLE: {r['unreadable']})" if r["unreadable"] else ""
            lines.append(f"  {r['identifier']} from {r['analysis_algorithm']}{extra}: "
                         f"{r['count']}")
        lines += _text_single_values(data["single_values"] or [])
    problems = data["integrity"]["problems"]
    root = data["run"]["run_dir"]
    lines.append("")
    if problems:
        lines += [f"Integrity     : {len(problems)} PROBLEM(S) in the files; the counts above come "
                  f"from the index and may be wrong. Run `mozaik check {root}`:"]
        lines += [f"  {p}" for p in problems[:5]] + (["  ..."] if len(problems) > 5 else [])
    else:
        lines.append(f"Integrity     : files present and Parquet-framed (`mozaik check {root}` "
                     "verifies their contents)")
    return "\n".join(lines)
