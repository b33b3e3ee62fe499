"""Small frozen records that registration hooks return and the registry hands out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["COMPONENT_KINDS", "ComponentSpec", "RegisteredComponent"]

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
    "backends",
)


def _check_name(_instance: object, _attribute: object, value: str) -> None:
    if not value or not value.isidentifier():
        msg = (
            f"component name {value!r} is not a valid identifier; use a CamelCase name such as "
            "'UniformSheet' (it is how configuration files refer to the component)"
        )
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class ComponentSpec:
    """What a plugin registers for one component.

    Parameters
    ----------
    name : str
        The name configuration files use (``component: name``). Unique per kind across all
        installed plugins.
    config_cls : type
        A frozen attrs class declaring the component's parameters; the loaded configuration tree
        is structured into it with cattrs.
    factory : callable
        Builds the component. Its call signature depends on the kind and is documented in the
        hook reference (``docs/hooks.md``).
    summary : str
        One line for ``mozaik plugins``.
    """

    name: str = attrs.field(validator=_check_name)
    config_cls: type
    factory: Callable[..., Any]
    summary: str = ""


@attrs.frozen(kw_only=True)
class RegisteredComponent:
    """A component as the registry knows it: the plugin's spec plus where it came from."""

    kind: str
    spec: ComponentSpec
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
    def factory(self) -> Callable[..., Any]:
        return self.spec.factory

    @property
    def summary(self) -> str:
        return self.spec.summary
