"""Every plugin checks its parameters with :mod:`mozaik.config`'s validators (issue 20 part 6):
inf and nan are refused from Python as from a file, always with a ``ParameterError`` naming the
field (before, some let them through and others raised a bare ``ValueError``)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from mozaik import ConfigError
from mozaik.config import ParameterError, structure
from mozaik_analysis import CVISIParams, PSTHParams, SpikeWindowParams
from mozaik_hpc import MPIBackendParams
from mozaik_tonotopy import PureToneParams, TonotopicSheetParams
from mozaik_visual.cortex import CorticalSheetParams, OrientationMapParams, PinwheelParams
from mozaik_visual.experiments import MeasureSpontaneousActivityParams
from mozaik_visual.retina import RetinaLGNParams
from mozaik_visual.space import VisualSpaceParams
from mozaik_visual.stimuli import GratingParams, NoiseParams


@pytest.mark.parametrize(("build", "field"), [
    (lambda: VisualSpaceParams(pixel_size_deg=math.inf), "pixel_size_deg"),
    (lambda: CorticalSheetParams(magnification_factor_um_per_deg=math.inf),
     "magnification_factor_um_per_deg"),
    (lambda: PinwheelParams(period_um=math.inf), "period_um"),
    (lambda: OrientationMapParams(file="map.npy", size_um=(1.0, math.nan)), "size_um.1"),
    (lambda: GratingParams(duration_ms=100.0, contrast_pct=math.nan), "contrast_pct"),
    (lambda: NoiseParams(duration_ms=100.0, grid_size=0), "grid_size"),
    (lambda: MeasureSpontaneousActivityParams(duration_ms=100.0, num_trials=0), "num_trials"),
    (lambda: RetinaLGNParams(n_cells=0), "n_cells"),
    (lambda: SpikeWindowParams(start_ms=math.nan), "start_ms"),
    (lambda: PSTHParams(bin_ms=math.inf), "bin_ms"),
    (lambda: CVISIParams(min_isi_count=True), "min_isi_count"),
    (lambda: MPIBackendParams(ranks=0), "ranks"),
    (lambda: PureToneParams(frequency_hz=math.nan), "frequency_hz"),
    (lambda: TonotopicSheetParams(width_um=math.inf), "width_um"),
])
def test_plugin_parameters_refuse_with_a_parameter_error(build: Callable[[], object],
                                                         field: str) -> None:
    with pytest.raises(ParameterError) as info:
        build()
    assert info.value.name == field
    assert str(info.value).startswith(f"{field} must be "), str(info.value)


def test_a_plugin_parameter_from_a_file_names_its_dotted_path() -> None:
    with pytest.raises(ConfigError) as info:
        structure({"duration_ms": 100.0, "contrast_pct": 120.0}, GratingParams,
                  path="experiments.0.params.grating")
    assert ("experiments.0.params.grating.contrast_pct: contrast_pct must be in [0, 100], "
            "got 120.0") in str(info.value)
