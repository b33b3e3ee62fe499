"""The simulator: importing a PyNN backend quietly, setting it up, and deriving seeds.

Every random draw of a model comes from a :class:`pyNN.random.NumpyRNG` whose seed is derived
from the study's master seed and a stable key (``"sheet:exc"``, ``"connector:exc_inh"``), so a
component's draws do not change when another component is added. The simulator's own generator
(NEST ``rng_seed``, used by Poisson generators and native connection rules) is derived the same
way.
"""

from __future__ import annotations

import importlib
import os
import warnings
import zlib
from types import ModuleType
from typing import Any

import numpy as np

from mozaik._errors import SimulationError, SimulatorNotInstalledError
from mozaik.config import SimulatorConfig
from mozaik.study import check_threads

__all__ = [
    "BACKENDS",
    "connection_total",
    "derive_seed",
    "drop_stale_samples",
    "import_backend",
    "keep_window_start_sample",
    "make_rng",
    "mock_recording_windows",
    "setup_simulator",
    "silence_extension_warnings",
]

#: PyNN backends Mozaik knows how to install, with the pip command that installs each.
BACKENDS: dict[str, str] = {
    "nest": "pip install mozaik-core[nest]  (or: pip install nest-simulator)",
    "mock": "nothing: it ships with PyNN",
    "neuron": "pip install neuron",
    "brian2": "pip install brian2",
}

# Warnings PyNN prints on every ``import pyNN.nest`` when it cannot compile its optional NEST
# extension (only StochasticTsodyksMarkramSynapse needs it; Mozaik does not use it).
_EXTENSION_WARNINGS = (
    r"(?s).*nest-config.*",
    r"(?s)Problem running cmake.*",
    r"(?s)Unable to compile NEST extensions.*",
    r"(?s)Unable to install NEST extensions.*",
    r"(?s)Cannot create build directory for nest extensions.*",
    r"(?s)\s*Provided for backward compatibility only.*",
)


def silence_extension_warnings() -> None:
    """Hide PyNN's warnings about failing to build its optional NEST extension, process-wide.

    PyNN runs cmake on every ``import pyNN.nest`` to build an extension only
    ``StochasticTsodyksMarkramSynapse`` needs, and the PyPI NEST wheel names a compiler that
    does not exist, so every import prints a cmake error users cannot act on. Importing
    :mod:`mozaik.model` installs these narrow filters, so the error stays hidden whichever way
    PyNN's NEST backend is imported afterwards (Mozaik's model, or the user's own
    ``import pyNN.nest``); other warnings are untouched.
    """
    for pattern in _EXTENSION_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern, category=UserWarning)


def import_backend(backend: str) -> ModuleType:
    """Import and return the PyNN backend module ``pyNN.<backend>``.

    For NEST, the startup banner is turned off (``PYNEST_QUIET``, unless already set) and
    PyNN's warnings about failing to build its optional NEST extension are silenced.

    Raises
    ------
    SimulatorNotInstalledError
        The backend's simulator cannot be imported; the message says how to install it.
    """
    if backend not in BACKENDS:
        msg = (f"simulator backend {backend!r} is not supported; set simulator.backend to one "
               f"of: {', '.join(BACKENDS)}")
        raise SimulatorNotInstalledError(msg)
    if backend == "nest":
        os.environ.setdefault("PYNEST_QUIET", "1")
        # PyNN 0.13 still calls NEST's deprecated SetStatus/GetStatus; users cannot act on it.
        warnings.filterwarnings("ignore", message=r"\s*(Set|Get)Status\(\) is deprecated",
                                category=UserWarning)
    try:
        with warnings.catch_warnings():
            for pattern in _EXTENSION_WARNINGS:
                warnings.filterwarnings("ignore", message=pattern)
            return importlib.import_module(f"pyNN.{backend}")
    except ImportError as exc:
        msg = (f"the {backend!r} simulator backend cannot be imported ({exc}); install it with "
               f"{BACKENDS[backend]}, or choose another backend with simulator.backend")
        raise SimulatorNotInstalledError(msg) from exc


silence_extension_warnings()


def derive_seed(master: int, key: str) -> int:
    """A seed in ``[1, 2**31 - 1]`` derived from the master seed and a stable string key."""
    sequence = np.random.SeedSequence([int(master), zlib.crc32(key.encode("utf-8"))])
    return int(sequence.generate_state(1, dtype=np.uint32)[0] % (2**31 - 2)) + 1


def make_rng(master: int, key: str) -> Any:
    """A :class:`pyNN.random.NumpyRNG` seeded with :func:`derive_seed` ``(master, key)``."""
    from pyNN.random import NumpyRNG

    return NumpyRNG(seed=derive_seed(master, key), parallel_safe=True)


def setup_simulator(sim: ModuleType, config: SimulatorConfig) -> None:
    """Call ``sim.setup`` with the time step, delays, threads and the derived simulator seed.

    Raises
    ------
    SimulationError
        The time step or delays are invalid (also checked when the config is built), or the
        simulator refused the setup.
    ConfigError
        More NEST threads than this machine can serve (:func:`mozaik.study.check_threads`:
        more than :data:`mozaik.study.THREADS_PER_CORE_LIMIT` per core).
    """
    time_step = float(config.time_step)
    min_delay = float(config.effective_min_delay)
    if not time_step > 0:
        msg = (f"simulator.time_step must be > 0 ms, got {time_step!r}; 0.1 ms is usual for "
               "point neurons")
        raise SimulationError(msg)
    if min_delay < time_step:
        msg = (f"simulator.min_delay ({min_delay} ms) is below simulator.time_step "
               f"({time_step} ms); raise min_delay to at least the time step")
        raise SimulationError(msg)
    kwargs: dict[str, Any] = {
        "timestep": time_step,
        "min_delay": min_delay,
        "max_delay": float(config.max_delay),
    }
    if sim.__name__ == "pyNN.nest":
        check_threads(int(config.threads))  # refuses what this machine cannot serve
        kwargs["threads"] = int(config.threads)
        kwargs["rng_seed"] = derive_seed(config.seeds["simulation"], "simulator")
        kwargs["verbosity"] = "error"
    try:
        with warnings.catch_warnings():
            for pattern in _EXTENSION_WARNINGS:
                warnings.filterwarnings("ignore", message=pattern)
            sim.setup(**kwargs)
    except Exception as exc:
        msg = f"the simulator rejected its setup {kwargs}: {type(exc).__name__}: {exc}"
        raise SimulationError(msg) from exc


def connection_total(sim: ModuleType) -> int | None:
    """Total number of connections in the simulator, if it can tell cheaply (NEST can)."""
    if sim.__name__ == "pyNN.nest":
        import nest

        return int(nest.GetKernelStatus("num_connections"))
    return None


def mock_recording_windows(population: Any) -> None:
    """Make PyNN's mock recorder of ``population`` place its placeholder spikes in the
    current recording window.

    Mock has no dynamics: its recorder returns made-up spike times ``[id, id + 5] % t``,
    measured from time 0, which fall before the window of every recording after the first, so
    PyNN cannot build the segment of a second presentation. Shifting the placeholders into
    ``[window start, t)`` lets a whole run (several presentations, blanks, resume) go through
    on mock, which is what core's contract suites test without NEST; the spikes mean nothing.
    """
    recorder = getattr(population, "recorder", None)
    if recorder is None or isinstance(recorder, _windowed_mock_recorder()):
        return
    recorder.__class__ = _windowed_mock_recorder()


def _windowed_mock_recorder() -> type:
    global _WINDOWED  # one subclass per process, made on first use
    if _WINDOWED is None:
        from pyNN.mock.recording import Recorder

        class WindowedMockRecorder(Recorder):  # type: ignore[misc]
            def _get_spiketimes(self, id: Any, clear: bool = False) -> Any:
                start = float(self._recording_start_time.rescale("ms").magnitude)
                span = float(self._simulator.state.t) - start
                ids = list(id) if hasattr(id, "__len__") else [id]
                out = {int(i): (start + np.array([int(i), int(i) + 5], dtype=float) % span
                                if span > 0 else np.zeros(0)) for i in ids}
                return out if hasattr(id, "__len__") else out[int(id)]

        _WINDOWED = WindowedMockRecorder
    return _WINDOWED


_WINDOWED: type | None = None


def keep_window_start_sample(population: Any) -> None:
    """After ``population.get_data(clear=True)`` on NEST: make the next recording window's
    analog signals start with the sample at the window's start, like the first window's.

    NEST's multimeter samples at ``k * interval`` for k >= 1; PyNN puts the initial value in
    front of the first window's samples (time 0). For every later window (PyNN 0.13) it
    *overwrites* the first sample NEST delivered (at ``t_start + interval``) with the last
    value of the previous window, and labels the result from ``t_start``: the sample at
    ``t_start + interval`` is lost and every later sample is labelled one interval early
    (measured against one uninterrupted recording). Marking the multimeter clean makes PyNN
    put that last value in front instead, so every window holds the samples at
    ``t_start + k * interval``, k = 0 .. n, with their true times.
    """
    recorder = getattr(population, "recorder", None)
    multimeter = getattr(recorder, "_multimeter", None)
    if multimeter is not None and hasattr(multimeter, "_clean"):
        multimeter._clean = True


def drop_stale_samples(segment: Any, t_stop_ms: float) -> None:
    """Remove from ``segment``'s analog signals the samples NEST delivers late from before a
    reset: they follow the window's first sample (its initial value) and push the samples of
    the window back, so a signal longer than its span allows loses them.

    NEST hands a multimeter's samples over one ``min_delay`` late; those of the last
    ``min_delay`` of PyNN's flush before a reset arrive with the first window after it (PyNN
    puts the initial value in place of the first of them).
    """
    for k, sig in enumerate(segment.analogsignals):
        period = float(sig.sampling_period.rescale("ms").magnitude)
        start = float(sig.t_start.rescale("ms").magnitude)
        extra = len(sig) - (round((t_stop_ms - start) / period) + 1)
        if extra <= 0:
            continue
        kept = np.concatenate([np.asarray(sig.magnitude[:1]),
                               np.asarray(sig.magnitude[1 + extra:])])
        fixed = sig.duplicate_with_new_data(kept * sig.units)
        fixed.array_annotate(**sig.array_annotations)
        fixed.segment = segment
        segment.analogsignals[k] = fixed
