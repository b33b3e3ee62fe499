"""Built-in model components: sheets, connectors and connector functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mozaik.plugin import ComponentSpec

if TYPE_CHECKING:
    from mozaik.model import ConnectorFactory, ConnectorFunctionFactory, SheetFactory


def sheets() -> list[ComponentSpec[Any, SheetFactory[Any]]]:
    from mozaik.builtin._sonata_import import SonataSheet, SonataSheetParams
    from mozaik.model import Sheet, SheetParams

    return [
        ComponentSpec(name="Sheet", config_cls=SheetParams, factory=Sheet,
                      summary="PyNN standard cells placed uniformly or on a grid in a rectangle"),
        ComponentSpec(name="SonataSheet", config_cls=SonataSheetParams, factory=SonataSheet,
                      summary="the nodes of a SONATA node population (BMTK, Mozaik export)"),
    ]


def connectors() -> list[ComponentSpec[Any, ConnectorFactory[Any]]]:
    from mozaik import model as m
    from mozaik.builtin._sonata_import import SonataConnector, SonataConnectorParams

    return [
        ComponentSpec(name="AllToAllConnector", config_cls=m.AllToAllParams,
                      factory=m.AllToAllConnector, summary="every source to every target"),
        ComponentSpec(name="OneToOneConnector", config_cls=m.OneToOneParams,
                      factory=m.OneToOneConnector, summary="neuron i to neuron i"),
        ComponentSpec(name="FixedProbabilityConnector", config_cls=m.FixedProbabilityParams,
                      factory=m.FixedProbabilityConnector,
                      summary="each pair connected with a fixed probability"),
        ComponentSpec(name="FixedNumberPreConnector", config_cls=m.FixedNumberParams,
                      factory=m.FixedNumberPreConnector,
                      summary="n random sources per target neuron"),
        ComponentSpec(name="FixedNumberPostConnector", config_cls=m.FixedNumberParams,
                      factory=m.FixedNumberPostConnector,
                      summary="n random targets per source neuron"),
        ComponentSpec(name="DistanceDependentProbabilityConnector",
                      config_cls=m.DistanceDependentParams,
                      factory=m.DistanceDependentProbabilityConnector,
                      summary="probability a safe expression of distance d (um)"),
        ComponentSpec(name="FromListConnector", config_cls=m.FromListParams,
                      factory=m.FromListConnector, summary="explicit list of connections"),
        ComponentSpec(name="SonataConnector", config_cls=SonataConnectorParams,
                      factory=SonataConnector,
                      summary="the edges of a SONATA edge population between two SonataSheets"),
        ComponentSpec(name="ModularSamplingConnector", config_cls=m.ModularSamplingParams,
                      factory=m.ModularSamplingConnector,
                      summary="num_samples sources per target, drawn from connector functions"),
        ComponentSpec(name="ModularBernoulliConnector", config_cls=m.ModularBernoulliParams,
                      factory=m.ModularBernoulliConnector,
                      summary="pairs connected with probability from connector functions"),
    ]


def connector_functions() -> list[ComponentSpec[Any, ConnectorFunctionFactory[Any]]]:
    from mozaik import model as m

    return [
        ComponentSpec(name="Constant", config_cls=m.ConstantParams, factory=m.Constant,
                      summary="the same value for every pair"),
        ComponentSpec(name="RandomValue", config_cls=m.RandomValueParams, factory=m.RandomValue,
                      summary="an independent random draw per pair"),
        ComponentSpec(name="GaussianDistance", config_cls=m.GaussianDistanceParams,
                      factory=m.GaussianDistance, summary="peak * exp(-d^2 / 2 sigma^2)"),
        ComponentSpec(name="ExponentialDistance", config_cls=m.ExponentialDistanceParams,
                      factory=m.ExponentialDistance, summary="peak * exp(-d / length)"),
        ComponentSpec(name="LinearDistance", config_cls=m.LinearDistanceParams,
                      factory=m.LinearDistance, summary="offset + slope * d"),
        ComponentSpec(name="HyperbolicDistance", config_cls=m.HyperbolicDistanceParams,
                      factory=m.HyperbolicDistance,
                      summary="peak * exp(-alpha (sqrt(theta^2 + d^2) - theta))"),
    ]
