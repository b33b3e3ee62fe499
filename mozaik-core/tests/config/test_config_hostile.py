"""Hostile and malformed configuration (issue 8 part 1): each case ends within 2 s and 200 MB
with one ConfigError naming the file, the line and the dotted path.

Each case runs in a child process whose address space is capped at 200 MB above what the
imports use, with a wall-clock timeout; the child measures the time of the load and the growth
of its peak resident memory, and reports the error it got.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from mozaik import ConfigError
from mozaik.config import MAX_FILE_BYTES, load_config

LIMIT_S = 2.0
LIMIT_MB = 200

CHILD = """
import json, resource, sys, time
from mozaik import ConfigError
from mozaik.config import load_config

args = json.loads(sys.argv[1])
vm_kb = int(open('/proc/self/status').read().split('VmSize:')[1].split()[0])
cap = vm_kb * 1024 + args['limit_mb'] * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.process_time()
try:
    load_config(args['file'], args['overrides'], args['roots'])
    error = None
except ConfigError as exc:
    error = str(exc)
elapsed = time.process_time() - start
grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024
print(json.dumps({'error': error, 'elapsed_s': elapsed, 'grown_mb': grown_mb}))
"""


def bounded_load(file: Path, overrides: list[str] | None = None,
                 roots: list[str] | None = None, env: dict[str, str] | None = None
                 ) -> dict[str, Any]:
    """Load ``file`` in a capped child; fail on anything but a result or a ConfigError."""
    args = {"file": str(file), "overrides": overrides or [], "roots": roots or [],
            "limit_mb": LIMIT_MB}
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True,
                          text=True, timeout=30, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, f"the load did not end in a ConfigError:\n{proc.stderr}"
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["elapsed_s"] < LIMIT_S, result
    assert result["grown_mb"] < LIMIT_MB, result
    return result


def refused(file: Path, *needles: str, **kwargs: Any) -> str:
    """The ConfigError of a bounded load of ``file``; it must contain every needle."""
    error = bounded_load(file, **kwargs)["error"]
    assert error is not None, f"{file} was accepted"
    for needle in needles:
        assert needle in error, f"{needle!r} not in:\n{error}"
    return str(error)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(("text", "limit"), [
    ("10**10**10", "MAX_INTEGER_BITS"),
    ("2**2**2**2**2**2", "MAX_INTEGER_BITS"),
    ("ref('x') ** 5000", "MAX_INTEGER_BITS"),
    ("+".join(["1"] * 1000), "MAX_EXPRESSION_DEPTH"),
    ("-" * 1000 + "1", "MAX_EXPRESSION_DEPTH"),
    ("1" * 5000, "cannot parse"),
    ("1.5 * " * 3000 + "1", "MAX_EXPRESSION_CHARS"),
    ("10.0 ** 400", "floating-point range"),
])
def test_expression_bombs(tmp_path: Path, text: str, limit: str) -> None:
    f = write(tmp_path / "a.yaml", f"x: 10\nvalue: !expr {text}\n")
    refused(f, "a.yaml:2: value:", limit)


@pytest.mark.parametrize(("text", "call"), [
    ("sqrt(-1)", "sqrt(-1) failed"),
    ("log(0)", "log(0) failed"),
    ("int(ref('nan'))", "gives nan; expressions must give finite numbers"),
    ("int(ref('inf'))", "gives inf"),
    ("max()", "max() failed"),
    ("abs(1, 2)", "abs(1, 2) failed"),
    ("round(1.5, 10**300)", "round(1.5,"),
    ("(-8) ** 0.5", "complex number"),
    ("ref('inf') - ref('inf')", "gives inf"),
    ("1e308 * 10", "gives inf"),
])
def test_every_function_failure_is_a_config_error(tmp_path: Path, text: str,
                                                   call: str) -> None:
    f = write(tmp_path / "a.yaml", f"nan: .nan\ninf: .inf\nvalue: !expr {text}\n")
    error = refused(f, "a.yaml:3: value:", call)
    assert f"expression {text!r}" in error


def test_int_of_nan_written_directly(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "value: !expr int(nan)\n")
    refused(f, "a.yaml:1: value:", "'nan' is not allowed")


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join([f'*{prev}'] * 9)}]")
    f = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    refused(f, "bomb.yaml:", "MAX_NODES", "every use of a YAML alias")


def test_alias_bomb_in_a_command_line_override(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "x: 1\n")
    value = "[" + ", ".join(["[" + ", ".join(["lol"] * 9) + "]"] * 2) + "]"
    bomb = "{a: &a " + value + ", b: &b [" + ", ".join(["*a"] * 9) + "]"
    for level in "cdefghi":
        prev = chr(ord(level) - 1)
        bomb += f", {level}: &{level} [" + ", ".join([f"*{prev}"] * 9) + "]"
    bomb += "}"
    refused(f, "command line (--set x=", "MAX_NODES", overrides=[f"x={bomb}"])


def test_reference_bomb(tmp_path: Path) -> None:
    lines = ["l0: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 9):
        item = f"\"ref('l{i - 1}')\""
        lines.append(f"l{i}: [{', '.join([item] * 10)}]")
    f = write(tmp_path / "refs.yaml", "\n".join(lines) + "\n")
    refused(f, "refs.yaml:", "MAX_NODES")


def test_deeply_nested_yaml_lists(tmp_path: Path) -> None:
    f = write(tmp_path / "deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    refused(f, "deep.yaml:1: a.0.0.0", "MAX_DEPTH")


def test_deeply_nested_block_mappings(tmp_path: Path) -> None:
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(300)) + "  " * 300 + "v: 1\n"
    f = write(tmp_path / "deep.yaml", text)
    refused(f, "deep.yaml:6", "k0.k1.k2", "MAX_DEPTH")


def test_include_chain_of_400_files(tmp_path: Path) -> None:
    for i in range(400):
        write(tmp_path / f"f{i}.yaml", f"v{i}: !include f{i + 1}.yaml\n")
    write(tmp_path / "f400.yaml", "end: 1\n")
    refused(tmp_path / "f0.yaml", "f31.yaml:1: v0.v1.v2", "MAX_INCLUDE_DEPTH")


def test_include_chain_of_400_whole_file_includes(tmp_path: Path) -> None:
    for i in range(400):
        write(tmp_path / f"f{i}.yaml", f"!include f{i + 1}.yaml\n")
    write(tmp_path / "f400.yaml", "end: 1\n")
    refused(tmp_path / "f0.yaml", "f31.yaml:1: top level", "MAX_INCLUDE_DEPTH")


def test_reference_chain(tmp_path: Path) -> None:
    lines = [f"r{i}: ref('r{i + 1}') + 1" for i in range(1000)] + ["r1000: 0"]
    f = write(tmp_path / "chain.yaml", "\n".join(lines) + "\n")
    refused(f, "chain.yaml:1: r0:", "MAX_REF_DEPTH")


@pytest.mark.parametrize("include", ["/etc/passwd", "../../../../etc/passwd",
                                     "../../../../../../../../etc/hostname"])
def test_includes_outside_the_study_folder_are_refused(tmp_path: Path, include: str) -> None:
    f = write(tmp_path / "deep/er/study.yaml", f"name: x\nsheets: !include {include}\n")
    refused(f, "study.yaml:2: sheets:", "outside the folders includes may come from",
            "--include-root", "MOZAIK_INCLUDE_PATH")


def test_symlink_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere/cells.yaml", "tau_m: 1.0\n")
    study = tmp_path / "study"
    study.mkdir()
    (study / "cells.yaml").symlink_to(outside)
    f = write(study / "study.yaml", "cell: !include cells.yaml\n")
    refused(f, "study.yaml:1: cell:", "outside the folders")


def test_named_include_roots(tmp_path: Path) -> None:
    write(tmp_path / "shared/cells.yaml", "tau_m: 15.0\n")
    f = write(tmp_path / "study/study.yaml", "cell: !include ../shared/cells.yaml\n")
    with pytest.raises(ConfigError, match="outside the folders"):
        load_config(f)
    assert load_config(f, include_roots=[tmp_path / "shared"]).data == {"cell": {"tau_m": 15.0}}
    result = bounded_load(f, env={"MOZAIK_INCLUDE_PATH": str(tmp_path / "shared")})
    assert result["error"] is None


def test_includes_must_be_yaml(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "a: 1\n")
    f = write(tmp_path / "study.yaml", "x: !include notes.txt\n")
    refused(f, "study.yaml:1: x:", "not a YAML file")


def test_fifo_include_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    f = write(tmp_path / "study.yaml", "x: !include pipe.yaml\n")
    refused(f, "study.yaml:1: x:", "device, FIFO or socket", "not a regular file")


def test_device_file_as_the_study_is_refused() -> None:
    error = bounded_load(Path("/dev/zero"))["error"]
    assert error is not None and "not a regular file" in error


def test_oversized_include_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "big.yaml", "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    f = write(tmp_path / "study.yaml", "x: !include big.yaml\n")
    refused(f, "study.yaml:1: x:", f"{MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)")


def test_largest_allowed_file_loads_in_time(tmp_path: Path) -> None:
    """A file just under the size limit holding many values stops at the node limit, fast."""
    row = "- [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
    f = write(tmp_path / "many.yaml", "rows:\n" + row * (MAX_FILE_BYTES // len(row) - 1))
    refused(f, "many.yaml:", "MAX_NODES")


def test_long_scalar_under_the_size_limit(tmp_path: Path) -> None:
    f = write(tmp_path / "long.yaml", "text: " + "a" * (MAX_FILE_BYTES - 100) + "\n")
    assert bounded_load(f)["error"] is None


@pytest.mark.parametrize(("text", "needle"), [
    ("a: 2001-13-45\n", "a.yaml:1: a: cannot read"),
    ("a: 2001-01-01\n", "a.yaml:1: a: '2001-01-01' reads as a date"),
    ("a: !!binary aGVsbG8=\n", "a.yaml:1: a:"),
    ("? [1, 2]\n: 3\n", "a.yaml:1: top level: mapping keys must be names"),
    ("a: !include [x.yaml]\n", "a.yaml:1: a: !include takes one file name"),
    ("a: 1\n'1': 2\n1: 3\n", "key '1' appears twice"),
    ("- 1\n- 2\n", "a.yaml:1: top level: the top level must be a mapping"),
])
def test_odd_yaml_is_a_located_config_error(tmp_path: Path, text: str, needle: str) -> None:
    f = write(tmp_path / "a.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(f)
    assert needle in str(info.value)


def test_non_utf8_file(tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(f)


def test_array_expressions_are_bounded_too() -> None:
    import numpy as np
    from mozaik.config import ExpressionError, evaluate_array, parse_array_expression

    d = np.array([1.0, 2.0])
    with pytest.raises(ExpressionError, match="MAX_INTEGER_BITS"):
        evaluate_array(parse_array_expression("d * 2**2**2**2**2**2", ["d"]), {"d": d})
    with pytest.raises(ExpressionError, match=r"where\(.*\) failed in expression 'where\(d, 1\)'"):
        evaluate_array(parse_array_expression("where(d, 1)", ["d"]), {"d": d})
    with pytest.raises(ExpressionError, match="MAX_EXPRESSION_DEPTH"):
        parse_array_expression("+".join(["d"] * 1000), ["d"])
