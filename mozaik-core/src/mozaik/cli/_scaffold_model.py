"""Templates of ``mozaik plugin new`` for model kinds: sheet, connector, connector function,
input space (tokens as in :mod:`mozaik.cli._scaffold_workflow`)."""

from __future__ import annotations

from mozaik.cli._scaffold_kinds import CELL, KindTemplate, Registration

__all__ = ["MODEL_KINDS"]


def _sheet(name: str, component: str, params: str) -> str:
    return f"""\
  {name}:
    component: {component}
    params:
      cell: {{model: IF_cond_exp, params: {CELL}}}
      {params}
      recorders: [{{variables: [spikes], neurons: all}}]
"""


_GRID = "placement: {kind: grid, size_um: [200.0, 200.0], n_neurons: 25}"
_KICK = """\
experiments:
  - {component: PoissonNetworkKick, params: {duration_ms: 100.0, drive_period_ms: 50.0,
      sheets: [source], rate_hz: 300.0, weight_uS: 0.02}}
"""

_SHEET = '''\
"""__P__RingSheet: neurons evenly spaced on a ring, annotated with their angle."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
from mozaik.config import positive
from mozaik.model import CellParams, PlacementParams, RecorderParams, Sheet, SheetParams

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["__P__RingSheet", "__P__RingSheetParams"]


@attrs.frozen(kw_only=True)
class __P__RingSheetParams:
    """Parameters of :class:`__P__RingSheet`.

    Parameters
    ----------
    cell : CellParams
        The neuron model and its parameters (PyNN units).
    n_neurons : int
        Number of neurons on the ring.
    radius_um : float, um
        Radius of the ring.
    recorders : list of RecorderParams
        What is recorded, as for core's ``Sheet``.
    """

    cell: CellParams = attrs.field(factory=CellParams)
    n_neurons: int = 36
    radius_um: float = attrs.field(default=500.0, validator=positive)
    recorders: tuple[RecorderParams, ...] = ()


class __P__RingSheet(Sheet[SheetParams]):
    """``n_neurons`` neurons on a ring of ``radius_um``; annotation ``angle_rad`` per neuron."""

    def __init__(self, name: str, params: __P__RingSheetParams, model: Model) -> None:
        self.ring = params
        side = 2.0 * params.radius_um
        placement = PlacementParams(kind="uniform", size_um=(side, side),
                                    n_neurons=params.n_neurons)
        super().__init__(name, SheetParams(cell=params.cell, placement=placement,
                                           recorders=params.recorders), model)
        self.annotate("angle_rad", self.angles_rad())

    def angles_rad(self) -> np.ndarray:
        return np.arange(self.ring.n_neurons) * 2.0 * np.pi / self.ring.n_neurons

    def place(self) -> np.ndarray:
        angles = self.angles_rad()
        return np.column_stack([np.cos(angles), np.sin(angles)]) * self.ring.radius_um
'''

_CONNECTOR = '''\
"""__P__NearestConnector: every target neuron receives from its nearest source neurons."""

from __future__ import annotations

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.model import Connector, ProjectionParams, project_arrays

__all__ = ["__P__NearestConnector", "__P__NearestConnectorParams"]


@attrs.frozen(kw_only=True)
class __P__NearestConnectorParams(ProjectionParams):
    """Parameters of :class:`__P__NearestConnector` (besides core's projection parameters:
    ``weight_uS`` in uS, a number here; ``delay_ms`` in ms; ``receptor``; ``synapse``).

    Parameters
    ----------
    n_nearest : int
        Sources per target: the ``n_nearest`` closest in cortical space.
    """

    n_nearest: int = 4


class __P__NearestConnector(Connector[__P__NearestConnectorParams]):
    """Connects each target to its ``n_nearest`` nearest sources (distances in um)."""

    def build(self) -> object:
        p = self.params
        if not isinstance(p.weight_uS, int | float) or not isinstance(p.delay_ms, int | float):
            msg = f"{self.path}: weight_uS and delay_ms must be numbers for this connector"
            raise ConfigError(msg)
        k = min(p.n_nearest, self.source.size)
        source, target = self.source.positions_um, self.target.positions_um
        distance = np.linalg.norm(target[:, None, :] - source[None, :, :], axis=2)
        pre = np.argsort(distance, axis=1, kind="stable")[:, :k].ravel()
        post = np.repeat(np.arange(self.target.size), k)
        n = len(pre)
        return project_arrays(self, pre, post, np.full(n, float(p.weight_uS)),
                              np.full(n, float(p.delay_ms)))
'''

_FUNCTION = '''\
"""__P__Cosine: a connector function of distance, for core's modular connectors."""

from __future__ import annotations

import attrs
import numpy as np
from mozaik.config import positive
from mozaik.model import ConnectorFunction, PairBlock

__all__ = ["__P__Cosine", "__P__CosineParams"]


@attrs.frozen(kw_only=True)
class __P__CosineParams:
    """Parameters of :class:`__P__Cosine`.

    Parameters
    ----------
    wavelength_um : float, um
        Spatial period of the modulation.
    """

    wavelength_um: float = attrs.field(default=400.0, validator=positive)


class __P__Cosine(ConnectorFunction[__P__CosineParams]):
    """``(1 + cos(2 pi d / wavelength_um)) / 2`` of the distance ``d`` (um) of each pair."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        dx, dy = pairs.displacement_um
        distance = np.hypot(dx, dy)
        return np.asarray(0.5 * (1.0 + np.cos(2.0 * np.pi * distance
                                               / self.params.wavelength_um)))
'''

_SPACE = '''\
"""__P__ToneSpace: a one-dimensional input space of tone frequencies."""

from __future__ import annotations

import attrs
from mozaik.config import positive
from mozaik.model import InputSpace

__all__ = ["__P__ToneSpace", "__P__ToneSpaceParams"]


@attrs.frozen(kw_only=True)
class __P__ToneSpaceParams:
    """Parameters of :class:`__P__ToneSpace`.

    Parameters
    ----------
    low_hz, high_hz : float, Hz
        The frequency range stimuli live in.
    """

    low_hz: float = attrs.field(default=200.0, validator=positive)
    high_hz: float = attrs.field(default=8000.0, validator=positive)

    def __attrs_post_init__(self) -> None:
        if self.high_hz <= self.low_hz:
            msg = f"high_hz ({self.high_hz}) must be above low_hz ({self.low_hz})"
            raise ValueError(msg)


class __P__ToneSpace(InputSpace[__P__ToneSpaceParams]):
    """The world tone stimuli act on: a frequency axis from ``low_hz`` to ``high_hz``."""

    def describe(self) -> dict[str, bool | int | float | str]:
        return {"low_hz": self.params.low_hz, "high_hz": self.params.high_hz}
'''

_TWO_SHEETS = ("sheets:\n" + _sheet("source", "Sheet", _GRID) + _sheet("target", "Sheet", _GRID))

MODEL_KINDS: dict[str, KindTemplate] = {
    "sheet": KindTemplate(
        module=_SHEET,
        registrations=(Registration("sheets", "__P__RingSheet", "neurons on a ring"),),
        tests='''\
class Test__P__RingSheet(SheetContract):
    name = "__P__RingSheet"
    example_params = {"n_neurons": 12, "cell": {"model": "IF_cond_exp"}}
''',
        contracts=("SheetContract",),
        study="sheets:\n" + _sheet("source", "__P__RingSheet", "n_neurons: 24") + _KICK),
    "connector": KindTemplate(
        module=_CONNECTOR,
        registrations=(Registration("connectors", "__P__NearestConnector",
                                    "each target from its nearest sources"),),
        tests='''\
class Test__P__NearestConnector(ConnectorContract):
    name = "__P__NearestConnector"
    example_params = {"n_nearest": 3, "weight_uS": 0.01, "delay_ms": 1.0}
''',
        contracts=("ConnectorContract",),
        study=_TWO_SHEETS + """\
connectors:
  nearest: {component: __P__NearestConnector, source: source, target: target,
            params: {n_nearest: 3, weight_uS: 0.02, delay_ms: 1.0}}
""" + _KICK),
    "connector_function": KindTemplate(
        module=_FUNCTION,
        registrations=(Registration("connector_functions", "__P__Cosine",
                                    "cosine of the pair distance"),),
        tests='''\
class Test__P__Cosine(ComponentContract):
    kind = "connector_functions"
    name = "__P__Cosine"
    example_params = {"wavelength_um": 200.0}
''',
        contracts=("ComponentContract",),
        study=_TWO_SHEETS + """\
connectors:
  cosine:
    component: ModularSamplingConnector
    source: source
    target: target
    params:
      weight_functions: {cos: {component: __P__Cosine, params: {wavelength_um: 200.0}}}
      weight_expression: cos
      base_weight_uS: 0.01
      num_samples: 3
""" + _KICK),
    "input_space": KindTemplate(
        module=_SPACE,
        registrations=(Registration("input_spaces", "__P__ToneSpace",
                                    "a frequency axis (Hz)"),),
        tests='''\
class Test__P__ToneSpace(InputSpaceContract):
    name = "__P__ToneSpace"
    example_params = {"low_hz": 100.0, "high_hz": 4000.0}
''',
        contracts=("InputSpaceContract",),
        study=("input_space: {component: __P__ToneSpace, params: {low_hz: 100.0}}\n"
               "sheets:\n" + _sheet("source", "Sheet", _GRID) + _KICK)),
}
