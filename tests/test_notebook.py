"""The example notebook docs/notebooks/your_run.ipynb runs top to bottom in a fresh kernel
(nbclient): a study loaded and run from Python, its store opened, selected by stimulus
parameters, spikes as numpy, pandas and neo, analysis results and a figure (issue 26)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.nest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "your_run.ipynb"


def test_the_example_notebook_runs(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = {cell["id"]: cell.get("outputs", []) for cell in notebook.cells
               if cell["cell_type"] == "code"}
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                     for cell in outputs.values() for o in cell)
    assert "<DataStore\n" in text and "<DataStoreView\n" in text
    assert "spikes;" in text and "neurons fired" in text
    html = "".join(o.get("data", {}).get("text/html", "") for cell in outputs.values()
                   for o in cell)
    assert "<strong>DataStore</strong>" in html  # the store's HTML repr in a notebook
    assert any("image/png" in o.get("data", {}) for o in outputs["cell-14"])  # the figure
    assert "Hz" in text and ".png" in text  # units of the results; the run's own figures


def test_the_python_page_shows_the_notebooks_code() -> None:
    """docs/python.md's blocks are the notebook's cells, so the page runs as the notebook does."""
    import re

    page = (NOTEBOOK.parents[1] / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)\n```", page, flags=re.S)
    cells = ["".join(c["source"]) for c in nbformat.read(NOTEBOOK, as_version=4).cells
             if c["cell_type"] == "code"]
    assert blocks == cells
