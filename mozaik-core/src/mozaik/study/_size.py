"""The size of a study before its network is built: neurons, connections and memory, checked
against the machine (its memory and its cores).

``mozaik config check`` and ``mozaik run`` estimate a study's size from its parameters alone
(no simulator is imported), refuse a study whose network would not fit in the machine's memory
(unless allowed: ``--allow-large`` or ``controller.allow_large: true``), warn above half of it,
and refuse or warn about NEST thread counts the machine cannot serve.

Components tell their size through optional class methods of their factory (duck-typed, so a
plugin needs no import to take part):

* a sheet: ``expected_size(params) -> int | None``, its number of neurons (the built-in
  :class:`mozaik.model.Sheet` reads ``params.placement``);
* a sensory input: ``expected_sizes(params) -> Mapping[str, int] | None``, neurons per
  population it creates;
* a connector: ``expected_connections(params, n_source, n_target) -> float | None``, the expected
  number of connections between sheets of these sizes;
* a sheet's parameters: ``analog_samples_per_s(time_step_ms) -> float``, the analog samples
  (Vm, conductances) its recorders store per second of model time (the built-in
  :class:`mozaik.model.SheetParams` counts them from its recorders). Recordings above
  :data:`RECORDING_BUDGET_BYTES_PER_S` get a warning with their size.

A connector that gives no estimate counts as ``n_source * n_target`` (every pair: an upper
bound, said so in the summary); a sheet or population that gives none counts as unknown.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from mozaik._errors import ConfigError
from mozaik.config import MAX_THREADS

if TYPE_CHECKING:
    from mozaik.study._layout import Study

__all__ = [
    "BASE_BYTES",
    "NEST_BYTES_PER_CONNECTION",
    "NEST_BYTES_PER_NEURON",
    "RECORDING_BUDGET_BYTES_PER_S",
    "SAMPLE_BYTES",
    "THREADS_PER_CORE_LIMIT",
    "ConnectorSize",
    "SizeEstimate",
    "check_densities",
    "check_recording",
    "check_size",
    "check_threads",
    "estimate_size",
    "machine_cores",
    "machine_memory_bytes",
]

# Measured on this project's reference machine (x86-64, NEST 3.9 PyPI wheel through PyNN 0.13,
# IF_cond_exp cells recording spikes, one thread), from the resident set size (VmRSS in
# /proc/self/status) before and after each step, with benchmarks/memory/nest_memory.py (one
# sheet and one connector built through mozaik.model; 2026-12-07):
# * neurons: 7.4 kB each when the population is created (20,000 and 200,000 neurons) and another
#   33.6 kB each at the first `run` call (NEST's per-node buffers; the same for max_delay 10 and
#   100 ms, 50,000 neurons): 41 kB per neuron.
# * static synapses: 22 to 49 B per connection at build (NEST's fixed_indegree, 5 million; PyNN's
#   FixedProbabilityConnector, 3 million) and 34 to 53 B once the first run has built NEST's
#   target tables (1 and 5 million connections onto 50,000 neurons, 1 million onto 20,000, the
#   neurons' share taken out): 50 B per connection is the estimate.
# * Tsodyks-Markram synapses: about 100 B per connection after the first run (5 million).
# * Python, NumPy, PyNN and NEST imported and set up: 185 MB; with the datastore and plugins a
#   run starts near 300 MB.
#: Bytes one neuron takes in NEST once the network has run (see the measurement above).
NEST_BYTES_PER_NEURON = 41_000
#: Bytes one connection takes in NEST, by Mozaik synapse model (``params.synapse.model``).
NEST_BYTES_PER_CONNECTION: Mapping[str, int] = {"static": 50, "tsodyks_markram": 100}
#: Bytes a run takes before its network: the interpreter, NEST, PyNN, the datastore.
BASE_BYTES = 300_000_000

#: Bytes one recorded analog sample takes in the store and in the run's memory while its
#: presentation is collected (float64 in the Parquet ``values`` lists).
SAMPLE_BYTES = 8
#: Analog recording per second of model time above which ``mozaik config check`` and ``mozaik
#: run`` warn, with the estimated size: 100 MB per simulated second is, e.g., 1,000 neurons'
#: Vm and two conductances at 0.1 ms plus 250 neurons more (a study of 100 one-second
#: presentations would store 10 GB). Synaptic currents for LFP proxies need all three.
RECORDING_BUDGET_BYTES_PER_S = 100_000_000

#: Threads per core beyond which a run is refused on the machine that runs it. More threads
#: than cores only adds switching (1,000 threads on 2 cores ran 12 times slower); a few per core
#: are allowed so that a cluster run's thread layout (NEST's results depend on the number of
#: threads) can be reproduced on a smaller machine.
THREADS_PER_CORE_LIMIT = 16


@attrs.frozen(kw_only=True)
class ConnectorSize:
    """The expected size of one connector.

    Attributes
    ----------
    name, component, source, target : str
    connections : float or None
        Expected connections; None when a sheet's size is unknown.
    upper_bound : bool
        The component gives no estimate: ``connections`` counts every pair.
    bytes_per_connection : int
    """

    name: str
    component: str
    source: str
    target: str
    connections: float | None
    upper_bound: bool
    bytes_per_connection: int


@attrs.frozen(kw_only=True)
class SizeEstimate:
    """What a study's network takes before it is built.

    Attributes
    ----------
    neurons : mapping of str to (int or None)
        Neurons per sheet (sensory input populations included); None when unknown.
    connectors : tuple of ConnectorSize
    memory_bytes : float
        Estimated peak memory of the run, bytes (:data:`BASE_BYTES`, neurons and connections).
    threads : int
        NEST threads asked for (``simulator.threads``; 1 on other simulators).
    recording_bytes_per_s : mapping of str to float
        Bytes of analog recordings (Vm, conductances) per second of model time, per sheet that
        records any (see :data:`SAMPLE_BYTES`).
    """

    neurons: Mapping[str, int | None]
    connectors: tuple[ConnectorSize, ...]
    memory_bytes: float
    threads: int
    recording_bytes_per_s: Mapping[str, float] = attrs.field(factory=dict)

    @property
    def total_recording_bytes_per_s(self) -> float:
        return sum(self.recording_bytes_per_s.values())

    @property
    def total_neurons(self) -> int:
        return sum(n for n in self.neurons.values() if n is not None)

    @property
    def total_connections(self) -> float:
        return sum(c.connections for c in self.connectors if c.connections is not None)

    def summary(self) -> str:
        """One line: neurons, connections and memory, with what is unknown or a bound."""
        unknown = [name for name, n in self.neurons.items() if n is None]
        bounds = [c.name for c in self.connectors if c.upper_bound]
        notes = []
        if unknown:
            notes.append(f"sizes of {', '.join(unknown)} unknown")
        if bounds:
            notes.append(f"at most: {', '.join(bounds)} give(s) no estimate, every pair counted")
        note = f" ({'; '.join(notes)})" if notes else ""
        recording = (f", analog recordings {format_bytes(self.total_recording_bytes_per_s)} per "
                     f"second of model time" if self.total_recording_bytes_per_s else "")
        return (f"size: {self.total_neurons:,} neurons, {_count(self.total_connections)} "
                f"connections, about {format_bytes(self.memory_bytes)} of memory{recording}{note}")


def _count(value: float) -> str:
    return f"{value:,.0f}" if value < 1e9 else f"{value:.2e}"


def format_bytes(value: float) -> str:
    """``1.5 GB`` (decimal units)."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value / 1e3:.0f} kB"


def _call(method: Any, *args: Any) -> Any:
    """A component's estimate, or None when it has none or cannot tell (an estimate never
    fails a study: validation has already checked the parameters)."""
    if method is None:
        return None
    try:
        return method(*args)
    except (ArithmeticError, LookupError, ValueError, TypeError, AttributeError):
        return None


def _as_count(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or value < 0:
        return None
    return float(value)


def estimate_size(study: Study) -> SizeEstimate:
    """Neurons per sheet, connections per connector and memory of ``study``'s network, from
    its parameters (see the module docstring for how components tell their size)."""
    neurons: dict[str, int | None] = {}
    if study.sensory_input is not None:
        entry = study.sensory_input
        sizes = _call(getattr(entry.registered.factory, "expected_sizes", None), entry.params)
        populations = getattr(entry.params, "populations", None) or ()
        if isinstance(sizes, Mapping):
            for name, n in sizes.items():
                count = _as_count(n)
                neurons[str(name)] = None if count is None else int(count)
        for name in populations:
            neurons.setdefault(str(name), None)
    recording: dict[str, float] = {}
    for name, entry in study.sheets.items():
        count = _as_count(_call(getattr(entry.registered.factory, "expected_size", None),
                                entry.params))
        neurons[name] = None if count is None else int(count)
        samples = _as_count(_call(getattr(entry.params, "analog_samples_per_s", None),
                                  float(study.simulator.time_step)))
        if samples:
            recording[name] = samples * SAMPLE_BYTES
    connectors = []
    for name, conn in study.connectors.items():
        n_source, n_target = neurons.get(conn.source), neurons.get(conn.target)
        synapse = getattr(getattr(conn.params, "synapse", None), "model", "static")
        per = NEST_BYTES_PER_CONNECTION.get(synapse, max(NEST_BYTES_PER_CONNECTION.values()))
        expected: float | None = None
        bound = False
        if n_source is not None and n_target is not None:
            method = getattr(conn.registered.factory, "expected_connections", None)
            expected = _as_count(_call(method, conn.params, n_source, n_target))
            if expected is None:
                expected, bound = float(n_source) * float(n_target), True
        connectors.append(ConnectorSize(name=name, component=conn.name, source=conn.source,
                                        target=conn.target, connections=expected,
                                        upper_bound=bound, bytes_per_connection=per))
    memory = (BASE_BYTES + NEST_BYTES_PER_NEURON * sum(n or 0 for n in neurons.values())
              + sum((c.connections or 0.0) * c.bytes_per_connection for c in connectors))
    # threads are NEST's: other backends ignore them
    threads = int(study.simulator.threads) if study.simulator.backend == "nest" else 1
    return SizeEstimate(neurons=neurons, connectors=tuple(connectors), memory_bytes=memory,
                        threads=threads, recording_bytes_per_s=recording)


def check_recording(estimate: SizeEstimate,
                    budget_bytes_per_s: float = RECORDING_BUDGET_BYTES_PER_S) -> list[str]:
    """A warning when the analog recordings exceed ``budget_bytes_per_s`` per second of model
    time, naming their size and the sheets that record most; else none."""
    total = estimate.total_recording_bytes_per_s
    if total <= budget_bytes_per_s:
        return []
    largest = sorted(estimate.recording_bytes_per_s.items(), key=lambda kv: -kv[1])[:3]
    parts = ", ".join(f"sheets.{name}: {format_bytes(b)}/s" for name, b in largest)
    return [f"the analog recordings (Vm, conductances) take about {format_bytes(total)} per "
            f"second of model time ({parts}), above the budget of "
            f"{format_bytes(budget_bytes_per_s)}/s: a study of N seconds of stimulation stores "
            f"N times this. Record a sample (recorders.N.neurons: {{random_n: 100}}) or a "
            f"longer interval (recorders.N.interval_ms: 1.0) if you need less"]


def machine_memory_bytes() -> int | None:
    """The memory this process may use: the machine's physical memory, or the limit of its
    control group (as Slurm sets for a job) when that is lower; None if unknown."""
    found: list[int] = []
    with contextlib.suppress(ValueError, OSError, AttributeError):
        found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    for file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(file).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            found.append(int(text))
    return min(found) if found else None


def machine_cores() -> int:
    """Cores this process may run on (its CPU affinity, as Slurm and taskset restrict it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_threads(threads: int, cores: int | None = None) -> list[str]:
    """Refuse ``threads`` NEST threads beyond :data:`THREADS_PER_CORE_LIMIT` per core of this
    machine; return a warning when they outnumber its cores.

    Raises
    ------
    ConfigError
        Naming ``simulator.threads``, the value, the rule and the fix.
    """
    cores = machine_cores() if cores is None else cores
    limit = min(MAX_THREADS, THREADS_PER_CORE_LIMIT * cores)
    if threads > limit:
        msg = (f"simulator.threads: {threads} NEST threads on a machine with {cores} core(s) is "
               f"more than the limit of {limit} ({THREADS_PER_CORE_LIMIT} per core, at most "
               f"{MAX_THREADS}); threads beyond the cores only slow NEST down, and thousands "
               f"crash it; set simulator.threads (or --threads) to at most {cores}")
        raise ConfigError(msg)
    if threads > cores:
        return [f"simulator.threads: {threads} NEST threads on {cores} core(s): the threads "
                f"will share cores and the run will be slower than with {cores}"]
    return []


#: A density whose neuron count rounding changes by more than this fraction is meaningless.
DENSITY_ROUNDING_LIMIT = 0.1


def check_densities(study: Study) -> list[str]:
    """Warnings for sheets whose size makes their ``density_per_mm2`` meaningless: the neuron
    count is ``round(density * area)`` (at least one), so a density giving less than half a
    neuron, or a count that rounding moves by more than :data:`DENSITY_ROUNDING_LIMIT`, builds a
    sheet of another density than the one written (``density_per_mm2: 0.0001`` on 1 mm^2 builds
    one neuron, a density of 1,000,000 per mm^2)."""
    warnings = []
    for entry in study.sheets.values():
        placement = getattr(entry.params, "placement", None)
        density = getattr(placement, "density_per_mm2", None)
        size_um = getattr(placement, "size_um", None)
        if density is None or size_um is None:
            continue
        area_mm2 = float(size_um[0]) * float(size_um[1]) / 1e6
        wanted = float(density) * area_mm2
        built = max(1, round(wanted))
        if wanted > 0 and abs(built - wanted) <= DENSITY_ROUNDING_LIMIT * wanted:
            continue
        actual = built / area_mm2 if area_mm2 > 0 else math.inf
        warnings.append(
            f"{entry.path}.params.placement.density_per_mm2: {density:g} neurons per mm^2 on "
            f"{size_um[0]:g} x {size_um[1]:g} um ({area_mm2:g} mm^2) is {wanted:.3g} neuron(s); "
            f"the sheet gets {built} ({actual:.3g} per mm^2), so the density written means "
            f"nothing; raise the density or the size, or give placement.n_neurons instead")
    return warnings


def check_size(estimate: SizeEstimate, *, allow_large: bool = False,
               memory_bytes: int | None = None, cores: int | None = None) -> list[str]:
    """Check an estimate against this machine; return warnings to print.

    Parameters
    ----------
    estimate : SizeEstimate
    allow_large : bool
        Build a network larger than the machine's memory anyway (``--allow-large``,
        ``controller.allow_large``).
    memory_bytes : int, optional
        The machine's memory; default :func:`machine_memory_bytes`.
    cores : int, optional
        The machine's cores; default :func:`machine_cores`.

    Raises
    ------
    ConfigError
        The network would not fit in memory (and ``allow_large`` is false), or the thread count
        is absurd for this machine (see :func:`check_threads`).
    """
    warnings = check_threads(estimate.threads, cores) + check_recording(estimate)
    memory = machine_memory_bytes() if memory_bytes is None else memory_bytes
    if memory is None:
        return warnings
    need, have = estimate.memory_bytes, format_bytes(memory)
    biggest = sorted((c for c in estimate.connectors if c.connections), reverse=True,
                     key=lambda c: (c.connections or 0.0) * c.bytes_per_connection)[:3]
    parts = [f"connectors.{c.name}: {_count(c.connections or 0.0)}"
             f"{' (at most)' if c.upper_bound else ''}" for c in biggest]
    detail = f"; the largest connectors: {', '.join(parts)}" if parts else ""
    if need > memory and not allow_large:
        msg = (f"the network would need about {format_bytes(need)} of memory and this machine "
               f"has {have}: {estimate.total_neurons:,} neurons, "
               f"{_count(estimate.total_connections)} connections{detail}. Make the study "
               f"smaller (sheet sizes, connection probabilities, samples per neuron), or build "
               f"it anyway with --allow-large (controller.allow_large: true)")
        raise ConfigError(msg)
    if need > memory / 2:
        warnings.append(f"the network needs about {format_bytes(need)}, more than half of this "
                        f"machine's {have}{detail}")
    return warnings
