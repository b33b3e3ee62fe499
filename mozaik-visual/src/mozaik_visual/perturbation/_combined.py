"""A visual stimulus presented together with light: a full-field drifting grating whose
identity also holds the light (``light.<key>``), so a presentation of both is one stimulus."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
from mozaik.config import ParameterError

from mozaik_visual.stimuli import FullfieldDriftingSinusoidalGrating, GratingParams

__all__ = ["GratingWithLight", "GratingWithLightParams"]


def _scalars(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Mapping):
        msg = f"{attribute.name} must be a mapping of names to scalars, got {value!r}"
        raise ParameterError(attribute.name, msg)
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, bool | int | float | str):
            msg = f"{attribute.name}.{key}: {item!r} is not a scalar (bool, int, float, str)"
            raise ParameterError(f"{attribute.name}.{key}", msg)


@attrs.frozen(kw_only=True)
class GratingWithLightParams(GratingParams):
    """:class:`~mozaik_visual.stimuli.GratingParams` plus the light shown with the grating.

    Parameters
    ----------
    light : mapping of str to scalar
        The light shown with the grating, as scalars (an optogenetic experiment's description
        of its pattern and timing); part of the stimulus's identity.
    """

    light: Mapping[str, Any] = attrs.field(factory=dict, validator=_scalars)


class GratingWithLight(FullfieldDriftingSinusoidalGrating):
    """A full-field drifting sinusoidal grating shown while light stimulates the cortex; the
    sensory input sees the grating, the experiment injects the light's photocurrent."""

    name: ClassVar[str] = "GratingWithLight"
    __slots__ = ()
