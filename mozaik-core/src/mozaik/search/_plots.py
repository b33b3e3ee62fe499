"""The figures of a whole search: the search file's ``plots:``, drawn from the collated table.

Each entry names a search plot (:class:`mozaik.plot.SearchPlot`, registered through
``mozaik_search_plots``); :func:`plot_search` collates the finished points and draws entry
``k`` into ``MASTER/figures/<k:02d>_<Name>.png`` (and the files it writes beside it).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from mozaik._errors import AnalysisError, MozaikError
from mozaik.plot import SEARCH_PLOTS, SearchPlot
from mozaik.plugin import Registry, get_registry
from mozaik.search._collate import collate_search
from mozaik.search._master import DEFINITION_FILE, load_master
from mozaik.search._spec import definition_tree, search_plot_entries

__all__ = ["SEARCH_FIGURES_DIR", "plot_search"]

#: Folder of a master directory that the search's plots are drawn into.
SEARCH_FIGURES_DIR = "figures"


def plot_search(master_dir: str | Path, registry: Registry | None = None) -> list[Path]:
    """Collate the finished points of the search in ``master_dir`` (writing
    ``collated.parquet``) and draw the search's ``plots:`` (looked up in ``registry``, default:
    the installed plugins') from that table.

    Returns
    -------
    list of Path
        The files written (none when the search declares no plots, or nothing was drawable).

    Raises
    ------
    ConfigError
        A ``plots:`` entry that is not an installed search plot, or with bad parameters,
        named with the file and line of the master directory's ``search.yaml``.
    AnalysisError
        A plot that failed, naming its entry and component.
    """
    master = Path(master_dir)
    search = load_master(master)
    if not search.plots:
        return []
    definition = master / DEFINITION_FILE
    data = yaml.safe_load(definition.read_text(encoding="utf-8"))
    entries = search_plot_entries(list(search.plots), str(definition),
                                  definition_tree(definition, data), registry or get_registry())
    table = collate_search(master)
    figures = master / SEARCH_FIGURES_DIR
    figures.mkdir(exist_ok=True)
    written: list[Path] = []
    for k, entry in enumerate(entries):
        try:
            plot = entry.of(SEARCH_PLOTS).factory(entry.params)
            if not isinstance(plot, SearchPlot):
                msg = (f"the factory of {entry.name!r} ({entry.registered.distribution}) "
                       f"returned {type(plot).__name__}, not a mozaik.plot.SearchPlot")
                raise AnalysisError(msg)
            files = plot.draw(table, search.parameters, figures / f"{k:02d}_{entry.name}.png")
        except Exception as exc:
            what = (str(exc) if isinstance(exc, MozaikError)
                    else f"{type(exc).__name__}: {exc}")
            msg = (f"{definition}: {entry.path} ({entry.name}, from "
                   f"{entry.registered.distribution}) failed: {what}. The points are safe; fix "
                   f"the entry and run `mozaik search plot {master}`")
            raise AnalysisError(msg) from exc
        written += [Path(f) for f in files or ()]
    return written
