"""The analysis data structure (ADS) contract shared by analysis and plot plugins.

Every analysis result is an :class:`AnalysisDataStructure`: scalar *parameters* (indexed in the
datastore so :func:`mozaik.datastore.param_filter_query` can select by them) plus *data* (arrays,
neo signals) loaded only on access. Units are always explicit.
"""

from __future__ import annotations

from mozaik.ads._base import AnalysisDataStructure, data, parameter, units_parameter
from mozaik.ads._lookup import ads_class, ads_classes, ads_provider
from mozaik.ads._types import (
    AnalogSignal,
    AnalogSignalList,
    ConductanceSignalList,
    Connections,
    PerNeuronPairValue,
    PerNeuronValue,
    SingleValue,
)
from mozaik.ads._units import parse_units, units_string

__all__ = [
    "AnalogSignal",
    "AnalogSignalList",
    "AnalysisDataStructure",
    "ConductanceSignalList",
    "Connections",
    "PerNeuronPairValue",
    "PerNeuronValue",
    "SingleValue",
    "ads_class",
    "ads_classes",
    "ads_provider",
    "data",
    "parameter",
    "parse_units",
    "units_parameter",
    "units_string",
]
