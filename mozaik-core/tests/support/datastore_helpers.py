"""Helpers of the datastore tests: PyNN-shaped neo segments and a store filler."""

from __future__ import annotations

import neo
import numpy as np
import quantities as pq
from mozaik.ads import PerNeuronValue, SingleValue
from mozaik.datastore import DataStore
from mozaik.stimulus import StimulusIdentity

SHEETS = {"V1_Exc_L4": 6, "V1_Inh_L2/3": 3}
FIRST_ID = {"V1_Exc_L4": 10, "V1_Inh_L2/3": 30}


def pynn_segment(
    sheet: str,
    n: int,
    t_start: float,
    duration: float,
    rng: np.random.Generator,
    *,
    vm_neurons: tuple[int, ...] = (0, 2),
    silent: tuple[int, ...] = (1,),
) -> neo.Segment:
    """A neo Segment shaped like PyNN 0.13's ``population.get_data().segments[i]``."""
    seg = neo.Segment(name="segment000")
    for i in range(n):
        k = 0 if i in silent else int(rng.integers(1, 8))
        times = np.sort(rng.uniform(t_start, t_start + duration, k))
        st = neo.SpikeTrain(
            times, units="ms", t_start=t_start * pq.ms, t_stop=(t_start + duration) * pq.ms
        )
        st.annotate(
            source_population=sheet,
            source_index=np.int64(i),
            channel_id=np.int64(FIRST_ID[sheet] + i),
        )
        seg.spiketrains.append(st)
    if vm_neurons:
        nsamp = int(duration / 0.1) + 1
        for name, units in (("v", "mV"), ("gsyn_exc", "uS")):
            sig = neo.AnalogSignal(
                rng.normal(-60.0, 3.0, size=(nsamp, len(vm_neurons))),
                units=units,
                sampling_period=0.1 * pq.ms,
                t_start=t_start * pq.ms,
                name=name,
                array_annotations={"channel_index": np.array(vm_neurons)},
            )
            sig.annotate(
                source_population=sheet, channel_ids=np.array(vm_neurons) + FIRST_ID[sheet]
            )
            seg.analogsignals.append(sig)
    return seg


def grating(orientation: float, trial: int, contrast: int = 100) -> StimulusIdentity:
    return StimulusIdentity(
        name="FullfieldDriftingSinusoidalGrating",
        params={"orientation": orientation, "contrast": contrast, "trial": trial,
                "duration_ms": 50.0},
    )


ORIENTATIONS = (0.0, 0.7853981633974483, 1.5707963267948966)


def fill(store: DataStore, rng: np.random.Generator, *, trials: int = 2) -> dict:
    """Write neurons, presentations (with a blank after each) and a few ADSs; return the truth."""
    truth: dict = {"segments": {}}
    for sheet, n in SHEETS.items():
        store.write_neurons(
            sheet,
            np.arange(FIRST_ID[sheet], FIRST_ID[sheet] + n),
            rng.uniform(-100, 100, size=(n, 2)),
            {"orientation_preference": np.linspace(0, np.pi, n, endpoint=False)},
        )
    t = 0.0
    for ori in ORIENTATIONS:
        for trial in range(trials):
            sid = grating(ori, trial)
            segs = {s: pynn_segment(s, n, t, 50.0, rng) for s, n in SHEETS.items()}
            store.write_presentation(sid, trial, segs)
            truth["segments"][(sid, trial)] = segs
            t += 50.0
            blank = {s: pynn_segment(s, n, t, 20.0, rng, vm_neurons=()) for s, n in SHEETS.items()}
            store.write_presentation(sid, trial, blank, is_null=True)
            t += 20.0
    for ori in ORIENTATIONS:
        for sheet, n in SHEETS.items():
            store.add_analysis_result(
                PerNeuronValue(
                    analysis_algorithm="TrialAveragedFiringRate",
                    sheet_name=sheet,
                    stimulus_id=grating(ori, 0).without("trial"),
                    values=rng.uniform(0, 20, n),
                    ids=np.arange(n),
                    value_name="Firing rate",
                    value_units=pq.Hz,
                    tags=["rates"],
                )
            )
    store.add_analysis_result(
        SingleValue(
            analysis_algorithm="PopulationMean",
            sheet_name="V1_Exc_L4",
            value=4.5,
            value_name="Mean(firing rate)",
            value_units=pq.Hz,
            tags=["summary", "rates"],
        )
    )
    return truth
