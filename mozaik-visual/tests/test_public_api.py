"""Snapshot of the public names of visual-a's subpackages: changing them is a deliberate act."""

from __future__ import annotations

import importlib

import pytest

SNAPSHOT = {
    "mozaik_visual.space": ["VisualRegion", "VisualSpace", "VisualSpaceParams"],
    "mozaik_visual.retina": [
        "CurrentDrive", "GainControlParams", "LinearFilter", "ReceptiveFieldParams", "RetinaLGN",
        "RetinaLGNParams", "SpikeDrive", "TemporalKernelParams", "dog_kernel",
        "draw_poisson_spikes", "per_cell_reference", "temporal_kernel"],
}


@pytest.mark.parametrize("module", sorted(SNAPSHOT))
def test_public_names(module: str) -> None:
    names = importlib.import_module(module).__all__
    assert names == SNAPSHOT[module]
    assert sorted(names) == names


@pytest.mark.parametrize("module", ["mozaik_visual.stimuli", "mozaik_visual.experiments",
                                    "mozaik_visual.perturbation"])
def test_every_public_name_exists(module: str) -> None:
    package = importlib.import_module(module)
    assert sorted(package.__all__) == list(package.__all__)
    for name in package.__all__:
        assert hasattr(package, name), name
