"""``mozaik config check`` prints every value of the resolved tree with the file and line it
came from (what getting-started promises), through includes, ``<<`` merges and ``--set``."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from mozaik.cli._main import cli
from mozaik.config import load_tree
from mozaik.plugin import PluginManager

CELL = "model: IF_cond_exp\nparams: {tau_m: 20.0}\n"

STUDY = """\
name: origins
sheets:
  exc:
    component: Sheet
    params: &sheet
      cell: !include cell.yaml
      placement:
        kind: uniform
        size_um: [100.0, 100.0]
        n_neurons: 8
      recorders: [{variables: [spikes], neurons: all}]
  inh:
    component: Sheet
    params:
      <<: *sheet
      placement:
        kind: grid
        size_um: [50.0, 50.0]
        n_neurons: 4
"""


def _study(tmp_path: Path) -> Path:
    (tmp_path / "cell.yaml").write_text(CELL)
    (tmp_path / "study.yaml").write_text(STUDY)
    return tmp_path / "study.yaml"


def test_every_value_names_its_file_and_line(plugin_manager: PluginManager, tmp_path: Path,
                                             monkeypatch) -> None:
    study = _study(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["config", "check", str(study), "--set",
                                      "sheets.exc.params.placement.n_neurons=16"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    expected = [
        "name: origins  # study.yaml:1",
        "        model: IF_cond_exp  # cell.yaml:1",
        "          tau_m: 20.0  # cell.yaml:2",
        "        size_um: [100.0, 100.0]  # study.yaml:9",
        "        n_neurons: 16  # command line (--set sheets.exc.params.placement.n_neurons=16)",
        "        - variables: [spikes]  # study.yaml:11",
        "        kind: grid  # study.yaml:17",  # inh's own placement, not the merged one
        "        n_neurons: 4  # study.yaml:19",
    ]
    for line in expected:
        assert line in lines, f"{line!r} not in\n{result.stdout}"
    # still YAML, and the same tree as --no-origins prints
    plain = CliRunner().invoke(cli, ["config", "check", str(study), "--no-origins", "--set",
                                     "sheets.exc.params.placement.n_neurons=16"])
    assert yaml.safe_load(result.stdout) == yaml.safe_load(plain.stdout)
    assert "#" not in plain.stdout


def test_a_merged_key_written_again_is_sourced_where_it_is_written(tmp_path: Path) -> None:
    tree = load_tree(_study(tmp_path))
    where = tree.sources
    assert where["sheets.inh.params.placement.kind"].endswith("study.yaml:17")
    assert where["sheets.inh.params.recorders"].endswith("study.yaml:11")  # merged, not rewritten
