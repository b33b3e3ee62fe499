"""The visual experiments of the seed: tuning curves, receptive-field mapping, natural images."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from mozaik.config import whole_number
from mozaik.stimulus import Stimulus

from mozaik_visual.experiments._base import VisualExperiment, orientations_rad
from mozaik_visual.stimuli import (
    Blank,
    BlankParams,
    CentreSurroundGratings,
    CentreSurroundGratingsParams,
    DenseNoise,
    DriftingGratingDisk,
    DriftingGratingDiskParams,
    FullfieldDriftingSinusoidalGrating,
    FullfieldFlatLuminance,
    FullfieldFlatLuminanceParams,
    GratingParams,
    NaturalImageWithEyeMovement,
    NaturalImageWithEyeMovementParams,
    NoiseParams,
    SparseNoise,
    existing_file,
)

__all__ = [
    "MeasureContrastSensitivity",
    "MeasureContrastSensitivityParams",
    "MeasureDenseNoise",
    "MeasureFlatLuminanceSensitivity",
    "MeasureFlatLuminanceSensitivityParams",
    "MeasureNaturalImagesWithEyeMovement",
    "MeasureNaturalImagesWithEyeMovementParams",
    "MeasureOrientationContrast",
    "MeasureOrientationContrastParams",
    "MeasureOrientationTuningFullfield",
    "MeasureOrientationTuningFullfieldParams",
    "MeasureSizeTuning",
    "MeasureSizeTuningParams",
    "MeasureSparseNoise",
    "MeasureSpatialFrequencyTuning",
    "MeasureSpatialFrequencyTuningParams",
    "MeasureSpontaneousActivity",
    "MeasureSpontaneousActivityParams",
    "MeasureTemporalFrequencyTuning",
    "MeasureTemporalFrequencyTuningParams",
    "NoiseMappingParams",
]


@attrs.frozen(kw_only=True)
class MeasureSpontaneousActivityParams:
    """A blank screen for ``duration_ms`` (ms), ``num_trials`` times.

    Parameters
    ----------
    duration_ms : float, ms
        Length of each presentation.
    num_trials : int
        Presentations (trials) of the blank screen.
    """

    duration_ms: float = 1000.0
    num_trials: int = attrs.field(default=1, validator=whole_number(1))


class MeasureSpontaneousActivity(VisualExperiment[MeasureSpontaneousActivityParams]):
    """Spontaneous activity: the blank screen at the background luminance."""

    def conditions(self) -> Iterable[Stimulus]:
        return [Blank(BlankParams(duration_ms=self.params.duration_ms))]


@attrs.frozen(kw_only=True)
class _GratingProtocol:
    """Grating parameters every tuning protocol shares (units as in GratingParams).

    Parameters
    ----------
    duration_ms : float, ms
        Length of each presentation.
    num_trials : int
        Presentations (trials) of each condition.
    spatial_frequency_cpd : float, cycles/deg
        Spatial frequency of the gratings (a protocol that varies it ignores this value).
    temporal_frequency_hz : float, Hz
        Drift frequency of the gratings (a protocol that varies it ignores this value).
    contrast_pct : float, %
        Michelson contrast of the gratings (a protocol that varies it ignores this value).
    orientation_rad : float, rad
        Orientation of the gratings, period pi (a protocol that varies it ignores this value).
    """

    duration_ms: float = 1000.0
    num_trials: int = attrs.field(default=1, validator=whole_number(1))
    spatial_frequency_cpd: float = 0.8
    temporal_frequency_hz: float = 2.0
    contrast_pct: float = 100.0
    orientation_rad: float = 0.0


def _grating(p: _GratingProtocol, **changes: float) -> Stimulus:
    values = {"duration_ms": p.duration_ms, "orientation_rad": p.orientation_rad,
              "spatial_frequency_cpd": p.spatial_frequency_cpd,
              "temporal_frequency_hz": p.temporal_frequency_hz,
              "contrast_pct": p.contrast_pct, **changes}
    return FullfieldDriftingSinusoidalGrating(GratingParams(**values))


@attrs.frozen(kw_only=True)
class MeasureOrientationTuningFullfieldParams(_GratingProtocol):
    """``num_orientations`` orientations over [0, pi) x ``contrasts_pct`` x ``num_trials``.

    Parameters
    ----------
    num_orientations : int
        Orientations evenly spaced over [0, pi): ``pi * k / num_orientations``.
    contrasts_pct : tuple of float, %
        Contrasts; every orientation is shown at each.
    """

    num_orientations: int = attrs.field(default=8, validator=whole_number(1))
    contrasts_pct: tuple[float, ...] = (100.0,)


class MeasureOrientationTuningFullfield(VisualExperiment[MeasureOrientationTuningFullfieldParams]):
    """Orientation tuning with full-field drifting sinusoidal gratings."""

    def conditions(self) -> Iterable[Stimulus]:
        p = self.params
        return [_grating(p, orientation_rad=o, contrast_pct=c) for c in p.contrasts_pct
                for o in orientations_rad(p.num_orientations)]


@attrs.frozen(kw_only=True)
class MeasureContrastSensitivityParams(_GratingProtocol):
    """Full-field gratings at each of ``contrasts_pct`` (%).

    Parameters
    ----------
    contrasts_pct : tuple of float, %
        Michelson contrasts, one condition each.
    """

    contrasts_pct: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0, 80.0, 100.0)


class MeasureContrastSensitivity(VisualExperiment[MeasureContrastSensitivityParams]):
    """Contrast response with full-field gratings of one orientation."""

    def conditions(self) -> Iterable[Stimulus]:
        return [_grating(self.params, contrast_pct=c) for c in self.params.contrasts_pct]


@attrs.frozen(kw_only=True)
class MeasureSpatialFrequencyTuningParams(_GratingProtocol):
    """Full-field gratings at each of ``spatial_frequencies_cpd`` (cycles/deg).

    Parameters
    ----------
    spatial_frequencies_cpd : tuple of float, cycles/deg
        Spatial frequencies, one condition each.
    """

    spatial_frequencies_cpd: tuple[float, ...] = (0.2, 0.4, 0.8, 1.6, 3.2)


class MeasureSpatialFrequencyTuning(VisualExperiment[MeasureSpatialFrequencyTuningParams]):
    """Spatial-frequency tuning with full-field gratings."""

    def conditions(self) -> Iterable[Stimulus]:
        return [_grating(self.params, spatial_frequency_cpd=f)
                for f in self.params.spatial_frequencies_cpd]


@attrs.frozen(kw_only=True)
class MeasureTemporalFrequencyTuningParams(_GratingProtocol):
    """Full-field gratings at each of ``temporal_frequencies_hz`` (Hz).

    Parameters
    ----------
    temporal_frequencies_hz : tuple of float, Hz
        Drift frequencies, one condition each.
    """

    temporal_frequencies_hz: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)


class MeasureTemporalFrequencyTuning(VisualExperiment[MeasureTemporalFrequencyTuningParams]):
    """Temporal-frequency tuning with full-field gratings."""

    def conditions(self) -> Iterable[Stimulus]:
        return [_grating(self.params, temporal_frequency_hz=f)
                for f in self.params.temporal_frequencies_hz]


@attrs.frozen(kw_only=True)
class MeasureSizeTuningParams(_GratingProtocol):
    """Grating disks of each of ``radii_deg`` (deg) centred at ``x_deg``, ``y_deg`` (deg).

    Parameters
    ----------
    radii_deg : tuple of float, deg
        Disk radii, one condition each.
    x_deg, y_deg : float, deg
        Centre of the disks in the visual field.
    """

    radii_deg: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)
    x_deg: float = 0.0
    y_deg: float = 0.0


class MeasureSizeTuning(VisualExperiment[MeasureSizeTuningParams]):
    """Size tuning with drifting grating disks."""

    def conditions(self) -> Iterable[Stimulus]:
        p = self.params
        return [DriftingGratingDisk(DriftingGratingDiskParams(
            duration_ms=p.duration_ms, orientation_rad=p.orientation_rad,
            spatial_frequency_cpd=p.spatial_frequency_cpd,
            temporal_frequency_hz=p.temporal_frequency_hz, contrast_pct=p.contrast_pct,
            x_deg=p.x_deg, y_deg=p.y_deg, radius_deg=r)) for r in p.radii_deg]


@attrs.frozen(kw_only=True)
class MeasureOrientationContrastParams(_GratingProtocol):
    """Centre at ``orientation_rad``, surround at ``num_surround_orientations`` orientations.

    Parameters
    ----------
    num_surround_orientations : int
        Surround orientations, relative to the centre's: ``pi * k / num_surround_orientations``
        added to ``orientation_rad``, one condition each.
    x_deg, y_deg : float, deg
        Centre of the stimulus in the visual field.
    centre_radius_deg : float, deg
        Radius of the centre grating.
    gap_deg : float, deg
        Blank ring (background) between the centre and the surround.
    surround_radius_deg : float, deg
        Outer radius of the surround grating.
    """

    num_surround_orientations: int = attrs.field(default=4, validator=whole_number(1))
    x_deg: float = 0.0
    y_deg: float = 0.0
    centre_radius_deg: float = 1.0
    gap_deg: float = 0.0
    surround_radius_deg: float = 3.0


class MeasureOrientationContrast(VisualExperiment[MeasureOrientationContrastParams]):
    """Orientation contrast: a fixed centre grating with surrounds of several orientations."""

    def conditions(self) -> Iterable[Stimulus]:
        p = self.params
        return [CentreSurroundGratings(CentreSurroundGratingsParams(
            duration_ms=p.duration_ms, orientation_rad=p.orientation_rad,
            surround_orientation_rad=p.orientation_rad + s,
            spatial_frequency_cpd=p.spatial_frequency_cpd,
            temporal_frequency_hz=p.temporal_frequency_hz, contrast_pct=p.contrast_pct,
            x_deg=p.x_deg, y_deg=p.y_deg, centre_radius_deg=p.centre_radius_deg,
            gap_deg=p.gap_deg, surround_radius_deg=p.surround_radius_deg))
            for s in orientations_rad(p.num_surround_orientations)]


@attrs.frozen(kw_only=True)
class MeasureFlatLuminanceSensitivityParams:
    """Full-field luminances ``luminances_cd_m2`` (cd/m^2), ``duration_ms`` (ms) each.

    Parameters
    ----------
    duration_ms : float, ms
        Length of each presentation.
    num_trials : int
        Presentations (trials) of each luminance.
    luminances_cd_m2 : tuple of float, cd/m^2
        Luminances of the uniform field, one condition each.
    """

    duration_ms: float = 500.0
    num_trials: int = attrs.field(default=1, validator=whole_number(1))
    luminances_cd_m2: tuple[float, ...] = (0.0, 12.5, 25.0, 50.0, 75.0, 100.0)


class MeasureFlatLuminanceSensitivity(VisualExperiment[MeasureFlatLuminanceSensitivityParams]):
    """Responses to uniform fields of several luminances."""

    def conditions(self) -> Iterable[Stimulus]:
        p = self.params
        return [FullfieldFlatLuminance(FullfieldFlatLuminanceParams(
            duration_ms=p.duration_ms, luminance_cd_m2=lum)) for lum in p.luminances_cd_m2]


@attrs.frozen(kw_only=True)
class NoiseMappingParams:
    """Receptive-field mapping noise (see :class:`mozaik_visual.stimuli.NoiseParams`).

    Every trial draws new patterns (seed ``seed + trial``).

    Parameters
    ----------
    duration_ms : float, ms
        Length of each presentation (trial).
    num_trials : int
        Presentations, each with its own patterns.
    pattern_duration_ms : float, ms
        How long each pattern stays; it must divide ``duration_ms``.
    x_deg, y_deg : float, deg
        Centre of the grid in the visual field.
    size_deg : float, deg
        Side of the (square) grid.
    grid_size : int
        Squares per side.
    contrast_pct : float, %
        A white square is background * (1 + contrast), a black one background * (1 - contrast).
    seed : int
        Seed of the first trial's patterns.
    """

    duration_ms: float = 2000.0
    num_trials: int = attrs.field(default=1, validator=whole_number(1))
    pattern_duration_ms: float = 50.0
    x_deg: float = 0.0
    y_deg: float = 0.0
    size_deg: float = 4.0
    grid_size: int = 8
    contrast_pct: float = 100.0
    seed: int = 0


class _NoiseMapping(VisualExperiment[NoiseMappingParams]):
    kind: type[SparseNoise] | type[DenseNoise] = SparseNoise

    def conditions(self) -> Iterable[Stimulus]:
        return []

    def stimuli(self) -> list[Stimulus]:
        p = self.params
        values = attrs.asdict(p, recurse=False)
        values.pop("num_trials")
        return [self.kind(NoiseParams(**{**values, "seed": p.seed + t}))
                for t in range(p.num_trials)]


class MeasureSparseNoise(_NoiseMapping):
    """Sparse-noise receptive-field mapping: one white or black square at a time."""

    kind = SparseNoise


class MeasureDenseNoise(_NoiseMapping):
    """Dense-noise receptive-field mapping: every square white or black at random."""

    kind = DenseNoise


@attrs.frozen(kw_only=True)
class MeasureNaturalImagesWithEyeMovementParams:
    """An image viewed with simulated eye movements (see NaturalImageWithEyeMovementParams).

    Every trial shows the same image and eye path (``seed``), so trials are repeats.

    Parameters
    ----------
    duration_ms : float, ms
        Length of each presentation.
    num_trials : int
        Presentations (repeats) of the image.
    image_path : str
        A ``.png`` or ``.npy`` file; empty: the shipped test image.
    size_deg : float, deg
        Width of the image in the visual field (its height follows its aspect ratio).
    contrast_pct : float, %
        The image's grey levels span background * (1 -/+ contrast) around their mean.
    eye_path_path : str
        A ``.npy`` (or text) file of rows (t_ms, x_deg, y_deg) giving the gaze position; empty:
        generated from the seeded drift-and-saccade model.
    drift_diffusion_deg2_s : float, deg^2/s
        Diffusion constant of the fixational drift (a random walk).
    saccade_rate_hz : float, Hz
        Rate of (Poisson) saccades.
    saccade_amplitude_deg : float, deg
        Length of each saccade (random direction).
    seed : int
        Seed of the generated eye path.
    """

    duration_ms: float = 2000.0
    num_trials: int = attrs.field(default=1, validator=whole_number(1))
    image_path: str = attrs.field(default="", validator=existing_file)
    size_deg: float = 8.0
    contrast_pct: float = 100.0
    eye_path_path: str = attrs.field(default="", validator=existing_file)
    drift_diffusion_deg2_s: float = 0.01
    saccade_rate_hz: float = 2.0
    saccade_amplitude_deg: float = 1.0
    seed: int = 0


class MeasureNaturalImagesWithEyeMovement(
        VisualExperiment[MeasureNaturalImagesWithEyeMovementParams]):
    """A natural image with fixational drift and saccades."""

    def conditions(self) -> Iterable[Stimulus]:
        values = attrs.asdict(self.params, recurse=False)
        values.pop("num_trials")
        return [NaturalImageWithEyeMovement(NaturalImageWithEyeMovementParams(**values))]


