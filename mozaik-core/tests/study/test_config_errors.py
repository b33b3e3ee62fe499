"""Configuration errors a new user meets (issue 26): each problem reported once, at the line of
the key to fix, with a did-you-mean; command-line values blamed on the command line; reference
paths shown whole; no follow-on problem reported as a second one; meaningless densities warned
about."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik import ConfigError
from mozaik.cli._main import cli
from mozaik.study import check_densities, load_study

STUDY = """\
name: errors
simulator: {backend: mock, threads: 1}
sheets:
  exc:
    component: Sheet
    params: &sheet
      cell:
        model: IF_cond_exp
        params:
          cm: 0.2
          tau_m: 20.0
      placement: {n_neurons: 20}
  inh:
    component: Sheet
    params:
      <<: *sheet
      placement:
        n_neurons: ref('sheets.exc.params.placement.n_neurons') / 4
connectors:
  exc_inh:
    component: FixedProbabilityConnector
    source: exc
    target: inh
    params: {probability: 2.0 / ref('sheets.exc.params.placement.n_neurons'), weight_uS: 0.004,
             delay_ms: 1.0}
experiments:
  - component: PoissonNetworkKick
    params: {duration_ms: 50.0, drive_period_ms: 20.0, sheets: [exc], rate_hz: 10.0,
             weight_uS: 0.01, fraction: 0.2}
"""


def write(tmp_path: Path, old: str = "", new: str = "") -> Path:
    file = tmp_path / "study.yaml"
    text = STUDY.replace(old, new) if old else STUDY
    assert text != STUDY or not old
    file.write_text(text)
    return file


def problems_of(file: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_study(file, overrides)
    return info.value.problems


def line_of(file: Path, text: str) -> int:
    return next(i for i, line in enumerate(file.read_text().splitlines(), 1) if text in line)


def test_the_study_is_valid(tmp_path: Path) -> None:
    load_study(write(tmp_path))


def test_two_bad_values_on_one_line_are_two_problems(tmp_path: Path) -> None:
    # one line, one message, two keys: not a value copied by a merge
    file = write(tmp_path, "weight_uS: 0.004,\n             delay_ms: 1.0}",
                 "weight_uS: abc, delay_ms: abc}")
    problems = problems_of(file)
    assert len(problems) == 2, problems
    assert not any("also reaches" in p for p in problems), problems
    assert {p.split(": ")[1] for p in problems} == {"connectors.exc_inh.params.weight_uS",
                                                     "connectors.exc_inh.params.delay_ms"}


def test_a_merged_misspelling_is_one_problem_at_its_key(tmp_path: Path) -> None:
    file = write(tmp_path, "tau_m: 20.0", "tau_mm: 20.0")
    problems = problems_of(file)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.startswith(f"{file}:{line_of(file, 'tau_mm')}: "), problem
    assert "sheets.exc.params.cell.params.tau_mm" in problem
    assert "sheets.inh.params.cell.params.tau_mm" in problem  # where the merge copied it
    assert "Did you mean 'tau_m'?" in problem


def test_an_unknown_parameter_key_points_at_its_line(tmp_path: Path) -> None:
    file = write(tmp_path, "      placement: {n_neurons: 20}",
                 "      placement:\n        n_neurons: 20\n        size_mu: [10.0, 10.0]")
    problems = problems_of(file)
    # the merge copies the key into inh.params.placement too: still one problem
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{file}:{line_of(file, 'size_mu')}: "), problems
    assert "sheets.exc.params.placement.size_mu" in problems[0]
    assert "did you mean 'size_um'?" in problems[0]


def test_a_key_written_after_a_merge_keeps_its_own_line(tmp_path: Path) -> None:
    file = write(tmp_path, "n_neurons: ref('sheets.exc.params.placement.n_neurons') / 4",
                 "n_neurons: -5")
    problems = problems_of(file)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{file}:{line_of(file, 'n_neurons: -5')}: "), problems


def test_did_you_mean_for_entry_keys_sections_and_sheet_names(tmp_path: Path) -> None:
    file = write(tmp_path, "    source: exc\n", "    source: exx\n    sorce: exc\n")
    file.write_text(file.read_text().replace("experiments:", "experiment:"))
    problems = problems_of(file)
    text = "\n".join(problems)
    assert "source sheet 'exx' does not exist (did you mean 'exc'?)" in text
    assert f"{file}:{line_of(file, 'sorce')}: connectors.exc_inh.sorce: unknown key 'sorce' " \
           "(did you mean 'source'?)" in text
    assert "experiment: unknown section (did you mean 'experiments'?)" in text
    assert len(problems) == 3, problems


def test_an_experiment_sheet_name_gets_did_you_mean(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "sheets: [exc]", "sheets: [ecx]"))
    assert len(problems) == 1, problems
    assert "sheet 'ecx' does not exist (did you mean 'exc'?)" in problems[0]


def test_no_sheets_is_one_problem_not_a_follow_on_per_sheet_name(tmp_path: Path) -> None:
    text = STUDY.replace("ref('sheets.exc.params.placement.n_neurons')", "20").replace(
        "sheets:\n  exc:", "sheats:\n  exc:")
    file = tmp_path / "study.yaml"
    file.write_text(text)
    problems = problems_of(file)
    joined = "\n".join(problems)
    assert "none" not in joined and "does not exist" not in joined, problems
    assert "sheats: unknown section (did you mean 'sheets'?)" in joined


def test_a_bad_set_value_is_blamed_on_the_command_line_once(tmp_path: Path) -> None:
    item = "sheets.exc.params.placement.n_neurons=abc"
    problems = problems_of(write(tmp_path), (item,))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"command line (--set {item}): "), problems
    assert "sheets.inh.params.placement.n_neurons" in problems[0]
    assert "connectors.exc_inh.params.probability" in problems[0]


def test_a_missing_reference_is_one_problem_with_its_path_whole(tmp_path: Path) -> None:
    long = "sheets.exc.params.placement.a_rather_long_name_for_the_number_of_neurons"
    file = write(tmp_path)
    file.write_text(file.read_text().replace("ref('sheets.exc.params.placement.n_neurons')",
                                             f"ref('{long}')"))
    problems = problems_of(file)
    assert len(problems) == 1, problems
    assert f"ref('{long}')" in problems[0] and "..." not in problems[0], problems
    assert "also used by connectors.exc_inh.params.probability" in problems[0]


def test_config_check_help_example_is_valid(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["config", "check", "--help"], terminal_width=200).output
    example = shown.split("e.g.", 1)[1].split()[0].rstrip(".")
    result = runner.invoke(cli, ["config", "check", "-q", str(write(tmp_path)),
                                 "--set", example])
    assert result.exit_code == 0, result.output


def test_a_density_the_sheet_size_makes_meaningless_is_warned_about(tmp_path: Path) -> None:
    file = write(tmp_path, "      placement: {n_neurons: 20}",
                 "      placement: {density_per_mm2: 0.0001, size_um: [1000.0, 1000.0]}")
    file.write_text(file.read_text().replace(
        "n_neurons: ref('sheets.exc.params.placement.n_neurons') / 4",
        "density_per_mm2: 400.0").replace(
        "2.0 / ref('sheets.exc.params.placement.n_neurons')", "0.1"))
    warnings = check_densities(load_study(file))
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("sheets.exc.params.placement.density_per_mm2: 0.0001 ")
    assert "the sheet gets 1 " in warnings[0]
    result = CliRunner().invoke(cli, ["config", "check", "-q", str(file)])
    assert result.exit_code == 0 and "density_per_mm2" in result.output, result.output
