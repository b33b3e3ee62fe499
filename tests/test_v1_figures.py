"""The V1 example's figure study (``examples/v1_pushpull/figures.yaml``) at a few seconds on NEST.

The seed's Figures 4 and 5 at CI size: the model of the kill-and-resume test (64 + 16 V1 cells,
10 x 10 LGN cells per sheet), every experiment shortened to 70 ms presentations. The run must
complete, the fits be computed (SizeTuning's preferred size and suppression index,
ContrastResponse's Naka-Rushton c50, one value per excitatory cell), and the size and contrast
curves be drawn with error bars over the trials (per-trial FiringRate results beside the
trial averages that the fits read).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mozaik.datastore import DataStore
from v1_sizes import V1_TINY_MODEL

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "examples" / "v1_pushpull" / "figures.yaml"
MOZAIK = str(Path(sys.executable).with_name("mozaik"))

#: The tiny V1 model (v1_sizes.V1_TINY_MODEL), 70 ms presentations,
#: 3 trials, 3 sizes and 3 contrasts; the plots' neurons are indices of the tiny sheet.
TINY = (
    *V1_TINY_MODEL,
    "experiments.0.params.num_trials=2",
    "experiments.0.params.duration_ms=70.0",
    "experiments.1.params.num_trials=2",
    "experiments.1.params.duration_ms=70.0",
    "experiments.2.params.num_trials=3",
    "experiments.2.params.duration_ms=70.0",
    "experiments.2.params.radii_deg=[0.1,0.3,1.0]",
    "experiments.3.params.num_trials=3",
    "experiments.3.params.duration_ms=70.0",
    "experiments.3.params.contrasts_pct=[10.0,40.0,100.0]",
    "plots.0.params.neuron=null",
    "plots.1.params.neurons=[0,1,2,3]",
    "plots.2.params.neurons=[0,1,2,3]",
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("v1fig") / "run"
    sets = [item for o in TINY for item in ("--set", o)]
    result = subprocess.run([MOZAIK, "run", str(STUDY), *sets, "--out", str(out),
                             "--progress", "log"], capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.mark.parametrize(("analysis", "value_name"), [
    ("SizeTuning", "Preferred size"), ("SizeTuning", "Suppression index"),
    ("ContrastResponse", "c50")])
def test_fits_are_computed_per_cell(run_dir: Path, analysis: str, value_name: str) -> None:
    with DataStore.open(run_dir) as store:
        view = store.full_view()
        found = view.get_analysis_result(analysis_algorithm=analysis, value_name=value_name,
                                         sheet_name="V1_Exc_L4")
        n = len(view.neuron_ids("V1_Exc_L4"))
    assert len(found) == 1, found
    values = np.asarray(found[0].values, dtype=float)
    assert len(values) == n
    assert np.isfinite(values).any(), values


def test_size_and_contrast_curves_have_error_bars(run_dir: Path) -> None:
    sidecars = {json.loads(p.read_text())["params"].get("parameter", "overview"):
                json.loads(p.read_text()) for p in (run_dir / "figures").glob("*.json")}
    assert sorted(sidecars) == ["contrast_pct", "overview", "radius_deg"]
    for parameter in ("contrast_pct", "radius_deg"):
        caption = sidecars[parameter]["caption"]
        assert "mean and standard deviation over 3 trials" in caption, caption
    # Figure 4: one column per orientation (preferred, orthogonal), two trials each
    assert sidecars["overview"]["plot"] == "OverviewPlot"
    assert "2 trial" in sidecars["overview"]["caption"], sidecars["overview"]["caption"]


def test_fitted_numbers_script_prints_the_tables(run_dir: Path) -> None:
    """``examples/v1_pushpull/fitted_numbers.py`` (the README's numbers) reads them back."""
    script = ROOT / "examples" / "v1_pushpull" / "fitted_numbers.py"
    result = subprocess.run([sys.executable, str(script), str(run_dir), "0", "1"],
                            capture_output=True, text=True, timeout=120, check=True)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| neuron | peak size (radius, deg) | suppression index |")
    assert [line.split(" | ")[0] for line in lines[2:4]] == ["| 0", "| 1"]
    assert "Responsive excitatory cells" in result.stdout
