"""Frames, the seam through which viewers picture a stimulus, and InputSpace.frames' default."""

from __future__ import annotations

import numpy as np
import pytest
from mozaik import MozaikError
from mozaik.model import InputSpace
from mozaik.stimulus import Frames, InternalStimulus, InternalStimulusParams


def _frames(**change: object) -> Frames:
    given: dict[str, object] = {"values": np.zeros((3, 2, 4)), "units": "cd/m^2",
                                "quantity": "luminance", "extent": (-2, 2, -1, 1),
                                "extent_units": ("deg", "deg"), "frame_interval_ms": 10}
    given.update(change)
    return Frames(**given)  # type: ignore[arg-type]


def test_frames_describe_themselves_without_values() -> None:
    frames = _frames(values=np.arange(24.0).reshape(3, 2, 4))
    assert frames.n_frames == 3 and frames.duration_ms == 30.0
    assert frames.describe() == {
        "n_frames": 3, "rows": 2, "columns": 4, "units": "cd/m^2", "quantity": "luminance",
        "extent": [-2.0, 2.0, -1.0, 1.0], "extent_units": ["deg", "deg"],
        "frame_interval_ms": 10.0, "min": 0.0, "max": 23.0}


@pytest.mark.parametrize(("change", "named"), [
    ({"values": np.zeros((4, 5))}, "shape (4, 5)"),
    ({"values": np.zeros((0, 2, 2))}, "shape (0, 2, 2)"),
    ({"extent": (1, -1, 0, 1)}, "left < right"),
    ({"extent": (0, 1, 0, float("nan"))}, "finite"),
    ({"extent_units": ("deg",)}, "two axes"),
    ({"frame_interval_ms": 0}, "frame_interval_ms is 0.0"),
])
def test_bad_frames_are_refused_naming_the_value(change: dict[str, object], named: str) -> None:
    with pytest.raises(MozaikError, match=named.replace("(", r"\(").replace(")", r"\)")):
        _frames(**change)


class _Blind(InputSpace[object]):
    def describe(self) -> dict[str, bool | int | float | str]:
        return {}


def test_an_input_space_pictures_nothing_by_default() -> None:
    stimulus = InternalStimulus(InternalStimulusParams(duration_ms=10.0))
    assert _Blind(object()).frames(stimulus) is None
