"""The configuration reference's parsing of parameters classes (docs/_ext)."""

from __future__ import annotations

import attrs
from mozaik_config_reference import field_rows, parameter_docs


@attrs.frozen(kw_only=True)
class ToneParams:
    """Parameters of a tone.

    Parameters
    ----------
    frequency_hz : float
        Pitch of the tone, see :class:`Tone`.
    level : float, dB SPL
        Loudness, ``20`` is quiet.
    low, high : int
        Range.

    Notes
    -----
    frequency_hz : this is not a parameter entry
    """

    frequency_hz: float
    level: float = 60.0
    low: int = 0
    high: int = attrs.field(factory=lambda: 9)
    undocumented_ms: tuple[float, ...] = ()


def test_numpydoc_parameters_are_parsed() -> None:
    docs = parameter_docs(ToneParams)
    assert docs["frequency_hz"] == ("float", "Pitch of the tone, see Tone.")
    assert docs["level"] == ("float, dB SPL", "Loudness, 20 is quiet.")
    assert docs["low"] == docs["high"] == ("int", "Range.")
    assert set(docs) == {"frequency_hz", "level", "low", "high"}


def test_rows_have_type_units_default_and_doc() -> None:
    rows = {row[0]: row for row in field_rows(ToneParams)}
    assert rows["frequency_hz"] == ("frequency_hz", "float", "Hz", "required",
                                    "Pitch of the tone, see Tone.")
    assert rows["level"][2:4] == ("dB SPL", "60.0")
    assert rows["high"][3] == "9"
    assert rows["undocumented_ms"] == ("undocumented_ms", "tuple[float, ...]", "ms", "()", "")


@attrs.frozen(kw_only=True)
class LoudToneParams(ToneParams):
    """A tone with an envelope; inherits the tone's fields and their documentation.

    Parameters
    ----------
    level : float, dB SPL
        Loudness at the envelope's peak.
    attack_ms : float
        Rise time.
    """

    attack_ms: float = 5.0


def test_inherited_fields_are_documented_by_their_base_class() -> None:
    rows = {row[0]: row for row in field_rows(LoudToneParams)}
    assert rows["frequency_hz"][4] == "Pitch of the tone, see Tone."  # from ToneParams
    assert rows["level"][4] == "Loudness at the envelope's peak."  # the subclass's own wins
    assert rows["attack_ms"][2:] == ("ms", "5.0", "Rise time.")
    assert rows["undocumented_ms"][4] == ""
