"""Light over a cortical sheet: the source array, light spread in tissue, opsin expression and
the channelrhodopsin photocurrent.

Models (each a documented simplification; fit the parameters to your preparation):

- **Spread** (default): Kubelka-Munk transmission through scattering tissue, as used for
  optogenetics by Aravanis et al. 2007 (J. Neural Eng. 4:S143), ``T(z) = 1 / (S z + 1)`` with
  scattering coefficient ``S`` (11.2 /mm in mouse cortex, their value), times the geometric
  spread of a cone leaving an emitter of radius ``r0`` with numerical aperture ``NA`` in tissue
  of refractive index ``n``: at depth ``z`` the beam has radius ``w(z) = r0 + z tan(asin(NA /
  n))``. Laterally the beam is Gaussian, ``exp(-r^2 / w^2)``, with peak ``(r0 / w)^2 T(z)`` so
  that the power through each plane is the emitter's power times ``T(z)``. The relative
  irradiance is 1 at the emitter's centre on the surface.
- **Spread** (table): a user table ``.npz`` of relative irradiance (dimensionless, fraction of
  the emitter's surface irradiance) on a grid of lateral distance and depth, with keys
  ``radius_um`` (n,), ``depth_um`` (m,) and ``relative_irradiance`` (n, m), e.g. from a
  Monte-Carlo simulation of the emitter in tissue; interpolated linearly, 0 beyond the table.
- **Photocurrent**: a first-order reduction of channelrhodopsin kinetics: the open fraction
  ``o`` relaxes towards ``o_inf(E) = E^h / (E^h + E50^h)`` (irradiance ``E``, mW/mm^2) with
  time constant ``tau_on`` while rising and ``tau_off`` while falling, and the photocurrent is
  ``i_max * o`` (depolarising, nA). Defaults are of the order reported for ChR2(H134R) (see
  Williams et al. 2013, PLoS Comput. Biol. 9:e1003220, for a full voltage- and
  light-dependent model); a fixed driving force is assumed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import ParameterError, each, finite, non_negative, positive, probability

if TYPE_CHECKING:
    import scipy.sparse
    from mozaik.model import Sheet
    from scipy.interpolate import RegularGridInterpolator

__all__ = [
    "ChannelRhodopsinParams",
    "LightSourceArrayParams",
    "LightSpreadParams",
    "light_matrix",
    "photocurrent_nA",
    "source_positions_um",
    "transfected_cells",
]


@attrs.frozen(kw_only=True)
class LightSourceArrayParams:
    """A square grid of light emitters over the cortical surface.

    Parameters
    ----------
    spacing_um : float, um
        Distance between neighbouring emitters.
    extent_um : (float, float), um
        Width and height of the grid (emitters from one edge to the other).
    centre_um : (float, float), um
        Centre of the grid, in the sheet's cortical coordinates.
    emitter_radius_um : float, um
        Radius of each emitter (the beam's radius at the surface).
    """

    spacing_um: float = attrs.field(default=50.0, validator=positive)
    extent_um: tuple[float, float] = attrs.field(default=(1000.0, 1000.0),
                                                 validator=each(positive))
    centre_um: tuple[float, float] = attrs.field(default=(0.0, 0.0), validator=each(finite))
    emitter_radius_um: float = attrs.field(default=10.0, validator=positive)


@attrs.frozen(kw_only=True)
class LightSpreadParams:
    """How light spreads from an emitter into tissue (see the module's docstring).

    Parameters
    ----------
    scattering_per_mm : float, 1/mm
        Kubelka-Munk scattering coefficient S (Aravanis et al. 2007: 11.2 /mm, mouse).
    numerical_aperture : float
        Numerical aperture of the emitters.
    refractive_index : float
        Refractive index of the tissue (about 1.36).
    table : str
        A ``.npz`` table of relative irradiance instead of the Kubelka-Munk model (empty:
        the model).
    cutoff : float
        Relative irradiance below which an emitter's contribution to a neuron is dropped
        (keeps the emitter-to-neuron matrix sparse).
    """

    scattering_per_mm: float = attrs.field(default=11.2, validator=non_negative)
    numerical_aperture: float = attrs.field(default=0.5, validator=positive)
    refractive_index: float = attrs.field(default=1.36, validator=positive)
    table: str = ""
    cutoff: float = attrs.field(default=1e-4, validator=probability)

    def __attrs_post_init__(self) -> None:
        if self.numerical_aperture >= self.refractive_index:
            msg = (f"numerical_aperture ({self.numerical_aperture}) must be below the tissue's "
                   f"refractive_index ({self.refractive_index})")
            raise ParameterError("numerical_aperture", msg)
        if self.table and not Path(self.table).is_file():
            msg = (f"table: light-spread table {self.table!r} does not exist; give a .npz with "
                   "radius_um, depth_um and relative_irradiance (or leave it empty for the "
                   "Kubelka-Munk model)")
            raise ParameterError("table", msg)


@attrs.frozen(kw_only=True)
class ChannelRhodopsinParams:
    """First-order channelrhodopsin kinetics (see the module's docstring).

    Parameters
    ----------
    max_current_nA : float, nA
        Photocurrent of a cell with every channel open.
    half_saturation_mW_per_mm2 : float, mW/mm^2
        Irradiance opening half the channels at steady state.
    hill : float
        Steepness of the saturation.
    tau_on_ms, tau_off_ms : float, ms
        Time constants of opening and closing.
    """

    max_current_nA: float = attrs.field(default=1.0, validator=positive)
    half_saturation_mW_per_mm2: float = attrs.field(default=1.0, validator=positive)
    hill: float = attrs.field(default=1.0, validator=positive)
    tau_on_ms: float = attrs.field(default=2.0, validator=positive)
    tau_off_ms: float = attrs.field(default=15.0, validator=positive)


def source_positions_um(params: LightSourceArrayParams, sheet: Sheet,
                        where: str = "sources") -> np.ndarray:
    """Positions (k, 2) in um of the emitters; an error if the grid leaves the sheet."""
    placement = sheet.sheet_params.placement
    half_sheet = np.asarray(placement.size_um, dtype=float) / 2.0
    sheet_centre = np.asarray(placement.centre_um, dtype=float)
    half = np.asarray(params.extent_um, dtype=float) / 2.0
    centre = np.asarray(params.centre_um, dtype=float)
    low, high = centre - half, centre + half
    if (low < sheet_centre - half_sheet - 1e-9).any() or \
            (high > sheet_centre + half_sheet + 1e-9).any():
        msg = (f"{where}.extent_um: the light-source grid spans x {low[0]:g}..{high[0]:g} um, "
               f"y {low[1]:g}..{high[1]:g} um, outside sheet {sheet.name!r} (x "
               f"{sheet_centre[0] - half_sheet[0]:g}..{sheet_centre[0] + half_sheet[0]:g}, y "
               f"{sheet_centre[1] - half_sheet[1]:g}..{sheet_centre[1] + half_sheet[1]:g} um); "
               "shrink extent_um or move centre_um")
        raise ConfigError(msg)
    nx = math.floor(params.extent_um[0] / params.spacing_um + 1e-9) + 1
    ny = math.floor(params.extent_um[1] / params.spacing_um + 1e-9) + 1
    xs = centre[0] + params.spacing_um * (np.arange(nx) - (nx - 1) / 2.0)
    ys = centre[1] + params.spacing_um * (np.arange(ny) - (ny - 1) / 2.0)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def _read_table(file: str, where: str) -> RegularGridInterpolator:
    # scipy is imported where it is used: registering the plugin must stay light
    from scipy.interpolate import RegularGridInterpolator

    try:
        with np.load(file, allow_pickle=False) as data:
            arrays = {key: np.asarray(data[key], dtype=float) for key in data.files}
    except (OSError, ValueError) as exc:
        msg = (f"{where}.table: {file!r} is not a readable .npz ({exc}); save it with "
               "numpy.savez(path, radius_um=..., depth_um=..., relative_irradiance=...)")
        raise ConfigError(msg) from None
    needed = ("radius_um", "depth_um", "relative_irradiance")
    missing = [key for key in needed if key not in arrays]
    if missing:
        msg = (f"{where}.table: {file!r} lacks {', '.join(missing)} (it has "
               f"{', '.join(sorted(arrays)) or 'nothing'}); the keys carry the units: "
               "radius_um (um), depth_um (um) and relative_irradiance (dimensionless, a fraction "
               "of the emitter's surface irradiance)")
        raise ConfigError(msg)
    radius, depth, table = (arrays[key] for key in needed)
    if radius.ndim != 1 or depth.ndim != 1 or table.shape != (radius.size, depth.size):
        msg = (f"{where}.table: relative_irradiance of {file!r} has shape {table.shape}; "
               f"expected (len(radius_um), len(depth_um)) = ({radius.size}, {depth.size})")
        raise ConfigError(msg)
    if (np.diff(radius) <= 0).any() or (np.diff(depth) <= 0).any() or radius.size < 2 \
            or depth.size < 2:
        msg = (f"{where}.table: radius_um and depth_um of {file!r} must each hold at least two "
               "strictly increasing values")
        raise ConfigError(msg)
    if not np.isfinite(table).all() or table.min() < 0:
        msg = (f"{where}.table: relative_irradiance of {file!r} must be finite and >= 0; got "
               f"values from {np.nanmin(table):.3g} to {np.nanmax(table):.3g}")
        raise ConfigError(msg)
    return RegularGridInterpolator((radius, depth), table, bounds_error=False, fill_value=0.0)


def relative_irradiance(params: LightSpreadParams, emitter_radius_um: float,
                        radius_um: np.ndarray, depth_um: np.ndarray,
                        where: str = "spread") -> np.ndarray:
    """Fraction of an emitter's surface irradiance reaching lateral distance ``radius_um`` and
    depth ``depth_um`` (arrays of one shape, um)."""
    r = np.asarray(radius_um, dtype=float)
    z = np.asarray(depth_um, dtype=float)
    if params.table:
        table = _read_table(params.table, where)
        return np.asarray(table(np.column_stack([r.ravel(), z.ravel()]))).reshape(r.shape)
    half_angle = math.asin(params.numerical_aperture / params.refractive_index)
    width = emitter_radius_um + z * math.tan(half_angle)
    transmission = 1.0 / (params.scattering_per_mm * z / 1000.0 + 1.0)
    return np.asarray((emitter_radius_um / width) ** 2 * transmission
                      * np.exp(-(r / width) ** 2))


def light_matrix(sources_um: np.ndarray, neurons_um: np.ndarray, depth_um: float,
                 spread: LightSpreadParams, emitter_radius_um: float,
                 where: str = "spread") -> scipy.sparse.csr_matrix:
    """Sparse (neurons x emitters) matrix of relative irradiance: the irradiance at each neuron
    (mW/mm^2) is this matrix times the emitters' irradiances.

    Pairs are found with a k-d tree within the distance where the relative irradiance falls
    below ``spread.cutoff`` (for the model; the table's largest radius for a table), so the
    cost grows with the pairs that matter, not with neurons x emitters.
    """
    import scipy.sparse  # where it is used: registering the plugin must stay light
    from scipy.spatial import cKDTree

    if spread.table:
        reach = float(_read_table(spread.table, where).grid[0][-1])
    else:
        peak = relative_irradiance(spread, emitter_radius_um, np.zeros(1), np.full(1, depth_um))
        half_angle = math.asin(spread.numerical_aperture / spread.refractive_index)
        width = emitter_radius_um + depth_um * math.tan(half_angle)
        ratio = float(peak[0]) / spread.cutoff
        reach = width * math.sqrt(math.log(ratio)) if ratio > 1.0 else 0.0
    pairs = cKDTree(neurons_um).sparse_distance_matrix(cKDTree(sources_um), max(reach, 1e-9),
                                                       output_type="ndarray")
    row = pairs["i"].astype(np.int64)
    col = pairs["j"].astype(np.int64)
    distance = np.linalg.norm(neurons_um[row] - sources_um[col], axis=1)
    values = relative_irradiance(spread, emitter_radius_um, distance,
                                 np.full(distance.shape, depth_um), where)
    keep = values >= spread.cutoff
    matrix = scipy.sparse.coo_matrix((values[keep], (row[keep], col[keep])),
                                     shape=(len(neurons_um), len(sources_um)))
    return matrix.tocsr()


def transfected_cells(n: int, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of the ``round(fraction * n)`` cells (of ``n``) that express the opsin."""
    number = round(fraction * n)
    return np.sort(rng.choice(n, size=number, replace=False)).astype(np.int64)


def photocurrent_nA(irradiance: np.ndarray, params: ChannelRhodopsinParams,
                    dt_ms: float) -> np.ndarray:
    """Photocurrent (cells x frames, nA) of cells seeing ``irradiance`` (cells x frames,
    mW/mm^2, constant over each frame of ``dt_ms``), all channels closed at the start.

    Each frame is integrated exactly (the open fraction relaxes exponentially towards its
    steady state); the loop runs over frames, with every cell at once.
    """
    e = np.asarray(irradiance, dtype=float)
    powered = np.power(np.maximum(e, 0.0), params.hill)
    steady = powered / (powered + params.half_saturation_mW_per_mm2 ** params.hill)
    rise = math.exp(-dt_ms / params.tau_on_ms)
    fall = math.exp(-dt_ms / params.tau_off_ms)
    out = np.empty_like(steady)
    open_fraction = np.zeros(e.shape[0])
    for k in range(e.shape[1]):
        target = steady[:, k]
        decay = np.where(target > open_fraction, rise, fall)
        open_fraction = target + (open_fraction - target) * decay
        out[:, k] = open_fraction
    return out * params.max_current_nA
