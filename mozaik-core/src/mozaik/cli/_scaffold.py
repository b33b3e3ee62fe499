"""``mozaik plugin new``: a working plugin distribution, ready to install, test and publish.

The generated distribution has a pyproject with the ``mozaik`` entry point, a pin on this
mozaik-core's major version and ruff/mypy settings, a ``src/`` layout with one example component
of the chosen kind, tests that subclass :mod:`mozaik.testing`'s contract suites, an example study
that uses the component on NEST, a README, a CHANGELOG and ``py.typed``.

The files are rendered from the package data in ``mozaik/cli/_templates`` (see its README):
``common/`` for every kind, ``<kind>/`` for one kind's component. Tokens ``__NAME__`` in file
names and contents are replaced; an unknown token is an error.
"""

from __future__ import annotations

import importlib.metadata as md
import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from mozaik._errors import MozaikError
from mozaik.plugin import HOOK_API_VERSION

__all__ = ["KINDS", "TOKEN", "new_plugin", "plugin", "render", "template_files"]

#: Every kind ``mozaik plugin new --kind`` knows: the name of its example component (with the
#: ``__P__`` token). Each has a folder of the same name in ``_templates``.
KINDS: dict[str, str] = {
    "sheet": "__P__RingSheet",
    "connector": "__P__NearestConnector",
    "connector_function": "__P__Cosine",
    "input_space": "__P__ToneSpace",
    "analysis": "__P__MeanRate",
    "stimulus": "__P__Pulse",
    "experiment": "__P__CurrentSteps",
    "plot": "__P__Raster",
    "backend": "__P__Backend",
}

#: A token of the templates: ``__NAME__`` with an upper-case NAME (dunders are lower-case).
TOKEN = re.compile(r"__([A-Z][A-Z0-9]*)__")

#: PyNN parameters (ms, mV, nF, uS) of the cells of every generated example study.
_CELL = ("{cm: 0.2, tau_m: 20.0, v_rest: -60.0, v_thresh: -50.0, v_reset: -60.0, "
         "tau_refrac: 5.0, e_rev_E: 0.0, e_rev_I: -80.0, tau_syn_E: 5.0, tau_syn_I: 10.0}")

_NAME = re.compile(r"^(mozaik-)?(?P<short>[a-z][a-z0-9]*(-[a-z0-9]+)*)$")
_SUFFIX = ".tmpl"
_DOT = "dot-"


def core_pin() -> str:
    """The requirement on mozaik-core a generated plugin declares: this major version.

    For a 0.x core the minor version is the compatibility line (``>=0.1,<0.2``).
    """
    major, minor = (int(p) for p in md.version("mozaik-core").split(".")[:2])
    upper = f"{major + 1}" if major else f"0.{minor + 1}"
    return f"mozaik-core>={major}.{minor},<{upper}"


def _tokens(name: str, kind: str) -> dict[str, str]:
    found = _NAME.match(name)
    if not found:
        msg = (f"plugin name {name!r}: use lower-case letters, digits and hyphens, starting with "
               "a letter, e.g. 'cochlea' or 'mozaik-cochlea'")
        raise MozaikError(msg)
    short = found["short"]
    prefix = "".join(part.capitalize() for part in short.split("-"))
    return {"DIST": f"mozaik-{short}", "PKG": f"mozaik_{short.replace('-', '_')}",
            "EP": short.replace("-", "_"), "P": prefix, "PIN": core_pin(),
            "API": repr(tuple(HOOK_API_VERSION)), "LABEL": kind.replace("_", " "),
            "COMPONENT": KINDS[kind].replace("__P__", prefix), "CELL": _CELL}


def render(text: str, tokens: dict[str, str], *, where: str = "<text>") -> str:
    """Replace every ``__NAME__`` token of ``text`` by ``tokens[NAME]``.

    Parameters
    ----------
    text : str
        A template (file contents or a relative path).
    tokens : dict of str to str
        The value of each token name (without the underscores).
    where : str
        The template's name, for the error message.

    Returns
    -------
    str

    Raises
    ------
    MozaikError
        ``text`` holds a token that ``tokens`` has no value for.
    """
    def value(found: re.Match[str]) -> str:
        if found[1] not in tokens:
            msg = (f"template {where}: unknown token {found[0]}; known: "
                   f"{', '.join(f'__{t}__' for t in sorted(tokens))}")
            raise MozaikError(msg)
        return tokens[found[1]]

    return TOKEN.sub(value, text)


def _walk(folder: Traversable, prefix: str = "") -> dict[str, Traversable]:
    found: dict[str, Traversable] = {}
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name == "__pycache__":
            continue
        name = item.name.removesuffix(_SUFFIX)
        if name.startswith(_DOT):
            name = "." + name.removeprefix(_DOT)
        if item.is_dir():
            found.update(_walk(item, f"{prefix}{name}/"))
        else:
            found[f"{prefix}{name}"] = item
    return found


def template_files(kind: str) -> dict[str, Traversable]:
    """The template of every file a plugin of ``kind`` gets, by its (unrendered) relative path.

    ``common/`` first, then ``<kind>/``, whose files replace those of ``common/`` at the same
    path.
    """
    root = files("mozaik.cli") / "_templates"
    return {**_walk(root / "common"), **_walk(root / kind)}


def new_plugin(name: str, kind: str, parent: Path) -> Path:
    """Write the plugin distribution ``mozaik-<name>`` with one ``kind`` component.

    Parameters
    ----------
    name : str
        ``cochlea`` or ``mozaik-cochlea``: the distribution is ``mozaik-cochlea``, its package
        ``mozaik_cochlea``.
    kind : str
        One of :data:`KINDS`.
    parent : pathlib.Path
        Folder that receives the distribution's folder (named like the distribution).

    Returns
    -------
    pathlib.Path
        The distribution's folder.
    """
    if kind not in KINDS:
        msg = f"unknown kind {kind!r} for --kind; choose one of: {', '.join(KINDS)}"
        raise MozaikError(msg)
    tokens = _tokens(name, kind)
    root = parent / tokens["DIST"]
    if root.exists():
        msg = f"{root} already exists; choose another name or remove it first"
        raise MozaikError(msg)
    rendered = {render(relative, tokens, where=relative):
                render(template.read_text(encoding="utf-8"), tokens, where=relative)
                for relative, template in template_files(kind).items()}
    for relative, text in rendered.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@click.group("plugin")
def plugin() -> None:
    """Write plugin distributions."""


@plugin.command("new")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(list(KINDS)),
              help="Kind of the example component the plugin starts with.")
@click.option("--out", "parent", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder to create the plugin in.")
def new(name: str, kind: str, parent: Path) -> None:
    """Create the plugin distribution mozaik-NAME with one example component of KIND.

    It is ready to install (pip install -e mozaik-NAME[test]), test (pytest, with
    mozaik.testing's contract suites) and run (mozaik run mozaik-NAME/examples/study.yaml).
    """
    root = new_plugin(name, kind, parent)
    click.echo(f"created {root}")
    click.echo(f"next: pip install -e {root}[test] && pytest {root}/tests")
