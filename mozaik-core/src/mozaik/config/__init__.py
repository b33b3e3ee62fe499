"""Configuration: safe YAML with includes, references, expressions, distributions, overrides.

Loading order: read the file and its includes (``!include`` and ``<<: !include``), apply
command-line overrides, evaluate expressions (``ref('a.b') * 2``), then structure each section
into its component's frozen attrs parameter class. Every problem names its file, line and dotted
path, and all problems of a file are reported together.
"""

from __future__ import annotations

from mozaik.config._expr import Expr, ExpressionError, parse_expression
from mozaik.config._load import (
    STUDY_FILE,
    ConfigTree,
    apply_overrides,
    get_path,
    load_config,
    load_tree,
    resolve,
)
from mozaik.config._structure import (
    DISTRIBUTIONS,
    Distribution,
    ParameterError,
    ProblemCollector,
    converter,
    make_converter,
    non_negative,
    positive,
    structure,
)
from mozaik.config._study import (
    ComponentEntry,
    ConnectorEntry,
    ControllerConfig,
    SimulatorConfig,
    Study,
    load_study,
    structure_component,
    study_from_tree,
)

__all__ = [
    "ComponentEntry",
    "ConfigTree",
    "ConnectorEntry",
    "ControllerConfig",
    "DISTRIBUTIONS",
    "Distribution",
    "Expr",
    "ExpressionError",
    "ParameterError",
    "ProblemCollector",
    "STUDY_FILE",
    "SimulatorConfig",
    "Study",
    "apply_overrides",
    "converter",
    "get_path",
    "load_config",
    "load_study",
    "load_tree",
    "make_converter",
    "non_negative",
    "parse_expression",
    "positive",
    "resolve",
    "structure",
    "structure_component",
    "study_from_tree",
]
