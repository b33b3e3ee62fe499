from __future__ import annotations

import numpy as np
import pytest
from mozaik._errors import MozaikError
from mozaik.stimulus import StimulusIdentity


def test_round_trip_string_and_equality() -> None:
    sid = StimulusIdentity(
        name="PoissonNetworkKick", params={"rate": 10.0, "duration": 100.0, "trial": 0}
    )
    text = sid.to_string()
    assert text == '{"name":"PoissonNetworkKick","params":{"duration":100.0,"rate":10.0,"trial":0}}'
    back = StimulusIdentity.from_string(text)
    assert back == sid and hash(back) == hash(sid)
    assert list(back.params) == ["duration", "rate", "trial"]


def test_canonical_order_and_numpy_scalars() -> None:
    a = StimulusIdentity(
        "G", {"b": np.float64(1.5), "a": np.int64(2), "c": np.bool_(True), "d": None}
    )
    b = StimulusIdentity("G", {"a": 2, "c": True, "d": None, "b": 1.5})
    assert a == b
    assert type(a["a"]) is int and type(a["b"]) is float and type(a["c"]) is bool


def test_types_are_part_of_identity() -> None:
    assert StimulusIdentity("G", {"x": 1}) != StimulusIdentity("G", {"x": 1.0})
    assert StimulusIdentity("G", {"x": True}) != StimulusIdentity("G", {"x": 1})


def test_immutable_and_derivations() -> None:
    sid = StimulusIdentity("G", {"orientation": 0.0, "trial": 3})
    with pytest.raises(AttributeError):
        sid.name = "H"  # type: ignore[misc]
    with pytest.raises(TypeError):
        sid.params["trial"] = 4  # type: ignore[index]
    assert sid.without("trial") == StimulusIdentity("G", {"orientation": 0.0})
    assert sid.replace(trial=4)["trial"] == 4
    assert sid.equal_except(sid.replace(trial=9), "trial")


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"name": "G"}',
        '{"name": "G", "params": [1]}',
        '{"name": "", "params": {}}',
        '{"name": "G", "params": {"x": [1, 2]}}',
        "__import__('os')",
    ],
)
def test_from_string_rejects_bad_text(text: str) -> None:
    with pytest.raises(MozaikError):
        StimulusIdentity.from_string(text)


def test_non_scalar_parameter_is_an_error_naming_it() -> None:
    with pytest.raises(MozaikError, match="'size'"):
        StimulusIdentity("G", {"size": (1, 2)})
