"""The base class every exporter derives from."""

from __future__ import annotations

import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from mozaik._errors import ExportError
from mozaik.datastore import DataStoreView

__all__ = ["Exporter"]

_P = TypeVar("_P")

#: What an exporter may need from a run (:attr:`Exporter.needs`).
_NEEDS = ("spikes", "signals")


class Exporter(ABC, Generic[_P]):
    """Base class of exporters: writers of a run (or a view of one) to an interchange format.

    An exporter is registered through ``mozaik_exporters()`` under the format's name (``nix``,
    ``nwb``); ``mozaik export RUN --format NAME`` builds it as ``factory(params)`` and calls
    :meth:`export`. Subclasses implement :meth:`write`; :meth:`export` refuses an existing
    output (unless ``overwrite``), checks that the view holds what :attr:`needs` names and
    writes to a temporary name first, so an interrupted export leaves no half-written file
    under the final name.

    Parameters
    ----------
    params : attrs instance
        The structured parameters (the registered ``config_cls``).

    Attributes
    ----------
    suffix : str
        File name suffix of the format (``".nix"``); ``mozaik export`` names the output
        ``RUN_DIR/exports/<run name><suffix>`` when ``--out`` is not given.
    needs : tuple of str
        What the view must hold, any of ``"spikes"`` and ``"signals"`` (analog recordings).
    extra : str
        How to install the format's optional dependencies (``"pip install
        'mozaik-core[nwb]'"``), named in the error when they are missing; empty if none.
    query : dict of str to list
        The query that selected the exported view, as :func:`~mozaik.datastore.param_filter_query`
        keyword arguments (``{"sheet_name": ["V1_Exc_L4"]}``; empty: the whole run), set by
        :meth:`export` before :meth:`write`; formats with room for metadata record it
        (``mozaik export``'s ``--sheet``, ``--stimulus`` and ``--filter`` options).

    Examples
    --------
    ::

        @attrs.frozen(kw_only=True)
        class CsvParams:
            null: bool = False

        class CsvExporter(Exporter[CsvParams]):
            suffix = ".csv"
            needs = ("spikes",)

            def write(self, view, path):
                with path.open("w") as f:
                    for sheet in view.sheets():
                        spikes = view.spike_arrays(sheet, null=self.params.null)
                        ...
    """

    suffix: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ()
    extra: ClassVar[str] = ""
    params: _P
    query: dict[str, list[Any]]

    def __init__(self, params: _P) -> None:
        self.params = params
        self.query = {}

    def check(self, view: DataStoreView) -> None:
        """Raise :class:`~mozaik.ExportError` if ``view`` lacks what :attr:`needs` names.

        Subclasses may extend it (e.g. to check that the optional dependencies import).
        """
        name = type(self).__name__
        unknown = [need for need in self.needs if need not in _NEEDS]
        if unknown:
            msg = (f"{name}.needs names {unknown}; an exporter may need any of {list(_NEEDS)}")
            raise ExportError(msg)
        segments = view.segment_index
        if segments.num_rows == 0:
            msg = (f"{name}: the view of {view.store.root} holds no recorded presentation; "
                   "run the study first (mozaik run) or widen the query")
            raise ExportError(msg)
        variables = {v for vs in segments.column("variables").to_pylist() for v in vs or ()}
        if "spikes" in self.needs and "spikes" not in variables:
            msg = (f"{name}: the run {view.store.root} recorded no spikes (recorded: "
                   f"{', '.join(sorted(variables)) or 'nothing'}); record 'spikes' in the "
                   "study's recording configuration and run it again")
            raise ExportError(msg)
        if "signals" in self.needs and not variables - {"spikes"}:
            msg = (f"{name}: the run {view.store.root} recorded no analog signal (recorded: "
                   f"{', '.join(sorted(variables)) or 'nothing'}); record e.g. 'v' in the "
                   "study's recording configuration and run it again")
            raise ExportError(msg)

    @abstractmethod
    def write(self, view: DataStoreView, path: Path) -> None:
        """Write the view to ``path`` (a new file or directory that does not exist yet).

        Parameters
        ----------
        view : DataStoreView
            What to export: a whole store or a query's view of one.
        path : pathlib.Path
            Where to write; its parent directory exists.
        """

    def export(self, view: DataStoreView, path: str | os.PathLike[str], *,
               overwrite: bool = False,
               query: Mapping[str, Any] | None = None) -> Path:
        """Check the view, then write it to ``path`` through a temporary name.

        Parameters
        ----------
        view : DataStoreView
            A store or a view of one.
        path : path
            The file (or directory, for formats made of several files) to create.
        overwrite : bool
            Replace an existing ``path``; without it an existing path is an error.
        query : mapping, optional
            The :func:`~mozaik.datastore.param_filter_query` keyword arguments that selected
            ``view`` (a value may be one value or a list of any-of values); kept as
            :attr:`query` for :meth:`write` to record. None: the whole run.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        out = Path(path)
        if out.exists() and not overwrite:
            msg = (f"the export path {out} already exists; choose another path with --out or "
                   "pass --overwrite (overwrite=True) to replace it")
            raise ExportError(msg)
        self.check(view)
        self.query = {str(k): list(v) if isinstance(v, (list, tuple, set, frozenset)) else [v]
                      for k, v in (query or {}).items()}
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.stem}.partial{out.suffix}")  # keeps the suffix
        _remove(partial)
        try:
            self.write(view, partial)
        except BaseException:
            _remove(partial)
            raise
        _remove(out)
        partial.rename(out)
        return out


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
