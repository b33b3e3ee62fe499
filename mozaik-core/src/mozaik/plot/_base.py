"""The Plot base class: draws figures from a datastore view into files."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from mozaik.datastore import DataStoreView

__all__ = ["Plot"]


class Plot(ABC):
    """Base class of plots: figures drawn from recordings and analysis results.

    A plot is registered through ``mozaik_plots()`` with its parameters as a frozen attrs
    class; the workflow builds it as ``factory(params)`` and calls :meth:`draw` after the
    analyses have stored their results.

    Parameters
    ----------
    params : attrs instance
        The structured parameters (the registered ``config_cls``). Subclasses narrow the
        attribute's type, e.g. ``params: RasterParams``.

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

        class Raster(Plot):
            params: RasterParams

            def draw(self, view, path):
                spikes = view.spike_arrays(self.params.sheet)
                if not len(spikes.times):
                    return []
                figure = render(spikes)
                figure.savefig(path)
                return [path]
    """

    version: ClassVar[str] = "1"
    params: Any

    def __init__(self, params: Any) -> None:
        self.params = params

    @abstractmethod
    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        """Draw the figure(s) of ``view`` and return the files written.

        Parameters
        ----------
        view : DataStoreView
            What the plot may read.
        path : Path
            Where to write. The workflow passes ``<run>/figures/<NN>_<Name>.png``; a plot may
            write another suffix or several files next to it (``path.with_suffix(".svg")``,
            ``path.with_name(...)``), and returns every file it wrote.

        Returns
        -------
        sequence of Path
            The files written; empty if there was nothing to draw.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"
