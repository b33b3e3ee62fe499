from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import click
import pytest
from click.testing import CliRunner
from mozaik.cli._main import cli
from mozaik.plugin import ComponentSpec, PluginManager, hookimpl
from mozaik.testing import make_plugin, register_components


@attrs.frozen(kw_only=True)
class SheetParams:
    density: float


def _toy_sheet(name: str, params: SheetParams, model: object) -> object:
    raise NotImplementedError  # the CLI tests only validate studies


@pytest.fixture
def toy_sheet(bare_plugin_manager: PluginManager) -> PluginManager:
    register_components(bare_plugin_manager, "sheets", ComponentSpec(
        name="ToySheet", config_cls=SheetParams, factory=_toy_sheet, summary="a toy sheet"))
    return bare_plugin_manager


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_everywhere() -> None:
    for args in ([], ["config"], ["config", "check"], ["plugins"]):
        code, out, _ = run(*args, "--help")
        assert code == 0 and "Usage:" in out


def test_plugins_lists_components(toy_sheet: PluginManager) -> None:
    code, out, _ = run("plugins")
    assert code == 0
    assert "mozaik-toy 0.0.1" in out and "ToySheet" in out and "a toy sheet" in out
    code, out, _ = run("plugins", "--json")
    data = json.loads(out)
    assert data[0]["components"]["sheets"][0]["name"] == "ToySheet"


def test_config_check_prints_resolved_tree(toy_sheet: PluginManager, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "name: t\nsheets:\n  a: {component: ToySheet, params: {density: 100.0}}\n"
        "  b: {component: ToySheet, params: {density: ref('sheets.a.params.density') * 2}}\n")
    code, out, err = run("config", "check", str(tmp_path / "s.yaml"), "--set",
                         "sheets.a.params.density=7")
    assert code == 0, err
    assert "density: 14  # " in out and "s.yaml:4\n" in out and "# OK" in err


def test_errors_are_one_paragraph_without_traceback(toy_sheet: PluginManager,
                                                    tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("name: t\nsheets:\n  a: {component: Nope}\n")
    code, out, err = run("config", "check", str(tmp_path / "s.yaml"))
    assert code == 1
    assert err.startswith("Error: ") and "Traceback" not in err
    assert "unknown sheet 'Nope'; installed sheets: ToySheet" in err
    result = CliRunner().invoke(cli, ["--debug", "config", "check", str(tmp_path / "s.yaml")])
    assert result.exit_code == 1 and result.exception is not None  # raised, not swallowed


def test_plugin_commands_extend_the_cli(bare_plugin_manager: PluginManager) -> None:
    @click.command("hello")
    def hello() -> None:
        """Say hello."""
        click.echo("hello from a plugin")

    plugin = make_plugin("greeter")

    @hookimpl
    def mozaik_cli_commands():  # type: ignore[no-untyped-def]
        return [hello]

    plugin.mozaik_cli_commands = mozaik_cli_commands
    bare_plugin_manager.register(plugin, "greeter", distribution="mozaik-greeter")
    assert run("hello") == (0, "hello from a plugin\n", "")
    code, out, _ = run("--help")
    assert "hello" in out and "Say hello." in out
    code, out, _ = run("plugins")
    assert "commands: hello" in out


def test_plugin_command_clash_names_both(bare_plugin_manager: PluginManager) -> None:
    plugin = make_plugin("clash")

    @hookimpl
    def mozaik_cli_commands():  # type: ignore[no-untyped-def]
        return [click.Command("run")]

    plugin.mozaik_cli_commands = mozaik_cli_commands
    bare_plugin_manager.register(plugin, "clash", distribution="mozaik-clash")
    code, _, err = run("--help")
    assert "'run' is provided twice: by mozaik-core and by mozaik-clash" in err


def test_console_script_exit_code(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from mozaik.cli import main
        sys.argv = ["mozaik", "config", "check", {str(tmp_path / 'missing')!r}]
        main()
    """)
    (tmp_path / "missing").mkdir()
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={"MOZAIK_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": ""})
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and "study.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr
