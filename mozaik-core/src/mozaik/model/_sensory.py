"""The InputSpace and SensoryInput base classes: the sensory world and the layer that senses it.

Core runs models without sensory input (e.g. Vogels & Abbott); plugins such as mozaik-visual
provide an input space (visual space in degrees) and a sensory input layer (retina/LGN) that
turns what the space shows into spikes of the sheets it owns.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Generic

from typing_extensions import TypeVar

if TYPE_CHECKING:
    from mozaik.model._model import Model
    from mozaik.model._sheet import Sheet
    from mozaik.stimulus import Frames, Stimulus

__all__ = ["InputSpace", "SensoryInput"]

_P = TypeVar("_P", covariant=True, default=object)

Scalar = bool | int | float | str


class InputSpace(ABC, Generic[_P]):
    """Base class of input spaces: the sensory world stimuli are drawn into.

    Registered through ``mozaik_input_spaces()`` with its parameters as a frozen attrs class
    and built as ``factory(params)``; the model holds it as ``model.input_space``.

    Parameters
    ----------
    params : attrs instance
        The structured parameters (the registered ``config_cls``), the type argument:
        ``class VisualSpace(InputSpace[VisualSpaceParams])``.

    Attributes
    ----------
    params : attrs instance
        As given.
    """

    params: _P

    def __init__(self, params: _P) -> None:
        self.params = params

    @abstractmethod
    def describe(self) -> dict[str, Scalar]:
        """Scalar description of the space (extent, resolution, update interval in ms...),
        recorded with the model's description."""

    def frames(self, stimulus: Stimulus) -> Frames | None:
        """The stimulus as this space shows it, for people to look at; None when the space
        cannot picture it.

        The seam viewers use (the explorer's stimulus movies): they rebuild a stored stimulus
        and ask the study's input space for its frames, never importing the plugin. The
        default answers None (a space with nothing to picture). An override returns
        :class:`~mozaik.stimulus.Frames` whose ``duration_ms`` (frames x interval) equals
        ``stimulus.duration_ms``, the same frames for the same stimulus, and None (not an
        error) for a stimulus that is not of this space (core's ``InternalStimulus``); it
        raises a :class:`~mozaik.MozaikError` naming the stimulus only when a stimulus of this
        space cannot be drawn (it does not fit the space).

        Parameters
        ----------
        stimulus : Stimulus
            The stimulus, e.g. rebuilt from a stored identity with
            :func:`mozaik.stimulus.stimulus_from_identity`.

        Returns
        -------
        Frames or None
        """
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


class SensoryInput(ABC, Generic[_P]):
    """Base class of sensory input layers: they sense the input space and drive sheets.

    Registered through ``mozaik_sensory_inputs()`` with its parameters as a frozen attrs class
    and built as ``factory(name, params, model)`` after the input space, before the model's
    other sheets. The sheets it creates go into :attr:`sheets`; :func:`mozaik.model.build_model`
    adds them to the model. Its parameter class names them in a ``populations`` field (a tuple
    of sheet names), so a study's connectors can use them as sources before the model exists.

    Parameters
    ----------
    name : str
        The layer's name in the study (``sensory_input.component``).
    params : attrs instance
        The structured parameters (the registered ``config_cls``), the type argument:
        ``class LGN(SensoryInput[LGNParams])``.
    model : Model
        The model being built; ``model.input_space`` is already set.

    Attributes
    ----------
    name : str
    params : attrs instance
    model : Model
    sheets : dict of str to Sheet
        The sheets this layer owns, by name.
    """

    params: _P

    def __init__(self, name: str, params: _P, model: Model) -> None:
        self.name = name
        self.params = params
        self.model = model
        self.sheets: dict[str, Sheet] = {}

    @abstractmethod
    def present(self, stimulus: Stimulus, t_start_ms: float) -> None:
        """Make the layer's sheets respond to ``stimulus`` shown from ``t_start_ms``.

        The controller calls it before every presentation *and* before every blank between
        presentations (with core's ``Null`` stimulus), each before the model runs it, so the
        layer sees the whole timeline; experiments never call it themselves.

        Parameters
        ----------
        stimulus : Stimulus
            The stimulus, already drawn into the input space.
        t_start_ms : float, ms
            Absolute simulation time (``model.time``) at which the stimulus starts; it lasts
            ``stimulus.duration_ms``.
        """

    def reset(self) -> None:
        """Forget what was shown (filter histories...): the controller calls it after every
        network reset (``controller.reset``), so each presentation starts afresh. The default
        does nothing."""
        return None

    def describe(self) -> dict[str, Scalar]:
        """Scalar description of the layer, recorded with the model's description."""
        return {"sheets": ", ".join(sorted(self.sheets))}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, sheets={sorted(self.sheets)})"
