"""Small frozen records that registration hooks return and the registry hands out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic

import attrs
from typing_extensions import TypeVar

if TYPE_CHECKING:
    from mozaik.ads import AnalysisDataStructure

__all__ = ["COMPONENT_KINDS", "ComponentSpec", "RegisteredADS", "RegisteredComponent",
           "SheetAnnotations"]

#: Every kind of component a plugin can register, in the order ``mozaik plugins`` lists them.
#: Each kind ``k`` has a registration hook ``mozaik_<k>()``.
COMPONENT_KINDS: tuple[str, ...] = (
    "input_spaces",
    "sensory_inputs",
    "sheets",
    "connectors",
    "connector_functions",
    "stimuli",
    "experiments",
    "analyses",
    "plots",
    "search_plots",
    "backends",
)

#: The factory type of a :class:`ComponentSpec`: one of the protocols of
#: :mod:`mozaik.plugin` (``SheetFactory``...), or any callable when left unparametrised.
F = TypeVar("F", bound=Callable[..., object], default=Callable[..., Any])


def _check_name(_instance: object, _attribute: object, value: str) -> None:
    if not value or not value.isidentifier():
        msg = (
            f"component name {value!r} is not a valid identifier; use a CamelCase name such as "
            "'UniformSheet' (it is how configuration files refer to the component)"
        )
        raise ValueError(msg)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        msg = (f"annotation names must be a sequence of names such as ('gabor_orientation_rad',), "
               f"got the string {value!r}")
        raise TypeError(msg)
    return tuple(value)


def _aliases(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        msg = f"aliases must be a sequence of names such as ('slurm',), got the string {value!r}"
        raise TypeError(msg)
    return tuple(value)


@attrs.frozen(kw_only=True)
class SheetAnnotations:
    """Neuron annotations (by name) on a connector's source and target sheets.

    A connector's or connector function's registration uses it to declare what it reads
    (``requires_annotations``) and what it sets (``provides_annotations``), so a model builds a
    connector after the connectors that annotate its sheets, whatever the order they are
    declared in (see ``docs/hooks.md``).

    Parameters
    ----------
    source, target : sequence of str
        Annotation names on the connector's source sheet and on its target sheet.
    """

    source: tuple[str, ...] = attrs.field(default=(), converter=_names)
    target: tuple[str, ...] = attrs.field(default=(), converter=_names)


@attrs.frozen(kw_only=True)
class ComponentSpec(Generic[F]):
    """What a plugin registers for one component.

    Parametrised by the kind's factory protocol, e.g. ``ComponentSpec[SheetFactory]``, so a
    type checker verifies the factory's signature.

    Parameters
    ----------
    name : str
        The name configuration files use (``component: name``). Unique per kind across all
        installed plugins.
    config_cls : type
        A frozen attrs class declaring the component's parameters; the loaded configuration tree
        is structured into it with cattrs.
    factory : callable
        Builds the component. Its signature depends on the kind: see the factory protocols
        (``SheetFactory``, ``AnalysisFactory``, ...) and the hook reference (``docs/hooks.md``).
    summary : str
        One line for ``mozaik plugins``.
    requires_annotations : SheetAnnotations
        Connectors and connector functions only: the neuron annotations the component reads from
        the source and target sheets of the connector (for a connector function: of the
        connector using it). A sheet that lacks one when connectors are built must get it from
        another connector that provides it, which is then built first.
    provides_annotations : SheetAnnotations
        Connectors only: the neuron annotations the connector sets on its source and target
        sheets when it is built.
    aliases : sequence of str
        Backends only: short names the command line and search files accept besides ``name``
        (``("slurm",)`` for ``SlurmBackend``); unique across installed plugins.
    install_hint : str
        What to install when the component cannot be built for lack of a package (e.g.
        ``"pip install mozaik-hpc[mpi]"``); shown in the error then.
    """

    name: str = attrs.field(validator=_check_name)
    config_cls: type
    factory: F
    summary: str = ""
    requires_annotations: SheetAnnotations = attrs.field(factory=SheetAnnotations)
    provides_annotations: SheetAnnotations = attrs.field(factory=SheetAnnotations)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_aliases)
    install_hint: str = ""


@attrs.frozen(kw_only=True)
class RegisteredComponent(Generic[F]):
    """A component as the registry knows it: the plugin's spec plus where it came from."""

    kind: str
    spec: ComponentSpec[F]
    plugin: str
    distribution: str
    version: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def config_cls(self) -> type:
        return self.spec.config_cls

    @property
    def factory(self) -> F:
        return self.spec.factory

    @property
    def summary(self) -> str:
        return self.spec.summary


@attrs.frozen(kw_only=True)
class RegisteredADS:
    """An analysis data structure class as the registry knows it, with its provider.

    Attributes
    ----------
    cls : type of AnalysisDataStructure
        The class; ``cls.identifier`` (its class name) is what the datastore stores.
    plugin, distribution, version : str
        The plugin that registered it (``mozaik_analysis_data_structures``) and its distribution.
    """

    cls: type[AnalysisDataStructure]
    plugin: str
    distribution: str
    version: str

    @property
    def identifier(self) -> str:
        return self.cls.identifier

    @property
    def summary(self) -> str:
        doc = (self.cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""
