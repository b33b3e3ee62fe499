"""Small frozen records that registration hooks return and the registry hands out."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import attrs

from mozaik._errors import PluginError

__all__ = ["COMPONENT_KINDS", "ComponentKind", "ComponentSpec", "RegisteredADS",
           "RegisteredComponent", "SheetAnnotations", "kind_label", "known_kind",
           "public_name"]

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
    "exporters",
)

_SINGULAR = {"analyses": "analysis", "stimuli": "stimulus"}


def kind_label(kind: str, *, plural: bool = False) -> str:
    """Human name of a component kind: ``connector_functions`` -> ``connector function``.

    With ``plural=True`` the plural (``stimuli`` -> ``stimuli``, ``analyses`` -> ``analyses``).
    """
    if plural:
        return kind.replace("_", " ")
    last = kind.rsplit("_", 1)[-1]
    singular = _SINGULAR.get(last, last[:-1] if last.endswith("s") else last)
    return (kind[: len(kind) - len(last)] + singular).replace("_", " ")


#: The parameters class of a component (its ``config_cls``).
P = TypeVar("P", covariant=True)
#: The factory type of a component: its kind's factory protocol, which lives with the kind
#: (``mozaik.model.SheetFactory[P]``, ``mozaik.analysis.AnalysisFactory[P]``...). Both are
#: covariant: the records are frozen, so a record of a narrower type is one of a wider type.
F = TypeVar("F", bound=Callable[..., object], covariant=True)
#: A class built by factories (the base class of a kind, or of analysis data structures).
T = TypeVar("T")

# Every kind key defined so far, by name: a key registers itself when the package that defines
# its kind is imported, so string lookups (``registry.kind("sheets")``) check the same rules
_KINDS: dict[str, ComponentKind[Callable[..., object]]] = {}


@attrs.frozen(eq=False)
class ComponentKind(Generic[F]):
    """The typed key of one component kind: ``registry[SHEETS]`` is a table of sheets.

    A kind's key and its factory protocol live with the kind (``mozaik.model.SHEETS`` and
    ``mozaik.model.SheetFactory``), so this ground floor names no higher package.

    Parameters
    ----------
    name : str
        The kind, one of :data:`COMPONENT_KINDS` (``"sheets"``); its registration hook is
        ``mozaik_<name>``.
    base : type
        The class every component of the kind is: a class registered as factory must subclass
        it, a function factory must return an instance of it.
    label : str
        Human name in messages (``"sheet"``); defaults to one derived from ``name``.
    """

    name: str
    base: type
    label: str = attrs.field(
        default=attrs.Factory(lambda self: kind_label(self.name), takes_self=True))

    def __attrs_post_init__(self) -> None:
        if self.name not in COMPONENT_KINDS:
            msg = (f"unknown component kind {self.name!r}; kinds are: "
                   f"{', '.join(COMPONENT_KINDS)} (a new kind needs a hook in mozaik.plugin)")
            raise PluginError(msg)
        _KINDS.setdefault(self.name, self)  # the first key of a name is the kind's

    @property
    def hook(self) -> str:
        """The registration hook's name, ``mozaik_<name>``."""
        return f"mozaik_{self.name}"

    def __repr__(self) -> str:
        return f"ComponentKind({self.name!r}, base={self.base.__qualname__})"


def public_name(cls: type) -> str:
    """``mozaik.model.Sheet`` for ``mozaik.model._sheet.Sheet``: where users import it from."""
    parts = cls.__module__.split(".")
    public = itertools.takewhile(lambda part: not part.startswith("_"), parts)
    return ".".join([*public, cls.__qualname__])


def known_kind(name: str) -> ComponentKind[Callable[..., object]] | None:
    """The key of kind ``name`` if the package defining it has been imported, else None."""
    return _KINDS.get(name)


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
class ComponentSpec(Generic[P, F]):
    """What a plugin registers for one component.

    Parametrised by the parameters class and the kind's factory protocol over it, e.g.
    ``ComponentSpec[BarrelParams, SheetFactory[BarrelParams]]``, so a type checker verifies
    that ``config_cls`` is the class the factory accepts and that the factory has the kind's
    signature (a hook annotated ``-> list[ComponentSpec[BarrelParams,
    SheetFactory[BarrelParams]]]`` is checked).

    Parameters
    ----------
    name : str
        The name configuration files use (``component: name``). Unique per kind across all
        installed plugins.
    config_cls : type
        A frozen attrs class declaring the component's parameters; the loaded configuration tree
        is structured into it with cattrs.
    factory : callable
        Builds the component. Its signature is the kind's factory protocol, which lives with
        the kind (``mozaik.model.SheetFactory``, ``mozaik.analysis.AnalysisFactory``, ...; see
        the hook reference, ``docs/hooks.md``). A class must subclass the kind's base class.
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
    config_cls: type[P]
    factory: F
    summary: str = ""
    requires_annotations: SheetAnnotations = attrs.field(factory=SheetAnnotations)
    provides_annotations: SheetAnnotations = attrs.field(factory=SheetAnnotations)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_aliases)
    install_hint: str = ""


@attrs.frozen(kw_only=True)
class RegisteredComponent(Generic[P, F]):
    """A component as the registry knows it: the plugin's spec plus where it came from."""

    kind: str
    spec: ComponentSpec[P, F]
    plugin: str
    distribution: str
    version: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def config_cls(self) -> type[P]:
        return self.spec.config_cls

    @property
    def factory(self) -> F:
        return self.spec.factory

    @property
    def summary(self) -> str:
        return self.spec.summary

    @property
    def who(self) -> str:
        """``"plugin 'x' of distribution y 1.0"``, for messages."""
        return f"plugin {self.plugin!r} of distribution {self.distribution} {self.version}"

    def built(self, value: T, base: type) -> T:
        """``value``, checked to be a ``base`` (what a function factory returned).

        Raises
        ------
        PluginError
            Naming the component, its kind, plugin and distribution, and the fix.
        """
        if isinstance(value, base):
            return value
        label = kind_label(self.kind)
        msg = (f"the factory of {label} {self.name!r} ({self.who}) returned "
               f"{type(value).__qualname__} {value!r:.80}, which is not a "
               f"{public_name(base)}; a {label} factory must return an instance of a "
               f"subclass of {base.__qualname__} (mozaik hook API 2): fix or upgrade "
               f"{self.distribution}")
        raise PluginError(msg)


@attrs.frozen(kw_only=True)
class RegisteredADS(Generic[T]):
    """An analysis data structure class as the registry knows it, with its provider.

    Attributes
    ----------
    cls : type of AnalysisDataStructure
        The class; ``cls.identifier`` (its class name) is what the datastore stores.
    plugin, distribution, version : str
        The plugin that registered it (``mozaik_analysis_data_structures``) and its distribution.
    """

    cls: type[T]
    plugin: str
    distribution: str
    version: str

    @property
    def identifier(self) -> str:
        return str(getattr(self.cls, "identifier", self.cls.__name__))

    @property
    def summary(self) -> str:
        doc = (self.cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""
