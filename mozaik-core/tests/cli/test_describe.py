"""``mozaik describe NAME``: the reference entry of a component and an example that passes
``mozaik config check`` (run on the printed block)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik.cli import cli
from mozaik.plugin import PluginManager
from mozaik.study import SECTIONS

#: Core components one of whose required parameters no type can suggest a value for (a list
#: of connections, a file, a SONATA circuit and its population).
UNGUESSABLE = {"DistanceDependentProbabilityConnector", "FromListConnector", "SonataSheet",
               "SonataConnector"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def example_block(out: str) -> str:
    """The YAML block after the '## Example' heading and its one-line preamble."""
    after = out.split("## Example\n\n", 1)[1]
    return after.split("\n\n", 1)[1].split("\n\n# config check says", 1)[0]


def test_describe_shows_parameters_distribution_and_docs(plugin_manager: PluginManager) -> None:
    code, out, err = run("describe", "PoissonNetworkKick")
    assert code == 0, err
    assert out.startswith("# PoissonNetworkKick\n")
    assert "Experiment from **mozaik-core**" in out
    assert "- **rate_hz** (`float`, Hz, required)" in out
    assert "## Documentation" in out


@pytest.mark.parametrize("kind", [s.kind for s in SECTIONS if s.kind])
def test_every_core_example_passes_config_check(plugin_manager: PluginManager, tmp_path: Path,
                                                kind: str) -> None:
    for name in plugin_manager.registry.kind(kind):
        code, out, err = run("describe", name)
        assert code == 0, err
        study = tmp_path / f"{name}.yaml"
        study.write_text(example_block(out))
        code, _, err = run("config", "check", "--quiet", str(study))
        if name in UNGUESSABLE:
            assert code == 1 and "once the required values are filled in" in out
        else:
            assert code == 0, f"{name}: {err}\n{out}"
            assert "passes `mozaik config check`" in out


def test_unknown_name_suggests_the_close_one(plugin_manager: PluginManager) -> None:
    code, _, err = run("describe", "PoissonNetworkKik")
    assert code == 1
    assert "'PoissonNetworkKik'" in err and "did you mean 'PoissonNetworkKick'?" in err


def test_kinds_without_a_study_section_say_where_they_are_named(
        plugin_manager: PluginManager) -> None:
    code, out, _ = run("describe", "GaussianDistance")
    assert code == 0
    assert "named inside a Modular*Connector's parameters" in out
