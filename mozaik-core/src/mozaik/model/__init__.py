"""Model assembly on PyNN: simulator setup, sheets, connectors and the modular connector.

``build_model(study)`` builds what a study file declares; :class:`Model` is the Python API for
the same. Importing this package imports neither PyNN's simulator backends nor NEST: the
backend loads when a :class:`Model` is created.
"""

from __future__ import annotations

from mozaik.model._connections import connections_ads
from mozaik.model._connector_params import (
    AllToAllParams,
    DistanceDependentParams,
    FixedNumberParams,
    FixedProbabilityParams,
    FromListParams,
    OneToOneParams,
    ProjectionParams,
    SynapseParams,
)
from mozaik.model._connectors import (
    AllToAllConnector,
    Connector,
    DistanceDependentProbabilityConnector,
    FixedNumberPostConnector,
    FixedNumberPreConnector,
    FixedProbabilityConnector,
    FromListConnector,
    OneToOneConnector,
    PyNNConnector,
    project_arrays,
)
from mozaik.model._functions import (
    ConnectorFunction,
    Constant,
    ConstantParams,
    ExponentialDistance,
    ExponentialDistanceParams,
    GaussianDistance,
    GaussianDistanceParams,
    HyperbolicDistance,
    HyperbolicDistanceParams,
    LinearDistance,
    LinearDistanceParams,
    PairBlock,
    RandomValue,
    RandomValueParams,
)
from mozaik.model._model import Model, build_model
from mozaik.model._modular import (
    FunctionEntry,
    ModularBernoulliConnector,
    ModularBernoulliParams,
    ModularConnector,
    ModularParams,
    ModularSamplingConnector,
    ModularSamplingParams,
)
from mozaik.model._params import (
    RECORDABLE,
    CellParams,
    NeuronSelection,
    NoiseParams,
    PlacementParams,
    RecorderParams,
    SheetParams,
    standard_cell_types,
)
from mozaik.model._sensory import InputSpace, SensoryInput
from mozaik.model._sheet import Sheet
from mozaik.model._simulator import (
    BACKENDS,
    derive_seed,
    import_backend,
    make_rng,
    setup_simulator,
)

__all__ = [
    "AllToAllConnector",
    "AllToAllParams",
    "BACKENDS",
    "CellParams",
    "Connector",
    "ConnectorFunction",
    "Constant",
    "ConstantParams",
    "DistanceDependentParams",
    "DistanceDependentProbabilityConnector",
    "ExponentialDistance",
    "ExponentialDistanceParams",
    "FixedNumberParams",
    "FixedNumberPostConnector",
    "FixedNumberPreConnector",
    "FixedProbabilityConnector",
    "FixedProbabilityParams",
    "FromListConnector",
    "FromListParams",
    "FunctionEntry",
    "GaussianDistance",
    "GaussianDistanceParams",
    "HyperbolicDistance",
    "HyperbolicDistanceParams",
    "InputSpace",
    "LinearDistance",
    "LinearDistanceParams",
    "Model",
    "ModularBernoulliConnector",
    "ModularBernoulliParams",
    "ModularConnector",
    "ModularParams",
    "ModularSamplingConnector",
    "ModularSamplingParams",
    "NeuronSelection",
    "NoiseParams",
    "OneToOneConnector",
    "OneToOneParams",
    "PairBlock",
    "PlacementParams",
    "ProjectionParams",
    "PyNNConnector",
    "RECORDABLE",
    "RandomValue",
    "RandomValueParams",
    "RecorderParams",
    "SensoryInput",
    "Sheet",
    "SheetParams",
    "SynapseParams",
    "build_model",
    "connections_ads",
    "derive_seed",
    "import_backend",
    "make_rng",
    "project_arrays",
    "setup_simulator",
    "standard_cell_types",
]
