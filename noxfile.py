"""Every test suite of the Mozaik monorepo, each in its own environment.

``nox`` runs the default sessions: core alone (no NEST, no other mozaik distribution), each
plugin with core only, everything together on NEST, lint, typecheck and docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent / ".ci"))
from system_packages import CHROMIUM, MPI, SLURM, SystemNeed, plan

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = False
nox.options.sessions = ["core", "plugins", "thirdparty", "example_plugins", "integration",
                        "lint", "typecheck", "docs", "format_queries"]

ROOT = Path(__file__).resolve().parent
PLUGINS = ["visual", "analysis", "plot", "hpc"]
#: Example third-party plugins in examples/, each tested with core only like any other plugin.
EXAMPLE_PLUGINS = sorted(p.name for p in (ROOT / "examples").glob("mozaik-*"))
PYTHON = "3.11"

# Fails if a mozaik package would be imported from anywhere but this checkout.
CHECK_LOCAL = """
import importlib, sys
root = sys.argv[1]
for name in sys.argv[2:]:
    module = importlib.import_module(name)
    path = getattr(module, '__file__', '') or ''
    if not path.startswith(root):
        sys.exit(f'{name} is imported from {path}, not from the workspace {root}')
    print(f'{name}: {path}')
"""


def check_local(session: nox.Session, *modules: str) -> None:
    session.run("python", "-c", CHECK_LOCAL, str(ROOT), *modules, silent=True)


def pytest(session: nox.Session, *args: str) -> None:
    """pytest over ``args``, one worker per core (pytest-xdist); a test file stays on one worker,
    so its module-scoped fixtures (a simulated network, a Slurm cluster) are built once."""
    session.install("pytest-xdist>=3.6")
    session.run("pytest", "-p", "no:cacheprovider", "-n", "auto", "--dist", "loadfile", *args,
                *session.posargs)


def system_packages(session: nox.Session, *needs: SystemNeed) -> None:
    """Install the Debian packages of ``needs`` that are missing (as root or through
    password-less sudo); without root, stop the session with one message naming the packages
    and the sessions that need them (``.ci/system_packages.py`` decides)."""
    decided = plan(needs)
    if decided.error:
        session.error(decided.error)
    for command in decided.commands:
        session.run(*command, external=True)


@nox.session(python=PYTHON)
def core(session: nox.Session) -> None:
    """mozaik-core alone: no NEST, no other mozaik distribution."""
    session.install("-e", "./mozaik-core[test,nix]")
    check_local(session, "mozaik")
    session.run("python", "-c",
                "import importlib.util as u, sys; "
                "sys.exit('nest must not be installed here' if u.find_spec('nest') else 0)")
    pytest(session, "mozaik-core/tests", "-m", "not nest")


@nox.session(python=PYTHON)
@nox.parametrize("package", PLUGINS)
def plugins(session: nox.Session, package: str) -> None:
    """One plugin distribution with core only (hpc: also a local Slurm from Debian)."""
    system_packages(session, *{"hpc": [SLURM], "plot": [CHROMIUM]}.get(package, []))
    session.install("-e", "./mozaik-core[nest]", "-e", f"./mozaik-{package}[test]")
    check_local(session, "mozaik", f"mozaik_{package}")
    pytest(session, f"mozaik-{package}/tests")


@nox.session(python=PYTHON)
def thirdparty(session: nox.Session) -> None:
    """A lab's plugin (tests/data/mozaik-barrels) with core only, on NEST: contracts, a study,
    its results and stimuli read back in a fresh process."""
    session.install("-e", "./mozaik-core[nest,test]")
    check_local(session, "mozaik")
    session.run("python", "-c",
                "import importlib.util as u, sys; sys.exit('only mozaik-core may be installed' "
                "if any(u.find_spec(m) for m in ('mozaik_visual', 'mozaik_analysis', "
                "'mozaik_plot', 'mozaik_hpc')) else 0)")
    pytest(session, "mozaik-core/tests/plugin/test_third_party_plugin.py")


@nox.session(python=PYTHON)
@nox.parametrize("plugin", EXAMPLE_PLUGINS)
def example_plugins(session: nox.Session, plugin: str) -> None:
    """An example third-party plugin of examples/ with core only, on NEST."""
    session.install("-e", "./mozaik-core[nest]", "-e", f"./examples/{plugin}[test]")
    check_local(session, "mozaik", plugin.replace("-", "_"))
    pytest(session, f"examples/{plugin}/tests")


@nox.session(python=PYTHON)
def integration(session: nox.Session) -> None:
    """Every distribution together, on NEST: core's NEST tests, the plugins' suites and the
    cross-distribution tests. Core's other tests ran in ``core``: they turn plugin autoload off,
    so what else is installed does not change them. Not repeated here: the docs' examples
    (``docs`` runs them with all five distributions) and mozaik-hpc's Slurm suite
    (``plugins(package='hpc')`` runs it on the same local cluster)."""
    system_packages(session, SLURM, CHROMIUM)
    session.install("uv", "-e", "./mozaik-core[nest,nix,test]",  # uv: the scaffold round trip
                    *[arg for p in PLUGINS for arg in ("-e", f"./mozaik-{p}[test]")],
                    # the kill-and-resume test runs every shipped study, the examples' plugins'
                    *[arg for p in EXAMPLE_PLUGINS for arg in ("-e", f"./examples/{p}")])
    check_local(session, "mozaik", *[f"mozaik_{p}" for p in PLUGINS])
    # the docs' examples run in ``docs`` (with all five distributions), the Slurm suite in
    # ``plugins(package='hpc')`` on the same real cluster: not twice
    pytest(session, "mozaik-core/tests", "-m", "nest",
           "--ignore", "mozaik-core/tests/test_doc_examples.py",
           "--ignore", "mozaik-core/tests/test_docs.py")
    pytest(session, *[f"mozaik-{p}/tests" for p in PLUGINS if p != "hpc"], "tests")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over every distribution, tests, examples, benchmarks."""
    session.install("ruff")
    session.run("ruff", "check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy: strict on core, default strictness on the plugins."""
    session.install("mypy", "types-PyYAML", "pytest", "-e", "./mozaik-core[nest,nix,optimise]",
                    *[arg for p in PLUGINS for arg in ("-e", f"./mozaik-{p}")],
                    "aiohttp>=3.9")  # the explorer's server (mozaik-plot[explorer]) ships types
    session.run("mypy", "--strict", "-p", "mozaik")
    session.run("mypy", *[arg for p in PLUGINS for arg in ("-p", f"mozaik_{p}")])


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The documentation site (Sphinx, warnings as errors) with its configuration reference
    generated from every registered component of all five distributions; the hook reference is
    complete; every example study validates; every example of README.md and docs/ runs (the
    README's quick start on NEST, made small; the tutorial's V1 study, its report and a
    parameter search at a small size; a generated plugin in a fresh environment)."""
    session.install("uv",  # uv: the plugin-authoring page's block runs in a fresh environment
                    "-e", "./mozaik-core[test,nest]",
                    *[arg for p in PLUGINS for arg in ("-e", f"./mozaik-{p}")],
                    "sphinx>=8", "myst-parser>=4")
    check_local(session, "mozaik", *[f"mozaik_{p}" for p in PLUGINS])
    build = Path(session.create_tmp()) / "html"
    session.run("sphinx-build", "-W", "--keep-going", "-q", "-b", "html", "docs", str(build))
    session.run("python", "docs/check_site.py", str(build))
    session.run("python", "docs/generate.py", "--check")
    pytest(session, "mozaik-core/tests/test_docs.py",
           "mozaik-core/tests/test_doc_examples.py")
    # every example study: each folder's study.yaml and the V1 example's figure study
    for study in sorted([*(ROOT / "examples").glob("*/study.yaml"),
                         ROOT / "examples" / "v1_pushpull" / "figures.yaml"]):
        session.run("mozaik", "config", "check", "--quiet", str(study))


@nox.session(python=PYTHON)
def format_queries(session: nox.Session) -> None:
    """The DuckDB and pyarrow examples of docs/datastore-format.md, with only duckdb and pyarrow
    installed, against the example runs in docs/format/example_runs/."""
    session.install("duckdb", "pyarrow")
    session.run("python", "docs/format/check_queries.py")


NEST_VERSION = "3.10.0"


def nest_mpi_wheel(session: nox.Session) -> Path:
    """A wheel of NEST built from source with MPI (about 12 minutes on 2 cores), built once
    into ``MOZAIK_NEST_MPI_CACHE`` (default ``.nox/_cache/nest-mpi-<version>``) and reused."""
    import os

    cache = Path(os.environ.get("MOZAIK_NEST_MPI_CACHE")
                 or ROOT / ".nox" / "_cache" / f"nest-mpi-{NEST_VERSION}")
    wheels = sorted(cache.glob(f"nest_simulator-{NEST_VERSION}-*.whl"))
    if wheels:
        session.log(f"reusing the MPI build of NEST: {wheels[-1]}")
        return wheels[-1]
    cache.mkdir(parents=True, exist_ok=True)
    session.install("pip")
    session.run("pip", "wheel", "--no-deps", "--no-binary", "nest-simulator",
                f"nest-simulator=={NEST_VERSION}", "-C", "cmake.define.with-mpi=ON",
                "-w", str(cache), env={"CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)})
    return sorted(cache.glob(f"nest_simulator-{NEST_VERSION}-*.whl"))[-1]


@nox.session(python=PYTHON)
def mpi_network(session: nox.Session) -> None:
    """Opt-in (not a default session): one network across 2 MPI ranks on NEST built with MPI
    against Debian's Open MPI, checked against 1 process with 2 threads (same spikes)."""
    system_packages(session, MPI)
    wheel = nest_mpi_wheel(session)
    # mpi4py without the mpich wheel, so that it loads Debian's Open MPI like NEST does
    session.install(str(wheel), "mpi4py>=4", "pytest>=8", "-e", "./mozaik-core",
                    "-e", "./mozaik-analysis", "-e", "./mozaik-hpc")
    check_local(session, "mozaik", "mozaik_analysis", "mozaik_hpc")
    session.run("python", "-c", "import nest, sys; sys.exit(0 if nest.build_info['have_mpi'] "
                "else 'this NEST has no MPI')", silent=True)
    # the test folder is collected only with MOZAIK_MPI_NETWORK=1 (tests/mpi_network/conftest)
    session.run("pytest", "-p", "no:cacheprovider", "tests/mpi_network", *session.posargs,
                env={"MOZAIK_MPI_NETWORK": "1"})


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Run the Vogels & Abbott (2005) example end to end."""
    session.install("-e", "./mozaik-core[nest,nix]",
                    *[arg for p in PLUGINS for arg in ("-e", f"./mozaik-{p}")])
    session.run("mozaik", "run", "examples/vogels_abbott2005", *session.posargs)
