"""What one kind of ``mozaik plugin new`` generates: the records the templates are made of."""

from __future__ import annotations

import attrs

__all__ = ["CELL", "KindTemplate", "Registration"]

#: PyNN parameters (ms, mV, nF, uS) of the cells of every generated example study.
CELL = ("{cm: 0.2, tau_m: 20.0, v_rest: -60.0, v_thresh: -50.0, v_reset: -60.0, "
        "tau_refrac: 5.0, e_rev_E: 0.0, e_rev_I: -80.0, tau_syn_E: 5.0, tau_syn_I: 10.0}")


@attrs.frozen
class Registration:
    """One component the generated plugin registers.

    Parameters
    ----------
    kind : str
        One of :data:`mozaik.plugin.COMPONENT_KINDS`.
    name : str
        The component's registered name (with the ``__P__`` token); its parameters class is
        ``<name>Params`` in the generated components module.
    summary : str
        The one line ``mozaik plugins`` shows.
    """

    kind: str
    name: str
    summary: str


@attrs.frozen(kw_only=True)
class KindTemplate:
    """The kind-specific part of a generated plugin.

    Parameters
    ----------
    module : str
        Source of ``src/<package>/_components.py``.
    registrations : tuple of Registration
        What ``_plugin.py`` registers (first: the component of the kind asked for).
    tests : str
        Test classes appended to ``tests/test_components.py``.
    contracts : tuple of str
        The ``mozaik.testing`` suites the tests subclass.
    study : str
        The study sections after ``simulator:`` of ``examples/study.yaml``, which uses the
        component on NEST.
    """

    module: str
    registrations: tuple[Registration, ...]
    tests: str
    contracts: tuple[str, ...]
    study: str
