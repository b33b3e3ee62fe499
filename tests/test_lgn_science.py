"""LGN science on NEST: ON/OFF spot polarity, surround suppression, grating F1/F0 vs a step.

One small LGN (2 x 100 cells over 1.5 x 1.5 deg), each stimulus 300 ms after a 150 ms blank,
the filter state carried across; spikes counted per cell with numpy. Both outputs: the
current-driven IF cells and the linear-nonlinear-Poisson spike sources.
"""

from __future__ import annotations

import numpy as np
import pytest
from mozaik.config import SimulatorConfig
from mozaik.model import Model, RecorderParams
from mozaik.stimulus import NullStimulus, NullStimulusParams, Stimulus

pytestmark = [pytest.mark.nest]


def _presentations(stimuli: list[Stimulus], duration_ms: float = 300.0,
                   output: str = "current") -> list[dict[str, list[np.ndarray]]]:
    from mozaik_visual.retina import ReceptiveFieldParams, RetinaLGN, RetinaLGNParams
    from mozaik_visual.space import VisualSpace, VisualSpaceParams

    model = Model(SimulatorConfig(backend="nest", seed=5, time_step=0.1), name="lgn_science")
    model.input_space = VisualSpace(VisualSpaceParams(size_deg=(8.0, 8.0), pixel_size_deg=0.1))
    lgn = RetinaLGN("lgn", RetinaLGNParams(
        n_cells=100, size_deg=(1.5, 1.5), output=output,  # type: ignore[arg-type]
        receptive_field=ReceptiveFieldParams(surround_weight=0.95),
        recorders=(RecorderParams(variables=("spikes",), neurons="all"),)), model)
    model.sensory_input = lgn
    for sheet in lgn.sheets.values():
        model.add_sheet(sheet)
    out = []
    for stimulus in stimuli:
        lgn.present(NullStimulus(NullStimulusParams(duration_ms=150.0)), model.time)
        model.run(150.0)
        model.collect()
        start = model.time
        lgn.present(stimulus, start)
        model.run(duration_ms)
        segments = model.collect()
        out.append({name: [np.asarray(st.magnitude) - start for st in seg.spiketrains]
                    for name, seg in segments.items()})
    model.sim.end()
    return out


@pytest.mark.parametrize("output", ["current", "poisson"])
def test_lgn_responses(output: str) -> None:
    from mozaik_visual.stimuli import (
        FlatDisk,
        FlatDiskParams,
        FullfieldDriftingSinusoidalGrating,
        FullfieldFlatLuminance,
        FullfieldFlatLuminanceParams,
        GratingParams,
    )

    d = 300.0
    stimuli: list[Stimulus] = [
        FlatDisk(FlatDiskParams(duration_ms=d, radius_deg=0.2, luminance_cd_m2=100.0)),
        FlatDisk(FlatDiskParams(duration_ms=d, radius_deg=0.2, luminance_cd_m2=0.0)),
        FlatDisk(FlatDiskParams(duration_ms=d, radius_deg=3.5, luminance_cd_m2=100.0)),
        FullfieldDriftingSinusoidalGrating(GratingParams(
            duration_ms=d, spatial_frequency_cpd=0.5, temporal_frequency_hz=10.0)),
        FullfieldFlatLuminance(FullfieldFlatLuminanceParams(duration_ms=d,
                                                            luminance_cd_m2=100.0)),
    ]
    light, dark, large, grating, step = _presentations(stimuli, d, output)

    def rate(p: dict[str, list[np.ndarray]], sheet: str, central: bool = True) -> float:
        trains = p[sheet]
        # the 4 central cells of the 10 x 10 grid (nearest the spot centre)
        chosen = [44, 45, 54, 55] if central else range(len(trains))
        return float(np.mean([len(trains[i]) for i in chosen])) / (d / 1000)

    assert rate(light, "X_ON") > 2 * rate(dark, "X_ON")
    assert rate(dark, "X_OFF") > 2 * rate(light, "X_OFF")
    assert rate(large, "X_ON") < 0.8 * rate(light, "X_ON")

    def f1_over_f0(p: dict[str, list[np.ndarray]], sheet: str) -> float:
        spikes = np.concatenate(p[sheet])
        spikes = spikes[spikes >= 100.0]  # after the onset transient
        f0 = len(spikes)
        f1 = abs(np.exp(-2j * np.pi * 10.0 * spikes / 1000).sum())
        return float(2 * f1 / max(f0, 1))

    for sheet in ("X_ON", "X_OFF"):
        assert f1_over_f0(grating, sheet) > 0.25
        assert f1_over_f0(grating, sheet) > 2.5 * f1_over_f0(step, sheet)
