"""The analysis base class this distribution codes against.

Replaced by ``mozaik.analysis.Analysis`` at merge: core's base class has exactly this interface
(``__init__(self, params)`` stores ``self.params``; abstract ``run(self, view)`` returns the
results, it does not write them), so only the import in the analysis modules changes.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from mozaik.ads import AnalysisDataStructure
from mozaik.datastore import DataStoreView

__all__ = ["Analysis"]


class Analysis(abc.ABC):
    """Base of every analysis: reads a datastore view, returns analysis data structures.

    Parameters
    ----------
    params : attrs instance
        The analysis's frozen parameter class, as the registry structures it.
    """

    def __init__(self, params: Any) -> None:
        self.params = params

    @abc.abstractmethod
    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        """Analyse ``view`` and return the results (the workflow stores them).

        Raises
        ------
        mozaik.AnalysisError
            If the view holds nothing the analysis can use; the message names the analysis and
            what it needs.
        """
