"""Cortical sheets: neurons in cortical space (um) that also know where they look (degrees).

The visual-field position of a neuron is its cortical position divided by the magnification
factor (um of cortex per degree of visual field), plus the visual-field point the sheet's
centre looks at. Connectors read it through :func:`visual_positions_deg`, which also serves
sheets of other plugins (an LGN) that carry ``visual_x_deg``/``visual_y_deg`` annotations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import positive
from mozaik.model import Sheet, SheetParams

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = [
    "VISUAL_X_ANNOTATION",
    "VISUAL_Y_ANNOTATION",
    "CorticalSheet",
    "CorticalSheetParams",
    "visual_positions_deg",
]

#: Annotation holding a neuron's horizontal visual-field position, degrees.
VISUAL_X_ANNOTATION = "visual_x_deg"
#: Annotation holding a neuron's vertical visual-field position, degrees.
VISUAL_Y_ANNOTATION = "visual_y_deg"
#: Annotation pairs read as visual-field positions, in order: a cortical sheet's, and the
#: ``x_deg``/``y_deg`` of the retina/LGN sheets.
ANNOTATION_PAIRS: tuple[tuple[str, str], ...] = ((VISUAL_X_ANNOTATION, VISUAL_Y_ANNOTATION),
                                                 ("x_deg", "y_deg"))


@attrs.frozen(kw_only=True)
class CorticalSheetParams(SheetParams):
    """Parameters of ``CorticalSheet``: a built-in sheet's plus the retinotopy.

    Parameters
    ----------
    magnification_factor_um_per_deg : float, um/deg
        Cortical distance per degree of visual field (the seed's V1 layer 4: 5000 um/deg).
    visual_centre_deg : (float, float), deg
        Visual-field position the sheet's ``placement.centre_um`` looks at.
    """

    magnification_factor_um_per_deg: float = attrs.field(default=1000.0, validator=positive)
    visual_centre_deg: tuple[float, float] = (0.0, 0.0)


class CorticalSheet(Sheet[CorticalSheetParams]):
    """A cortical sheet with a magnification factor.

    Neurons sit in cortical space (``positions_um``, um); :attr:`visual_positions_deg` gives
    where in the visual field each one looks, and the sheet annotates it per neuron as
    ``visual_x_deg`` and ``visual_y_deg`` (so it travels into the datastore).
    """

    def __init__(self, name: str, params: CorticalSheetParams, model: Model) -> None:
        super().__init__(name, params, model)
        visual = self.visual_positions_deg
        self.annotate(VISUAL_X_ANNOTATION, visual[:, 0])
        self.annotate(VISUAL_Y_ANNOTATION, visual[:, 1])

    @property
    def magnification_factor_um_per_deg(self) -> float:
        """Cortical um per degree of visual field."""
        return float(self.sheet_params.magnification_factor_um_per_deg)

    @property
    def visual_positions_deg(self) -> np.ndarray:
        """Visual-field positions (n, 2), degrees."""
        centre_um = np.asarray(self.sheet_params.placement.centre_um, dtype=float)
        centre_deg = np.asarray(self.sheet_params.visual_centre_deg, dtype=float)
        return np.asarray(centre_deg + (self.positions_um - centre_um)
                          / self.magnification_factor_um_per_deg)

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["magnification_factor_um_per_deg"] = self.magnification_factor_um_per_deg
        return out


def visual_positions_deg(sheet: Sheet, where: str = "") -> np.ndarray:
    """Visual-field positions (n, 2) in degrees of any sheet that has them.

    A sheet has them if it has a ``visual_positions_deg`` attribute (a :class:`CorticalSheet`)
    or annotations ``visual_x_deg`` and ``visual_y_deg``, or ``x_deg`` and ``y_deg`` (the
    retina/LGN sheets), in degrees.

    Raises
    ------
    ConfigError
        Naming ``where`` and the sheet if it has neither.
    """
    found = getattr(sheet, "visual_positions_deg", None)
    if found is not None:
        array = np.asarray(found, dtype=float)
    else:
        annotations = sheet.annotations
        pair = next((p for p in ANNOTATION_PAIRS if p[0] in annotations and p[1] in annotations),
                    None)
        if pair is None:
            prefix = f"{where}: " if where else ""
            names = " or ".join(f"{x!r} and {y!r}" for x, y in ANNOTATION_PAIRS)
            msg = (f"{prefix}sheet {sheet.name!r} has no visual-field positions: it needs a "
                   f"visual_positions_deg attribute (a CorticalSheet) or the annotations "
                   f"{names} (degrees); it has: "
                   f"{', '.join(sorted(annotations)) or 'no annotations'}")
            raise ConfigError(msg)
        array = np.column_stack([annotations[pair[0]], annotations[pair[1]]]).astype(float)
    if array.shape != (sheet.size, 2):
        msg = (f"{where or 'sheet'}: sheet {sheet.name!r} gave visual positions of shape "
               f"{array.shape}, expected ({sheet.size}, 2)")
        raise ConfigError(msg)
    return array
