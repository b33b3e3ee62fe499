"""The generated reference: parsing parameters classes, units, Markdown of components and of
the command line (``mozaik.cli.configuration_reference``, ``cli_reference``)."""

from __future__ import annotations

import attrs
import pytest
from mozaik.cli import (
    cli,
    cli_reference,
    component_reference,
    configuration_reference,
    field_rows,
    parameter_docs,
    replace_generated,
)
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.testing import register_components


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
    ears : (str, str)
        Names of the two ears.
    um_per_deg : float, um/deg
        A scale whose name is a unit.
    mm_per_octave : float
        Named after its unit, undocumented units.

    Notes
    -----
    frequency_hz : this is not a parameter entry
    """

    frequency_hz: float
    level: float = 60.0
    low: int = 0
    high: int = attrs.field(factory=lambda: 9)
    undocumented_ms: tuple[float, ...] = ()
    ears: tuple[str, str] = ("left", "right")
    um_per_deg: float = 1000.0
    mm_per_octave: float = 1.0


def test_numpydoc_parameters_are_parsed() -> None:
    docs = parameter_docs(ToneParams)
    assert docs["frequency_hz"] == ("float", "Pitch of the tone, see Tone.")
    assert docs["level"] == ("float, dB SPL", "Loudness, 20 is quiet.")
    assert docs["low"] == docs["high"] == ("int", "Range.")
    assert "Notes" not in str(docs)


def test_rows_have_type_units_default_and_doc() -> None:
    rows = {row[0]: row for row in field_rows(ToneParams)}
    assert rows["frequency_hz"] == ("frequency_hz", "float", "Hz", "required",
                                    "Pitch of the tone, see Tone.")
    assert rows["level"][2:4] == ("dB SPL", "60.0")
    assert rows["high"][3] == "9"
    assert rows["undocumented_ms"] == ("undocumented_ms", "tuple[float, ...]", "ms", "()", "")


def test_units_glitches_of_the_first_reference() -> None:
    """A tuple type's comma is not a units separator (``populations`` showed units ``str)``)
    and a name that is a unit is that unit (``um_per_deg`` showed ``deg``)."""
    rows = {row[0]: row for row in field_rows(ToneParams)}
    assert rows["ears"][2] == ""
    assert rows["um_per_deg"][2] == "um/deg"
    assert rows["mm_per_octave"][2] == ""  # "_octave" is no unit suffix; no stray guess


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
    assert rows["frequency_hz"][4] == "Pitch of the tone, see Tone."
    assert rows["level"][4] == "Loudness at the envelope's peak."
    assert rows["attack_ms"][2:] == ("ms", "5.0", "Rise time.")


def _tone(name: str, params: ToneParams, model: object) -> object:
    raise NotImplementedError  # only described


@pytest.fixture
def tone_manager(bare_plugin_manager: PluginManager) -> PluginManager:
    register_components(bare_plugin_manager, "sheets", ComponentSpec(
        name="ToneSheet", config_cls=ToneParams, factory=_tone, summary="a sheet of tones"))
    return bare_plugin_manager


def test_component_entries_are_lists_that_wrap(tone_manager: PluginManager) -> None:
    """Each field is one list item (a five-column table overflowed the page)."""
    text = component_reference(tone_manager.registry.kind("sheets")["ToneSheet"])
    assert text.startswith("### ToneSheet\n")
    assert "Sheet from **mozaik-toy**: a sheet of tones." in text
    assert "- **frequency_hz** (`float`, Hz, required): Pitch of the tone, see Tone." in text
    assert "- **level** (`float`, dB SPL, default `60.0`): Loudness, 20 is quiet." in text
    assert "|" not in text
    whole = configuration_reference(tone_manager.registry)
    assert whole.startswith("### Sheets\n") and "#### ToneSheet" in whole


def test_cli_reference_holds_every_commands_help() -> None:
    text = cli_reference(cli)
    assert text.startswith("## mozaik\n")
    for name in ("run", "show", "config check", "describe"):
        assert f"# mozaik {name}\n" in text
    assert "Usage: mozaik config check [OPTIONS] FILE" in text
    # prose wraps at 80 columns (click does not wrap an option's list of choices)
    assert max(len(line) for line in text.splitlines() if not line.startswith("  -")) <= 80


def test_generated_text_goes_between_the_markers() -> None:
    page = ("# T\n\nintro\n\n<!-- BEGIN GENERATED: x (do not edit; `python docs/generate.py` "
            "rewrites it) -->\nold\n<!-- END GENERATED: x -->\ntail\n")
    new = replace_generated(page, "x", "new text")
    assert "old" not in new and "\n\nnew text\n\n<!-- END GENERATED: x -->\ntail\n" in new
    assert replace_generated(new, "x", "new text") == new
    with pytest.raises(ValueError, match="markers"):
        replace_generated("# no markers", "x", "text")


def test_shell_completion_works_as_docs_cli_md_says() -> None:
    """docs/cli.md documents click's completion through ``_MOZAIK_COMPLETE``."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "_MOZAIK_COMPLETE": "bash_complete", "COMP_WORDS": "mozaik descr",
           "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-c", "from mozaik.cli import main; main()"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["plain,describe"]


@attrs.frozen(kw_only=True)
class Inner:
    x: int = 1


@attrs.frozen(kw_only=True)
class Outer:
    inner: Inner | None = None
    level: float = 1.0


def test_types_read_the_same_after_cattrs_resolved_them() -> None:
    """Structuring a class resolves its attrs field types in place; the reference must not
    change with what ran before it (it printed ``mozaik.model._params.NoiseParams | None``
    after a study had been loaded in the same process, ``NoiseParams | None`` before)."""
    from mozaik.config import structure

    before = field_rows(Outer)
    structure({"inner": {"x": 2}}, Outer)
    assert field_rows(Outer) == before
    assert before[0][1] == "Inner | None"
