"""The plot base classes: figures of one run (from a datastore view) and of a whole parameter
search (from its collated table)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic

from typing_extensions import TypeVar

if TYPE_CHECKING:
    import pyarrow as pa

    from mozaik.datastore import DataStoreView

__all__ = ["Plot", "SearchPlot"]

_P = TypeVar("_P", covariant=True, default=object)


class Plot(ABC, Generic[_P]):
    """Base class of plots: figures drawn from recordings and analysis results.

    A plot is registered through ``mozaik_plots()`` with its parameters as a frozen attrs
    class; the workflow builds it as ``factory(params)`` and calls :meth:`draw` after the
    analyses have stored their results.

    Parameters
    ----------
    params : attrs instance
        The structured parameters (the registered ``config_cls``). Subclasses name their
        parameters class as the type argument, ``class Raster(Plot[RasterParams])``.

    Attributes
    ----------
    params : attrs instance
        As given.
    version : str
        Version of this plot's code (class attribute, default ``"1"``). The workflow skips a
        step whose inputs, parameters and code version are unchanged since it last ran; the
        code version is the providing distribution's version plus this attribute, so bump it
        when a change of the computation should redo stored results without a new release.

    Examples
    --------
    ::

        class Raster(Plot[RasterParams]):
            def draw(self, view, path):
                spikes = view.spike_arrays(self.params.sheet)
                if not len(spikes.times):
                    return []
                figure = render(spikes)
                figure.savefig(path)
                return [path]
    """

    version: ClassVar[str] = "1"
    params: _P

    def __init__(self, params: _P) -> None:
        self.params = params

    @abstractmethod
    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        """Draw the figure(s) of ``view`` and return the files written.

        Parameters
        ----------
        view : DataStoreView
            What the plot may read.
        path : Path
            Where to write. The workflow passes the absolute path
            ``<run>/figures/<NN>_<Name>.png``; a plot may write another suffix or several
            files next to it (``path.with_suffix(".svg")``, ``path.with_name(...)``), and
            returns every file it wrote.

        Returns
        -------
        sequence of Path
            The files written (absolute, or relative to the current directory); empty if
            there was nothing to draw. The workflow records them relative to the run
            directory, so a later ``mozaik analyse`` from any directory finds them.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


class SearchPlot(ABC, Generic[_P]):
    """Base class of search plots: figures of a whole parameter search, drawn from its
    collated table (:func:`mozaik.search.collate_search`).

    A search plot is registered through ``mozaik_search_plots()`` with its parameters as a
    frozen attrs class and declared under ``plots:`` in a search file; ``mozaik search run``
    (after its points ran) and ``mozaik search plot MASTER`` build it as ``factory(params)``
    and call :meth:`draw` with the table of every finished point.

    Parameters
    ----------
    params : attrs instance
        The structured parameters (the registered ``config_cls``), the type argument:
        ``class RateOverWeight(SearchPlot[RateOverWeightParams])``.

    Examples
    --------
    ::

        class RateOverWeight(SearchPlot[RateOverWeightParams]):
            def draw(self, table, parameters, path):
                rows = [r for r in table.to_pylist()
                        if r["value_name"] == self.params.value_name]
                if not rows:
                    return []
                figure = line_plot([r[parameters[0]] for r in rows],
                                   [r["value"] for r in rows])
                figure.savefig(path)
                return [path]
    """

    version: ClassVar[str] = "1"
    params: _P

    def __init__(self, params: _P) -> None:
        self.params = params

    @abstractmethod
    def draw(self, table: pa.Table, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        """Draw the figure(s) of a search and return the files written.

        Parameters
        ----------
        table : pyarrow.Table
            The collated table: one row per finished point and SingleValue, with the columns
            ``point_id``, one typed column per varied parameter (named by its dotted path),
            ``sheet_name``, ``analysis_algorithm``, ``stimulus_id`` (the stimulus identity as
            JSON), ``value_name``, ``value`` (float) and ``value_units`` (a quantities
            string); see :data:`mozaik.search.COLLATED_COLUMNS`. May have no rows.
        parameters : sequence of str
            The varied dotted paths, in the search's order (the table's parameter columns).
        path : Path
            Where to write: ``MASTER/figures/<NN>_<Name>.png``; a plot may write another
            suffix or several files next to it, and returns every file it wrote.

        Returns
        -------
        sequence of Path
            The files written; empty (and no file written) if there is nothing to draw.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"
