"""V1 connector functions for the modular connector: push-pull and orientation-map similarity.

Both are vectorised over a :class:`mozaik.model.PairBlock` (a block of targets against all
sources, or a flat list of pairs) and use only broadcasting NumPy operations.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import ParameterError, positive
from mozaik.model import ConnectorFunction, PairBlock, Sheet

from mozaik_visual.cortex._gabor import GABOR_ANNOTATIONS
from mozaik_visual.cortex._maps import OrientationMapParams, load_orientation_map

__all__ = [
    "MapDependent",
    "MapDependentParams",
    "V1PushPull",
    "V1PushPullParams",
    "circular_distance",
]


def _synapses(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in ("excitatory", "inhibitory"):
        msg = f"{attribute.name} must be 'excitatory' or 'inhibitory', got {value!r}"
        raise ParameterError(attribute.name, msg)


def circular_distance(a: Any, b: Any, period: float) -> np.ndarray:
    """Shortest distance between angles ``a`` and ``b`` on a circle of ``period`` (broadcast)."""
    d = np.mod(np.asarray(a) - np.asarray(b), period)
    return np.asarray(np.minimum(d, period - d))


def _annotation(sheet: Sheet, name: str, function: str) -> np.ndarray:
    try:
        return sheet.annotations[name]
    except KeyError:
        msg = (f"connector function {function}: sheet {sheet.name!r} has no annotation "
               f"{name!r}; give it a receptive field with a GaborAfferentConnector targeting "
               "it (a study builds that connector first, whatever the declaration order)")
        raise ConfigError(msg) from None


@attrs.frozen(kw_only=True)
class V1PushPullParams:
    """``V1PushPull``: similarity of assigned Gabor orientation and phase.

    ``exp(-d_or**2 / (2 orientation_sigma_rad**2)) * exp(-d_ph**2 / (2 phase_sigma_rad**2))``
    where ``d_or`` is the orientation difference (period pi) and ``d_ph`` the phase
    difference (period 2 pi) of source and target; with ``target_synapses: inhibitory`` the
    phase difference is measured from the opposite phase (pull).

    Parameters
    ----------
    orientation_sigma_rad : float, rad
        Orientation tuning of the connections (the seed: 0.26).
    phase_sigma_rad : float, rad
        Phase tuning of the connections (the seed: 0.52).
    target_synapses : str
        ``excitatory`` (same phase: push) or ``inhibitory`` (opposite phase: pull).
    """

    orientation_sigma_rad: float = attrs.field(default=0.26, validator=positive)
    phase_sigma_rad: float = attrs.field(default=0.52, validator=positive)
    target_synapses: str = attrs.field(default="excitatory", validator=_synapses)


class V1PushPull(ConnectorFunction[V1PushPullParams]):
    """Push-pull connectivity from the Gabor receptive fields stored as annotations."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        p = self.params
        orientation, phase = (GABOR_ANNOTATIONS["orientation_rad"],
                              GABOR_ANNOTATIONS["phase_rad"])
        s_or = _annotation(pairs.source, orientation, "V1PushPull")[pairs.source_indices]
        t_or = _annotation(pairs.target, orientation, "V1PushPull")[pairs.target_indices]
        s_ph = _annotation(pairs.source, phase, "V1PushPull")[pairs.source_indices]
        t_ph = _annotation(pairs.target, phase, "V1PushPull")[pairs.target_indices]
        if p.target_synapses == "inhibitory":
            t_ph = t_ph + np.pi
        d_or = circular_distance(s_or, t_or, np.pi)
        d_ph = circular_distance(s_ph, t_ph, 2 * np.pi)
        exponent = d_or * d_or / (-2.0 * p.orientation_sigma_rad ** 2)
        exponent -= d_ph * d_ph / (2.0 * p.phase_sigma_rad ** 2)
        return np.asarray(np.exp(exponent))


@attrs.frozen(kw_only=True)
class MapDependentParams:
    """``MapDependent``: similarity of the orientation map at source and target positions,
    ``exp(-d**2 / (2 sigma_rad**2))`` with ``d`` the orientation difference (period pi).

    Parameters
    ----------
    orientation_map : OrientationMapParams
        The map, loaded from a ``.npy`` file or generated.
    sigma_rad : float, rad
        Orientation tuning of the connections.
    """

    orientation_map: OrientationMapParams
    sigma_rad: float = attrs.field(default=0.26, validator=positive)


class MapDependent(ConnectorFunction[MapDependentParams]):
    """Connections between cortical positions of similar map orientation."""

    def __init__(self, params: MapDependentParams) -> None:
        super().__init__(params)
        self._values: dict[int, np.ndarray] = {}

    def map_orientation(self, sheet: Sheet) -> np.ndarray:
        """The map's orientation (rad) at each neuron of ``sheet`` (computed once per sheet)."""
        key = id(sheet)
        if key not in self._values:
            orientation_map = load_orientation_map(self.params.orientation_map,
                                                   "MapDependent.orientation_map")
            self._values[key] = orientation_map.orientation_at(sheet.positions_um)
        return self._values[key]

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        source = self.map_orientation(pairs.source)[pairs.source_indices]
        target = self.map_orientation(pairs.target)[pairs.target_indices]
        d = circular_distance(source, target, np.pi)
        return np.asarray(np.exp(d * d / (-2.0 * self.params.sigma_rad ** 2)))
