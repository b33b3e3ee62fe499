"""Backends: how a study is run. The built-in ``LocalBackend`` runs it in this process.

``mozaik run`` looks the backend up in the plugin registry (``backend:`` section of the study,
or ``--backend NAME``; ``LocalBackend`` by default) and calls ``factory(params).run(study,
run_dir, **options)``. Plugins (e.g. mozaik-hpc) register backends that submit a study, or a
sweep of it, to a cluster.
"""

from __future__ import annotations

import abc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from mozaik.study import Study

if TYPE_CHECKING:
    from mozaik.controller._state import RunSummary

__all__ = ["Backend", "LocalBackend", "LocalBackendParams"]


class Backend(abc.ABC):
    """Base class of execution backends.

    A backend is registered through the ``mozaik_backends`` hook with
    ``ComponentSpec(name=..., config_cls=<frozen attrs params class>, factory=<Backend
    subclass>)``; the factory is called as ``factory(params)``.

    Parameters
    ----------
    params : attrs instance
        The backend's structured parameters (its registered ``config_cls``), kept as
        :attr:`params`.

    Notes
    -----
    :meth:`run` must leave ``run_dir`` holding the complete run (every planned presentation
    stored, analyses and plots done) when it returns, and must accept a ``run_dir`` that holds a
    part of the run (completing it). ``mozaik.testing.BackendContract`` checks both.
    """

    def __init__(self, params: Any) -> None:
        self.params = params

    @abc.abstractmethod
    def run(self, study: Study, run_dir: Path, **options: Any) -> RunSummary:
        """Run (or complete) ``study`` into ``run_dir``.

        Parameters
        ----------
        study : Study
            The loaded study.
        run_dir : pathlib.Path
            The run directory (created if missing).
        **options
            Options of ``mozaik run`` every backend accepts: ``progress`` (``auto``, ``bar``,
            ``log``, ``off``) and ``replay`` (bool or None); a backend may accept more.

        Returns
        -------
        RunSummary
        """


def _progress_mode(_inst: object, _attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in ("auto", "bar", "log", "off"):
        msg = f"progress must be one of auto, bar, log, off; got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class LocalBackendParams:
    """Parameters of the local backend.

    Parameters
    ----------
    progress : {"auto", "bar", "log", "off"}
        Default progress display (see :func:`mozaik.controller.run_study`); the ``progress``
        option of :meth:`LocalBackend.run` overrides it.
    """

    progress: str = attrs.field(default="auto", validator=_progress_mode)


class LocalBackend(Backend):
    """Runs one study at a time in the calling process (sweeps come with mozaik-hpc)."""

    params: LocalBackendParams

    def __init__(self, params: LocalBackendParams | None = None) -> None:
        super().__init__(params or LocalBackendParams())

    def run(self, study: Study, run_dir: Path, **options: Any) -> RunSummary:
        """Run (or complete) ``study`` into ``run_dir`` with :func:`run_study`.

        ``options`` go to ``run_study`` (``progress``, ``replay``, ``model``,
        ``build_model``, ``plugin_manager``); ``progress=None`` means the params' default.
        """
        from mozaik.controller._run import run_study

        if options.get("progress") is None:
            options["progress"] = self.params.progress
        return run_study(study, Path(run_dir), **options)
