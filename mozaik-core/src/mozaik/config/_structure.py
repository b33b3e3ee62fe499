"""Structuring loaded trees into frozen attrs parameter classes with cattrs.

One converter serves all of Mozaik: extra keys are forbidden, numbers are not silently coerced
from strings or truncated, every float parameter is finite unless its type is
:data:`NonFiniteFloat` (``inf``/``nan`` would run and mean nothing, or fail mid-run), a
parameter class is given a mapping, and every error is rendered as ``file:line: dotted.path:
problem (got value)``. All errors of a tree are collected and raised together.
"""

from __future__ import annotations

import difflib
import math
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, ClassVar, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from mozaik._errors import ConfigError, MozaikError, PluginError
from mozaik.config._load import ConfigTree, get_path
from mozaik.config._paths import StudyPath, structure_study_path, study_folder
from mozaik.config._renamed import renamed_keys_hint

__all__ = [
    "ALLOW_NON_FINITE",
    "ComponentRef",
    "Distribution",
    "NonFiniteFloat",
    "ParameterError",
    "ProblemCollector",
    "component_refs",
    "converter",
    "make_converter",
    "structure",
]

T = TypeVar("T")


class ParameterError(MozaikError, ValueError):
    """A parameter breaks its rule; raised by parameter classes' validators
    (:mod:`mozaik.config`'s :data:`positive`, :func:`in_range`, ...).

    Attributes
    ----------
    name : str
        The offending field, or a dotted path below it (``params.v_thresh``, ``size_um.1``);
        :func:`structure` prefixes the dotted path of the parameter class, so the problem names
        the full path.
    """

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


#: Parameters each PyNN random distribution takes (mirrors ``pyNN.random.available_distributions``
#: so that validating a file does not import PyNN).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "binomial": ("n", "p"),
    "exponential": ("beta",),
    "gamma": ("k", "theta"),
    "lognormal": ("mu", "sigma"),
    "normal": ("mu", "sigma"),
    "normal_clipped": ("mu", "sigma", "low", "high"),
    "normal_clipped_to_boundary": ("mu", "sigma", "low", "high"),
    "poisson": ("lambda_",),
    "uniform": ("low", "high"),
    "uniform_int": ("low", "high"),
    "vonmises": ("mu", "kappa"),
}


@attrs.frozen(kw_only=True)
class Distribution:
    """A random distribution for per-neuron values, written in YAML as
    ``{distribution: normal, mu: -55.0, sigma: 2.0}``.

    Parameters
    ----------
    name : str
        One of PyNN's distributions (normal, uniform, lognormal, gamma, exponential, ...).
    params : mapping of str to float
        The distribution's parameters, in the unit of the value they draw.
    """

    name: str
    params: Mapping[str, float] = attrs.field(factory=dict)

    def to_pynn(self, rng: Any = None) -> Any:
        """The equivalent ``pyNN.random.RandomDistribution`` drawing from ``rng``."""
        from pyNN.random import RandomDistribution

        return RandomDistribution(self.name, rng=rng, **dict(self.params))

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": self.name, **self.params}


@attrs.frozen(kw_only=True)
class ComponentRef:
    """A component named inside another component's parameters, written in YAML as
    ``{component: GaussianDistance, params: {sigma_um: 200}}``.

    Subclasses set :attr:`KIND`, the registry kind the name is looked up in (e.g.
    ``connector_functions``). Whoever validates a study (:func:`mozaik.study.study_from_tree`)
    looks every reference up and structures its ``params`` with the component's parameter
    class, so a bad nested parameter fails when the file is checked, with its file and line.

    Parameters
    ----------
    component : str
        The registered name.
    params : mapping
        The component's parameters, as written.
    """

    KIND: ClassVar[str] = ""

    component: str
    params: Mapping[str, Any] = attrs.field(factory=dict)


def component_refs(value: Any, path: str = "") -> Iterator[tuple[str, ComponentRef]]:
    """Every :class:`ComponentRef` inside structured parameters, with its dotted path.

    Walks attrs instances (by field name, which is the YAML key), mappings and sequences.
    """
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, ComponentRef):
            yield here, item
        elif attrs.has(type(item)):
            stack.extend((_join(here, f.name), getattr(item, f.name))
                         for f in reversed(attrs.fields(type(item))))
        elif isinstance(item, Mapping):
            stack.extend((_join(here, k), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list | tuple):
            stack.extend((_join(here, i), v) for i, v in reversed(list(enumerate(item))))


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _structure_distribution(value: Any, _cls: Any) -> Distribution:
    if not isinstance(value, Mapping) or "distribution" not in value:
        msg = (f"expected a distribution such as {{distribution: normal, mu: 0.0, sigma: 1.0}}, "
               f"got {value!r}")
        raise ValueError(msg)
    name = value["distribution"]
    params = {k: v for k, v in value.items() if k != "distribution"}
    if name not in DISTRIBUTIONS:
        msg = f"unknown distribution {name!r}; available: {', '.join(sorted(DISTRIBUTIONS))}"
        raise ValueError(msg)
    expected = DISTRIBUTIONS[name]
    if set(params) != set(expected):
        msg = (f"distribution {name!r} takes parameters {', '.join(expected)}; "
               f"got {', '.join(params) or 'none'}")
        raise ValueError(msg)
    for key, number in params.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            msg = f"parameter {key!r} of distribution {name!r} must be a number, got {number!r}"
            raise ValueError(msg)
        if not math.isfinite(number):
            msg = (f"parameter {key!r} of distribution {name!r}: expected a finite number "
                   f"(inf and nan are not allowed), got {number!r}")
            raise ValueError(msg)
    return Distribution(name=name, params={k: float(v) for k, v in params.items()})


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"expected a number, got {value!r} ({type(value).__name__})"
        raise ValueError(msg)
    try:
        return float(value)
    except OverflowError:  # an integer beyond a float's range
        msg = f"expected a number a float can hold (up to 1.8e308), got {value!r}"
        raise ValueError(msg) from None


def _strict_float(value: Any, _cls: Any) -> float:
    number = _number(value)
    if not math.isfinite(number):
        msg = (f"expected a finite number (inf and nan are not allowed for this parameter), "
               f"got {value!r}")
        raise ValueError(msg)
    return number


def _non_finite_float(value: Any, _cls: Any) -> float:
    return _number(value)


class _AllowNonFinite:
    """The marker of :data:`NonFiniteFloat`."""

    def __repr__(self) -> str:
        return "ALLOW_NON_FINITE"


#: Marks a float parameter that may be ``inf`` or ``nan`` (every other float parameter must be
#: finite): ``t_stop_ms: NonFiniteFloat = math.inf``. Document what inf and nan mean for it.
ALLOW_NON_FINITE = _AllowNonFinite()
NonFiniteFloat = Annotated[float, ALLOW_NON_FINITE]


def _is_non_finite_float(tp: Any) -> bool:
    return (typing.get_origin(tp) is Annotated and ALLOW_NON_FINITE in tp.__metadata__
            and typing.get_args(tp)[0] is float)


def _strict_int(value: Any, _cls: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"expected a whole number, got {value!r} ({type(value).__name__})"
        raise ValueError(msg)
    return value


def _strict_str(value: Any, _cls: Any) -> str:
    if not isinstance(value, str):
        msg = f"expected a string, got {value!r} ({type(value).__name__})"
        raise ValueError(msg)
    return value


def _strict_bool(value: Any, _cls: Any) -> bool:
    if not isinstance(value, bool):
        msg = f"expected true or false, got {value!r} ({type(value).__name__})"
        raise ValueError(msg)
    return value


def _is_number_or_distribution(tp: Any) -> bool:
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    args = set(typing.get_args(tp))
    return Distribution in args and args <= {Distribution, float, int, type(None)}


def _structure_number_or_distribution(value: Any, tp: Any) -> Any:
    if value is None and type(None) in typing.get_args(tp):
        return None
    if isinstance(value, Mapping):
        return _structure_distribution(value, Distribution)
    return _strict_float(value, float)


def _rules(validator: object) -> Iterator[Any]:
    """The :class:`mozaik.config.Rule` validators inside an attrs field validator (also inside
    a list of validators and ``attrs.validators.optional``)."""
    if hasattr(validator, "allows_non_finite"):
        yield validator
    for inner in getattr(validator, "_validators", ()):  # attrs.validators.and_ (a list)
        yield from _rules(inner)
    if (inner := getattr(validator, "validator", None)) is not None:  # optional(...)
        yield from _rules(inner)


def _opts_out(tp: Any) -> bool:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return any(_is_non_finite_float(arg) for arg in typing.get_args(tp))
    return _is_non_finite_float(tp)


def _check_non_finite_opt_out(cls: Any) -> None:
    """A field typed :data:`NonFiniteFloat` has a validator that lets inf and nan through
    (``positive.allow_non_finite``) and no other field has one: otherwise the file would be
    accepted and the Python construction refused, or the reverse."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except (NameError, TypeError):  # unresolvable annotations: cattrs reports them
        return
    for field in attrs.fields(cls):
        opts_out = _opts_out(hints.get(field.name))
        for rule in _rules(field.validator):
            if rule.allows_non_finite == opts_out:
                continue
            where = f"{cls.__module__}.{cls.__qualname__}.{field.name}"
            if opts_out:
                msg = (f"{where} is typed NonFiniteFloat (inf and nan allowed) but its "
                       f"validator refuses them; use its .allow_non_finite form (e.g. "
                       f"positive.allow_non_finite) or type the field float")
            else:
                msg = (f"{where} has a validator that lets inf and nan through "
                       f"(.allow_non_finite) but is not typed NonFiniteFloat; type it "
                       f"mozaik.config.NonFiniteFloat and document what inf and nan mean, or "
                       f"use the finite validator")
            raise PluginError(msg)


def _mapping_first(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """A hook factory for attrs parameter classes: cattrs' own structuring, after a check that
    the value is a mapping (cattrs would fail on ``.keys()`` of a list or a string)."""

    def factory(cls: Any) -> Callable[[Any, Any], Any]:
        inner = make_dict_structure_fn(cls, conv)
        _check_non_finite_opt_out(cls)

        def hook(value: Any, tp: Any) -> Any:
            if not isinstance(value, Mapping):
                msg = (f"expected a mapping of {_type_name(cls)} parameters, "
                       f"{{name: value, ...}}, got {value!r} ({type(value).__name__})")
                raise ValueError(msg)
            return inner(value, tp)

        return hook

    return factory


def make_converter() -> cattrs.Converter:
    """A fresh converter with Mozaik's strict hooks (plugins may extend a copy)."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook_factory(attrs.has, _mapping_first(conv))
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(Distribution, _structure_distribution)
    conv.register_structure_hook(StudyPath, structure_study_path)
    conv.register_structure_hook_func(_is_non_finite_float, _non_finite_float)
    conv.register_structure_hook_func(_is_number_or_distribution,
                                      _structure_number_or_distribution)
    conv.register_unstructure_hook(Distribution, Distribution.to_dict)
    return conv


converter = make_converter()

_PATH_RE = re.compile(r"\[(?:'([^']*)'|\"([^\"]*)\"|(\d+))\]")


@contextmanager
def _as_is() -> Iterator[None]:
    yield


def _dotted(cattrs_path: str) -> str:
    """``$.a.b[0]['k']`` -> ``a.b.0.k``."""
    path = cattrs_path.removeprefix("$").lstrip(".")
    path = _PATH_RE.sub(lambda m: "." + next(g for g in m.groups() if g is not None), path)
    return path.lstrip(".")


_FIELD_MARK = "\x00"
_RENAMED_RE = re.compile(r"was renamed '(\w+)'")


def _format_exception(exc: BaseException, tp: Any) -> str:
    if isinstance(exc, ParameterError):  # a validator: move the path down to the field
        return f"{_FIELD_MARK}{exc.name}{_FIELD_MARK}{exc}"
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = [a.name for a in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        extra = sorted(exc.extra_fields)
        renamed = renamed_keys_hint(exc.cl, exc.extra_fields)
        close = {key: difflib.get_close_matches(key, allowed, n=1) for key in extra}
        guesses = [f"{found[0]!r} for {key!r}" if len(extra) > 1 else repr(found[0])
                   for key, found in close.items() if found]
        guess = f" (did you mean {', '.join(guesses)}?)" if guesses and not renamed else ""
        text = (f"unknown key(s) {', '.join(extra)}{guess}{renamed}; allowed keys: "
                f"{', '.join(allowed)}")
        # one unknown key: the problem is at that key (its file and line), not its mapping's
        return f"{_FIELD_MARK}{extra[0]}{_FIELD_MARK}{text}" if len(extra) == 1 else text
    if isinstance(exc, KeyError):
        return f"required key is missing{f' (expected {_type_name(tp)})' if tp else ''}"
    if isinstance(exc, ValueError | TypeError | MozaikError):
        text = str(exc) or type(exc).__name__
        if tp is not None and "expected" not in text:
            text = f"{text} (expected {_type_name(tp)})"
        return text
    return f"{type(exc).__name__}: {exc}"


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def structure(data: Any, cls: type[T], *, path: str = "", tree: ConfigTree | None = None,
              conv: cattrs.Converter | None = None) -> T:
    """Structure ``data`` into ``cls``; raise one :class:`ConfigError` with every problem.

    Parameters
    ----------
    data : Any
        The (resolved) subtree.
    cls : type
        A frozen attrs class.
    path : str
        Dotted path of ``data`` in the whole tree, to name places in messages.
    tree : ConfigTree, optional
        The whole tree, to name the file and line of each problem; its top-level file's
        folder is where relative :class:`StudyPath` parameters are read from.
    """
    conv = conv or converter
    try:
        # StudyPath parameters are read relative to the study file's folder
        with study_folder(tree.root.parent) if tree is not None else _as_is():
            return conv.structure(data, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        lines = cattrs.transform_error(exc, path="$", format_exception=_format_exception)
    except ParameterError as exc:
        lines = [f"{exc} @ $.{exc.name}"]
    except (ValueError, TypeError, KeyError) as exc:
        lines = [f"{_format_exception(exc, cls)} @ $"]
    located = []
    for line in lines:
        message, _, where = line.rpartition(" @ ")
        rel = _dotted(where)
        if message.startswith(_FIELD_MARK):
            _, field, message = message.split(_FIELD_MARK, 2)
            rel = f"{rel}.{field}" if rel else field
        located.append((rel, message))
    # a renamed key given under its old name: its new name is not "missing" as well
    renamed = {".".join(p for p in (rel, new) if p) for rel, message in located
               for new in _RENAMED_RE.findall(message)}
    problems = [render_problem(tree, ".".join(p for p in (path, rel) if p), message, data, rel)
                for rel, message in located
                if not (rel in renamed and message.startswith("required key is missing"))]
    problems = merge_repeats(problems)
    raise ConfigError(_summary(problems, tree), problems)


_PROBLEM_RE = re.compile(r"(?P<place>.+?:\d+): (?P<path>[^\s:]+): (?P<message>.*)", re.DOTALL)


def merge_repeats(problems: list[str]) -> list[str]:
    """``problems`` with repeats of one problem merged: the same message at the same file and
    line under several dotted paths is one value written once and copied by a YAML merge
    (``<<: *anchor``) or an alias, so it is reported once, naming the other paths it reaches.
    The paths must end in the same key: two keys of one flow mapping (``{a: null, b: null}``)
    share a line but are two problems. Exact duplicates are dropped."""
    order: list[str] = []
    groups: dict[tuple[str, ...], list[str]] = {}
    for problem in problems:
        found = _PROBLEM_RE.fullmatch(problem)
        if found is None:
            key: tuple[str, ...] = (problem,)
            paths: list[str] = []
        else:
            key = (found["place"], found["message"], _leaf(found["path"]))
            paths = [found["path"]]
        if key not in groups:
            groups[key] = []
            order.append(problem)
        elif not paths or paths[0] in groups[key]:
            continue
        groups[key].extend(paths)
    out = []
    for problem in order:
        found = _PROBLEM_RE.fullmatch(problem)
        if found is None:
            out.append(problem)
            continue
        paths = groups[(found["place"], found["message"], _leaf(found["path"]))]
        if len(paths) > 1:
            also = f" (written once, also reaches {', '.join(paths[1:])})"
            out.append(f"{found['place']}: {paths[0]}{also}: {found['message']}")
        elif problem not in out:
            out.append(problem)
    return out


def _leaf(path: str) -> str:
    """The last key of a dotted path."""
    return path.rsplit(".", 1)[-1]


def render_problem(tree: ConfigTree | None, path: str, message: str, data: Any = None,
                   rel: str | None = None) -> str:
    place = f"{tree.where(path)}: " if tree is not None else ""
    got = ""
    if rel is not None and "missing" not in message and "unknown key" not in message:
        try:
            value = get_path(data, rel) if rel else data
        except KeyError:
            pass
        else:
            if not isinstance(value, dict | list) and "got" not in message:
                got = f" (got {value!r})"
    return f"{place}{path or '<top level>'}: {message}{got}"


def _summary(problems: list[str], tree: ConfigTree | None) -> str:
    origin = f" in {tree.root}" if tree is not None else ""
    return f"{len(problems)} configuration problem(s){origin}:\n  " + "\n  ".join(problems)


class ProblemCollector:
    """Collects problems from several structuring steps and raises them together.

    Example
    -------
    >>> problems = ProblemCollector(tree)
    >>> with problems.section("sheets.exc"):
    ...     sheet = structure(...)
    >>> problems.raise_if_any()
    """

    def __init__(self, tree: ConfigTree | None = None) -> None:
        self.tree = tree
        self.problems: list[str] = []

    @contextmanager
    def section(self, path: str) -> Iterator[None]:
        try:
            yield
        except ConfigError as exc:
            self.problems.extend(exc.problems)
        except ParameterError as exc:  # a parameter class built in Python: down to the field
            self.add(_join(path, exc.name), str(exc))
        except MozaikError as exc:
            self.add(path, str(exc))

    def add(self, path: str, message: str) -> None:
        self.problems.append(render_problem(self.tree, path, message))

    def raise_if_any(self) -> None:
        if self.problems:
            problems = merge_repeats(self.problems)
            raise ConfigError(_summary(problems, self.tree), problems)
