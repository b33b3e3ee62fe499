"""The Analysis base class: reads a datastore view, returns analysis data structures."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Generic

from typing_extensions import TypeVar

if TYPE_CHECKING:
    from mozaik.ads import AnalysisDataStructure
    from mozaik.datastore import DataStoreView

__all__ = ["Analysis"]

_P = TypeVar("_P", covariant=True, default=object)


class Analysis(ABC, Generic[_P]):
    """Base class of analyses: computations on stored recordings (or on earlier results).

    An analysis is registered through ``mozaik_analyses()`` with its parameters as a frozen
    attrs class; the workflow builds it as ``factory(params)``, calls :meth:`run` on a view of
    the store, and stores every returned result with ``store.add_analysis_result(ads,
    replace=True)``, so re-running an analysis replaces its earlier results instead of
    duplicating them, and the next analysis of the workflow sees them.

    Parameters
    ----------
    params : attrs instance
        The structured parameters (the registered ``config_cls``). Subclasses name their
        parameters class as the type argument, ``class FiringRate(Analysis[FiringRateParams])``,
        so ``self.params.field`` is type-checked.

    Attributes
    ----------
    params : attrs instance
        As given.
    version : str
        Version of this analysis's code (class attribute, default ``"1"``). The workflow skips a
        step whose inputs, parameters and code version are unchanged since it last ran; the
        code version is the providing distribution's version plus this attribute, so bump it
        when a change of the computation should redo stored results without a new release.

    Notes
    -----
    Read spikes with :meth:`~mozaik.datastore.DataStoreView.iter_spike_arrays` (one
    presentation of a sheet at a time) and reduce as they come, so the analysis's memory is
    bounded by the largest presentation, not by the run; ``spike_arrays`` holds every spike of
    the view at once.

    Examples
    --------
    ::

        @attrs.frozen(kw_only=True)
        class SpikeCountParams:
            sheet: str

        class SpikeCount(Analysis[SpikeCountParams]):
            def run(self, view):
                view = param_filter_query(view, sheet_name=self.params.sheet)
                if not view.get_segments(sheet=self.params.sheet):
                    msg = f"SpikeCount: no segments of sheet {self.params.sheet!r} in the view"
                    raise AnalysisError(msg)
                ...
                return [PerNeuronValue(analysis_algorithm="SpikeCount", ...)]
    """

    version: ClassVar[str] = "1"
    params: _P

    def __init__(self, params: _P) -> None:
        self.params = params

    @abstractmethod
    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        """Compute the analysis on ``view`` and return its results (it does not store them).

        Parameters
        ----------
        view : DataStoreView
            What the analysis may read: recordings, neurons, stimuli and earlier results.

        Returns
        -------
        sequence of AnalysisDataStructure
            The results, each with ``analysis_algorithm`` naming this analysis. Results equal
            to stored ones (same identifier, parameters and tags) replace them.

        Raises
        ------
        mozaik.AnalysisError
            If the view holds nothing the analysis can use; the message names the analysis and
            what it needs (e.g. "no spikes of sheet 'exc'").
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"
