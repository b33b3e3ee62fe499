"""The contract every execution backend meets: ``BackendContract``.

A backend plugin's tests subclass it and name the backend; the suite runs a tiny study of core
components through the registry, the way ``mozaik run`` does::

    from mozaik.testing import BackendContract

    class TestSlurmBackend(BackendContract):
        name = "SlurmBackend"
        example_params = {"partition": "debug"}

The study runs on PyNN's ``mock`` backend by default (no NEST needed); set ``simulator =
"nest"`` (and mark the class ``@pytest.mark.nest``) to run it on NEST.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

from mozaik._errors import MozaikError
from mozaik.backends import BACKENDS, Backend, BackendFactory, RunOptions
from mozaik.config import structure
from mozaik.datastore import DataStore
from mozaik.plugin import AnyComponent, PluginManager
from mozaik.search import SearchOptions, read_index, run_search, search_from_mapping
from mozaik.study import Study, load_study
from mozaik.testing._fixtures import use_plugin_manager

__all__ = ["BackendContract", "contract_study_dir", "contract_study_text"]

_CELL = ("{tau_m: 20.0, v_rest: -60.0, v_thresh: -50.0, v_reset: -60.0, tau_refrac: 5.0, "
         "tau_syn_E: 5.0, tau_syn_I: 10.0, e_rev_E: 0.0, e_rev_I: -80.0, cm: 0.2}")


def contract_study_text(simulator: str = "mock") -> str:
    """A tiny study of core components: two sheets, a connector, a kick, spontaneous activity
    and a current step (four presentations with blanks); what :class:`BackendContract` runs."""
    return textwrap.dedent(f"""\
        name: backend_contract
        simulator: {{backend: {simulator}, time_step: 0.1, seed: 11}}
        controller: {{null_stimulus_period: 20.0, progress_chunk_ms: 50.0}}
        sheets:
          exc:
            component: Sheet
            params:
              cell: {{model: IF_cond_exp, params: {_CELL}}}
              placement: {{kind: grid, size_um: [100.0, 100.0], n_neurons: 16}}
              recorders: [{{variables: [spikes], neurons: all}}]
          inh:
            component: Sheet
            params:
              cell: {{model: IF_cond_exp, params: {_CELL}}}
              placement: {{kind: grid, size_um: [100.0, 100.0], n_neurons: 4}}
              recorders: [{{variables: [spikes], neurons: all}}]
        connectors:
          exc_inh: {{component: FixedProbabilityConnector, source: exc, target: inh,
                    params: {{probability: 0.5, weight_uS: 0.004, delay_ms: 0.2}}}}
        experiments:
          - {{component: PoissonNetworkKick, params: {{duration_ms: 60.0, drive_period_ms: 30.0,
              sheets: [exc], rate_hz: 200.0, weight_uS: 0.01}}}}
          - {{component: NoStimulation, params: {{duration_ms: 120.0, num_trials: 2}}}}
          - {{component: CurrentInjection, params: {{sheet: exc, cells: [0, 1],
              amplitudes_nA: [0.5], duration_ms: 40.0, onset_ms: 10.0}}}}
        """)


@pytest.fixture
def contract_study_dir(tmp_path: Path) -> Path:
    """A folder holding ``study.yaml``: :func:`contract_study_text` on the ``mock`` backend
    (for tests of searches and backends that need a study file, not a simulator)."""
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "study.yaml").write_text(contract_study_text("mock"))
    return folder


class BackendContract:
    """Contract of an execution backend (a ``mozaik_backends`` component).

    Class attributes to set
    -----------------------
    name : str
        The registered name of the backend.
    example_params : mapping
        A valid parameter tree, as under ``backend: {params: ...}`` in a study.
    simulator : str
        PyNN backend the contract study runs on (``mock`` by default).
    run_options : RunOptions or None
        Options passed to ``backend.run``, with ``progress="off"`` always.
    runs_studies : bool
        False for a backend that only runs parameter searches: :meth:`Backend.run` must then
        raise a :class:`mozaik.MozaikError` saying what to do instead.
    search_options : SearchOptions or None
        Options passed to ``backend.run_search`` (through :func:`mozaik.search.run_search`).
    """

    name: ClassVar[str]
    example_params: ClassVar[Mapping[str, Any]] = {}
    simulator: ClassVar[str] = "mock"
    run_options: ClassVar[RunOptions | None] = None
    runs_studies: ClassVar[bool] = True
    search_options: ClassVar[SearchOptions | None] = None

    def manager(self) -> PluginManager:
        """The plugin manager the suite looks the backend up in (override to register it)."""
        return PluginManager(autoload=True)

    def component(self) -> AnyComponent[BackendFactory[Any]]:
        return self.manager().registry[BACKENDS][self.name]

    def backend(self) -> Backend:
        component = self.component()
        params: Any = structure(dict(self.example_params), component.config_cls,
                                path="backend.params")
        backend = component.factory(params)
        assert isinstance(backend, Backend), f"{self.name} must subclass mozaik.backends.Backend"
        return backend

    def study(self, folder: Path) -> Study:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "study.yaml"
        path.write_text(contract_study_text(self.simulator))
        return load_study(path, registry=self.manager().registry)

    def _run(self, tmp_path: Path, run_dir: Path) -> Any:
        options = attrs.evolve(self.run_options or RunOptions(), progress="off")
        manager = self.manager()
        with use_plugin_manager(manager):
            return self.backend().run(self.study(tmp_path / "study"), run_dir, options)

    def test_is_a_backend_with_frozen_params(self) -> None:
        component = self.component()
        assert attrs.has(component.config_cls), "backend params must be a frozen attrs class"
        backend = self.backend()
        assert isinstance(backend, Backend), f"{self.name} must subclass mozaik.backends.Backend"
        params_cls = type(backend.params)
        assert attrs.has(params_cls)
        field = next(iter(attrs.fields(params_cls)), None)
        if field is not None:
            try:
                setattr(backend.params, field.name, getattr(backend.params, field.name))
            except attrs.exceptions.FrozenInstanceError:
                pass
            else:
                raise AssertionError(f"{type(backend.params).__name__} must be frozen")

    def test_runs_a_study_completely(self, tmp_path: Path) -> None:
        from mozaik.controller import RunSummary

        run_dir = tmp_path / "run"
        if not self.runs_studies:
            try:
                self._run(tmp_path, run_dir)
            except MozaikError as exc:
                assert self.name in str(exc) or "backend" in str(exc).lower()
                return
            raise AssertionError(f"{self.name} declares runs_studies=False but ran a study")
        summary = self._run(tmp_path, run_dir)
        assert isinstance(summary, RunSummary)
        assert summary.planned == 4 and summary.presented == 4
        with DataStore.open(run_dir) as store:
            assert store.manifest["status"] == "complete"
            assert len(store.presentations()) == 4
            assert len(store.presentations(null=True)) == 4
            assert store.sheets() == ["exc", "inh"]

    def test_runs_a_search_and_a_finished_search_does_nothing(self, tmp_path: Path) -> None:
        folder = tmp_path / "study"
        self.study(folder)
        search = search_from_mapping(
            {"study": "study/study.yaml", "kind": "list",
             "points": [{"connectors.exc_inh.params.weight_uS": 0.002},
                        {"connectors.exc_inh.params.weight_uS": 0.006}]},
            tmp_path, name="contract")
        master = tmp_path / "master"
        with use_plugin_manager(self.manager()):
            first = run_search(search, master, self.backend(), options=self.search_options)
            again = run_search(search, master, self.backend(), options=self.search_options)
        assert first.ran == (0, 1) and first.done == 2, read_index(master).to_pylist()
        assert again.ran == () and again.done == 2
        index = read_index(master)
        assert index["status"].to_pylist() == ["done", "done"]
        assert index["connectors.exc_inh.params.weight_uS"].to_pylist() == [0.002, 0.006]

    def test_a_complete_run_returns_at_once(self, tmp_path: Path) -> None:
        run_dir = tmp_path / "run"
        if not self.runs_studies:  # a search-only backend refuses, and leaves nothing behind
            with pytest.raises(MozaikError):
                self._run(tmp_path, run_dir)
            assert not run_dir.exists(), f"{self.name} refused the study but made {run_dir}"
            return
        run_dir = tmp_path / "run"
        self._run(tmp_path, run_dir)
        again = self._run(tmp_path, run_dir)
        assert (again.presented, again.replayed, again.stored_before) == (0, 0, 4)
        assert again.build_s == 0.0, "a complete run must not build the network again"
