"""The Gabor afferent connector: LGN ON and OFF sheets to a cortical sheet.

Each target neuron gets a Gabor receptive field (orientation, phase, spatial frequency, size,
aspect ratio) centred on its visual-field position. ON cells connect where the Gabor is
positive, OFF cells where it is negative: ``num_samples`` afferents are drawn with replacement
from both sheets with probability proportional to ``|Gabor|`` at each LGN cell's position, and
a cell drawn k times makes one connection of weight ``k * weight_uS``. Everything is computed
in NumPy blocks of targets and made with one vectorised call per LGN sheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import Distribution, non_negative, positive
from mozaik.model import Connector, ProjectionParams, project_arrays

from mozaik_visual.cortex._maps import OrientationMapParams, load_orientation_map
from mozaik_visual.cortex._sheet import visual_positions_deg

if TYPE_CHECKING:
    from mozaik.model import Model, Sheet

__all__ = [
    "GABOR_ANNOTATIONS",
    "GaborAfferentConnector",
    "GaborAfferentParams",
    "gabor",
    "sample_afferents",
]

#: Annotations the connector sets on its target: parameter name -> annotation name.
GABOR_ANNOTATIONS: dict[str, str] = {
    "orientation_rad": "gabor_orientation_rad",
    "phase_rad": "gabor_phase_rad",
    "frequency_cpd": "gabor_frequency_cpd",
    "size_deg": "gabor_size_deg",
    "aspect_ratio": "gabor_aspect_ratio",
}

#: Elements of one (targets x LGN cells) block.
BLOCK_ELEMENTS = 2**21


def _uniform(low: float, high: float) -> Distribution:
    return Distribution(name="uniform", params={"low": low, "high": high})


@attrs.frozen(kw_only=True)
class GaborAfferentParams(ProjectionParams):
    """``GaborAfferentConnector``: the study's ``source`` is the ON sheet.

    Parameters
    ----------
    off_sheet : str
        The OFF sheet (an LGN sheet of the sensory input, or any sheet with visual positions).
    num_samples : int
        Afferent samples per target neuron (the seed: 94 onto excitatory, 118 onto inhibitory).
    orientation_rad : float or Distribution, rad
        Gabor orientation: the direction (cos, sin) along which the Gabor's stripes alternate,
        as a drifting grating of that orientation; [0, pi). Ignored with ``orientation_map``.
    phase_rad : float or Distribution, rad
        Phase of the carrier at the centre.
    frequency_cpd : float or Distribution, cycles/deg
        Spatial frequency of the carrier.
    size_deg : float or Distribution, deg
        Standard deviation of the Gaussian envelope across the stripes.
    aspect_ratio : float or Distribution
        Envelope width across over width along the stripes (< 1: elongated along them).
    orientation_map : OrientationMapParams, optional
        Read each target's orientation from this map at its cortical position instead.
    extent_sigma : float
        Receptive-field cut-off: LGN cells beyond this many envelope standard deviations get
        no connection; the receptive field's diameter must fit in the LGN sheets.
    """

    off_sheet: str
    num_samples: int = attrs.field(validator=positive)
    orientation_rad: float | Distribution = attrs.field(factory=lambda: _uniform(0.0, np.pi))
    phase_rad: float | Distribution = attrs.field(factory=lambda: _uniform(0.0, 2 * np.pi))
    frequency_cpd: float | Distribution = attrs.field(default=0.8, validator=non_negative)
    size_deg: float | Distribution = attrs.field(default=0.46, validator=positive)
    aspect_ratio: float | Distribution = attrs.field(default=0.57, validator=positive)
    orientation_map: OrientationMapParams | None = None
    extent_sigma: float = attrs.field(default=3.0, validator=positive)


def gabor(dx_deg: np.ndarray, dy_deg: np.ndarray, orientation_rad: Any, phase_rad: Any,
          frequency_cpd: Any, size_deg: Any, aspect_ratio: Any,
          extent_sigma: float = np.inf) -> np.ndarray:
    """A Gabor at offsets (dx, dy) in degrees from its centre (broadcasting).

    ``exp(-(u**2 + (aspect * v)**2) / (2 size**2)) * cos(2 pi f u + phase)`` with ``u`` along
    ``(cos(orientation), sin(orientation))`` and ``v`` across it; zero where the envelope's
    argument exceeds ``extent_sigma`` standard deviations.
    """
    cos, sin = np.cos(orientation_rad), np.sin(orientation_rad)
    u = dx_deg * cos + dy_deg * sin
    v = dy_deg * cos - dx_deg * sin
    radius2 = (u * u + (aspect_ratio * v) ** 2) / (size_deg * size_deg)
    values = np.exp(-0.5 * radius2) * np.cos(2.0 * np.pi * frequency_cpd * u + phase_rad)
    return np.asarray(np.where(radius2 <= extent_sigma * extent_sigma, values, 0.0))


def sample_afferents(weights: np.ndarray, num_samples: int, uniform: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw ``num_samples`` columns per row with probability proportional to ``weights``.

    Parameters
    ----------
    weights : ndarray, shape (m, n)
        Non-negative relative probabilities; a row of zeros draws nothing.
    uniform : ndarray, shape (m, num_samples)
        Uniform draws in [0, 1) (inverse-CDF sampling, all rows at once).

    Returns
    -------
    (rows, columns, counts) : ndarray each
        Each distinct (row, column) drawn and how many times.
    """
    m, n = weights.shape
    if m == 0 or n == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    cumulative = np.cumsum(weights, axis=1)
    totals = cumulative[:, -1].copy()
    live = totals > 0
    totals[~live] = 1.0
    offsets = np.arange(m, dtype=float)[:, None]
    cdf = (cumulative / totals[:, None] + offsets).ravel()
    flat = np.searchsorted(cdf, (uniform[:, :num_samples] + offsets).ravel(), side="right")
    flat = np.minimum(flat, m * n - 1)
    flat = flat[live[flat // n]]
    keys, counts = np.unique(flat, return_counts=True)
    return keys // n, keys % n, counts


def _draw(value: float | Distribution, n: int, rng: Any) -> np.ndarray:
    if isinstance(value, Distribution):
        return np.asarray(value.to_pynn(rng).next(n), dtype=float).reshape(n)
    return np.full(n, float(value))


class _OffProjection(Connector):
    """The OFF half of a Gabor connector (one vectorised call from the OFF sheet)."""

    def __init__(self, owner: GaborAfferentConnector, off: Sheet) -> None:
        super().__init__(f"{owner.name}.off", off, owner.target, owner.params, owner.model)
        self.arrays: tuple[np.ndarray, ...] = ()

    def build(self) -> Any:
        return project_arrays(self, *self.arrays)


class GaborAfferentConnector(Connector[GaborAfferentParams]):
    """Gabor-shaped afferents from LGN ON (the source) and OFF (``off_sheet``) sheets.

    The target keeps each neuron's assigned receptive field as annotations (see
    :data:`GABOR_ANNOTATIONS`), so analyses can compare assigned and measured preferences. A
    target that already has them (from an earlier Gabor connector) keeps them.

    Attributes
    ----------
    projection : pyNN Projection
        From the ON sheet.
    off_projection : pyNN Projection
        From the OFF sheet.
    """

    @classmethod
    def expected_connections(cls, params: GaborAfferentParams, n_source: int,
                             n_target: int) -> float | None:
        """At most ``num_samples`` afferents per target neuron (ON and OFF together; repeated
        draws merge), for the size check of :func:`mozaik.study.estimate_size`."""
        return float(params.num_samples) * n_target

    def __init__(self, name: str, source: Sheet, target: Sheet, params: GaborAfferentParams,
                 model: Model) -> None:
        super().__init__(name, source, target, params, model)
        self.off_sheet = model.get_sheet(params.off_sheet, f"{self.path}.off_sheet: sheet")
        self.off_projection: Any = None

    def receptive_fields(self) -> dict[str, np.ndarray]:
        """Each target neuron's Gabor parameters (parameter name -> array), drawn once and
        stored as the target's annotations."""
        existing = self.target.annotations
        if all(a in existing for a in GABOR_ANNOTATIONS.values()):
            return {key: existing[a] for key, a in GABOR_ANNOTATIONS.items()}
        p, n = self.params, self.target.size
        fields = {key: _draw(getattr(p, key), n, self.rng) for key in GABOR_ANNOTATIONS}
        if p.orientation_map is not None:
            where = f"{self.path}.orientation_map"
            fields["orientation_rad"] = load_orientation_map(
                p.orientation_map, where).orientation_at(self.target.positions_um)
        fields["orientation_rad"] = np.mod(fields["orientation_rad"], np.pi)
        for key, annotation in GABOR_ANNOTATIONS.items():
            self.target.annotate(annotation, fields[key])
        return fields

    def _check_extent(self, fields: dict[str, np.ndarray], lgn: np.ndarray) -> None:
        p = self.params
        major = p.extent_sigma * fields["size_deg"] * np.maximum(1.0, 1.0 / fields["aspect_ratio"])
        diameter = 2.0 * float(major.max(initial=0.0))
        width, height = lgn.max(axis=0) - lgn.min(axis=0) if len(lgn) else (0.0, 0.0)
        if diameter > min(width, height):
            msg = (f"{self.path}.size_deg: connector {self.name!r}: the receptive field is "
                   f"{diameter:.3g} deg across (2 x extent_sigma {p.extent_sigma:g} x size_deg "
                   f"/ min(aspect_ratio, 1)) but the LGN sheets {self.source.name!r} and "
                   f"{self.off_sheet.name!r} cover only {width:.3g} x {height:.3g} deg; lower "
                   "size_deg (or extent_sigma) or enlarge the LGN sheets")
            raise ConfigError(msg)

    def build(self) -> Any:
        p = self.params
        on = visual_positions_deg(self.source, f"{self.path} (source)")
        off = visual_positions_deg(self.off_sheet, f"{self.path}.off_sheet")
        centres = visual_positions_deg(self.target, f"{self.path} (target)")
        fields = self.receptive_fields()
        lgn = np.vstack([on, off])
        self._check_extent(fields, lgn)
        self.check_delay(p.delay_ms)
        n_on, n_lgn, n_target = len(on), len(lgn), self.target.size
        block = max(1, BLOCK_ELEMENTS // max(1, n_lgn))
        sign = np.concatenate([np.ones(n_on), -np.ones(n_lgn - n_on)])
        pres, posts, counts = [], [], []
        for start in range(0, n_target, block):
            rows = np.arange(start, min(start + block, n_target))
            f = {key: fields[key][rows, None] for key in GABOR_ANNOTATIONS}
            values = gabor(lgn[None, :, 0] - centres[rows, 0, None],
                           lgn[None, :, 1] - centres[rows, 1, None], f["orientation_rad"],
                           f["phase_rad"], f["frequency_cpd"], f["size_deg"],
                           f["aspect_ratio"], extent_sigma=p.extent_sigma)
            weights = np.maximum(values * sign, 0.0)
            uniform = np.asarray(self.rng.next(len(rows) * p.num_samples, "uniform",
                                               {"low": 0.0, "high": 1.0}),
                                 dtype=float).reshape(len(rows), p.num_samples)
            row, column, count = sample_afferents(weights, p.num_samples, uniform)
            pres.append(column)
            posts.append(rows[row])
            counts.append(count)
        pre = np.concatenate(pres) if pres else np.empty(0, dtype=np.int64)
        post = np.concatenate(posts) if posts else np.empty(0, dtype=np.int64)
        count = np.concatenate(counts) if counts else np.empty(0, dtype=np.int64)
        weight = count * float(p.weight_uS) if not isinstance(p.weight_uS, Distribution) else \
            count * _draw(p.weight_uS, len(count), self.rng)
        delay = _draw(p.delay_ms, len(pre), self.rng)
        is_on = pre < n_on
        self._size = len(pre)
        projection = project_arrays(self, pre[is_on], post[is_on], weight[is_on], delay[is_on])
        half = _OffProjection(self, self.off_sheet)
        half.arrays = (pre[~is_on] - n_on, post[~is_on], weight[~is_on], delay[~is_on])
        self.off_projection = half.connect()
        return projection

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["off_sheet"] = self.off_sheet.name
        out["num_samples"] = self.params.num_samples
        return out
