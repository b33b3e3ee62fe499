"""Configuration: safe YAML with includes, references, expressions, distributions, overrides.

This package is the generic loader: it knows YAML, expressions and parameter classes, not which
sections a study has nor the installed plugins (that is :mod:`mozaik.study`).

Loading order: read the file and its includes (``!include`` and ``<<: !include``), apply
command-line overrides, evaluate expressions (``ref('a.b') * 2``), then structure each section
into its component's frozen attrs parameter class. Every problem names its file, line and dotted
path, and all problems of a file are reported together.

A study file may come from a stranger, so loading is bounded in time and memory: files are
regular YAML files of at most :data:`MAX_FILE_BYTES` bytes, includes stay inside the top-level
file's folder tree or the folders named explicitly (:class:`IncludePolicy`,
:data:`INCLUDE_PATH_ENV`), at most :data:`MAX_INCLUDE_DEPTH` deep; a configuration holds at
most :data:`MAX_NODES` values (aliases count at every use) nested :data:`MAX_DEPTH` deep;
expressions have at most :data:`MAX_EXPRESSION_CHARS` characters, :data:`MAX_EXPRESSION_DEPTH`
levels, integers of :data:`MAX_INTEGER_BITS` bits, and references chain :data:`MAX_REF_DEPTH`
deep. Each limit hit is a :class:`mozaik.ConfigError` naming the limit, the file, the line and
the dotted path.

Parameter classes check their values with this package's validators (:data:`positive`,
:data:`non_negative`, :data:`finite`, :data:`probability`, :func:`in_range`, :func:`at_least`,
:func:`whole_number`, :func:`each`): finite-aware, all raising :class:`ParameterError` with
``<field> must be <rule>, got <value>``.
"""

from __future__ import annotations

from mozaik.config._expr import (
    ARRAY_FUNCTIONS,
    MAX_EXPRESSION_CHARS,
    MAX_EXPRESSION_DEPTH,
    MAX_INTEGER_BITS,
    Expr,
    ExpressionError,
    evaluate_array,
    expression_names,
    parse_array_expression,
    parse_expression,
)
from mozaik.config._load import (
    MAX_REF_DEPTH,
    STUDY_FILE,
    ConfigTree,
    apply_overrides,
    get_path,
    load_config,
    load_tree,
    resolve,
)
from mozaik.config._paths import StudyPath
from mozaik.config._read import (
    INCLUDE_PATH_ENV,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_INCLUDE_DEPTH,
    MAX_NODES,
    IncludePolicy,
)
from mozaik.config._renamed import distribution_of, old_fields, renamed_fields
from mozaik.config._settings import (
    MAX_THREADS,
    ControllerConfig,
    RunawayThreshold,
    SimulatorConfig,
)
from mozaik.config._structure import (
    ALLOW_NON_FINITE,
    DISTRIBUTIONS,
    ComponentRef,
    Distribution,
    NonFiniteFloat,
    ParameterError,
    ProblemCollector,
    component_refs,
    converter,
    make_converter,
    structure,
)
from mozaik.config._validators import (
    Rule,
    at_least,
    each,
    finite,
    in_range,
    non_negative,
    positive,
    probability,
    whole_number,
)

__all__ = [
    "ALLOW_NON_FINITE",
    "ARRAY_FUNCTIONS",
    "ComponentRef",
    "ConfigTree",
    "ControllerConfig",
    "DISTRIBUTIONS",
    "Distribution",
    "Expr",
    "ExpressionError",
    "INCLUDE_PATH_ENV",
    "IncludePolicy",
    "MAX_DEPTH",
    "MAX_EXPRESSION_CHARS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INCLUDE_DEPTH",
    "MAX_INTEGER_BITS",
    "MAX_NODES",
    "MAX_REF_DEPTH",
    "MAX_THREADS",
    "NonFiniteFloat",
    "ParameterError",
    "ProblemCollector",
    "Rule",
    "RunawayThreshold",
    "STUDY_FILE",
    "SimulatorConfig",
    "StudyPath",
    "apply_overrides",
    "at_least",
    "component_refs",
    "converter",
    "distribution_of",
    "each",
    "evaluate_array",
    "expression_names",
    "finite",
    "get_path",
    "in_range",
    "load_config",
    "load_tree",
    "make_converter",
    "non_negative",
    "old_fields",
    "parse_array_expression",
    "parse_expression",
    "positive",
    "probability",
    "renamed_fields",
    "resolve",
    "structure",
    "whole_number",
]
