"""Run every ``sql`` and ``python`` example of ``docs/datastore-format.md`` on the example runs.

Needs only duckdb and pyarrow (the ``format_queries`` nox session installs nothing else), so it
proves that the store is readable without Mozaik. Every SQL statement and every Python block must
run on both example runs (``example_runs/with_analyses``, ``example_runs/no_analyses``); on the
run with analyses every statement must return rows, and a result column named ``outside`` must
be 0.

    python docs/format/check_queries.py [DOC [RUNS_DIR]]

Prints one line per check and ``N passed, N failed``; exits with 1 if any check failed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "datastore-format.md"
RUNS = HERE / "example_runs"
SECTION = "## Reading without Mozaik"


def examples(doc: Path) -> list[tuple[str, str]]:
    """The (language, code) of every ``sql`` and ``python`` block after the reading section.

    SQL blocks are split into statements (each ending with ``;`` at the end of a line),
    comment lines dropped.
    """
    text = doc.read_text(encoding="utf-8")
    start = text.find(SECTION)
    if start < 0:
        sys.exit(f"{doc} has no section {SECTION!r}")
    out: list[tuple[str, str]] = []
    for lang, code in re.findall(r"^```(sql|python)\n(.*?)^```", text[start:], re.M | re.S):
        if lang == "python":
            out.append((lang, code))
            continue
        for statement in re.split(r";[ \t]*$", code, flags=re.M):
            lines = [ln for ln in statement.splitlines() if not ln.strip().startswith("--")]
            if "".join(lines).strip():
                out.append((lang, "\n".join(lines).strip() + ";"))
    return out


def run_sql(sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    import duckdb

    con = duckdb.connect()
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return names, cursor.fetchall()
    finally:
        con.close()


def check(lang: str, code: str, run: Path, expect_rows: bool) -> str | None:
    """None if the example works on ``run``, else what went wrong."""
    code = code.replace("RUN_DIR", run.as_posix())
    if lang == "python":
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=False)
        if done.returncode:
            return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        return None if done.stdout.strip() or not expect_rows else "printed nothing"
    try:
        names, rows = run_sql(code)
    except Exception as exc:  # any failure of the query is what we report
        return f"{type(exc).__name__}: {exc}"
    if expect_rows and not rows:
        return "returned no rows"
    if "outside" in names and any(r[names.index("outside")] for r in rows):
        return f"outside is {rows}, expected 0"
    return None


def main(argv: list[str]) -> int:
    doc = Path(argv[0]) if argv else DOC
    runs = Path(argv[1]) if len(argv) > 1 else RUNS
    found = examples(doc)
    langs = {lang for lang, _ in found}
    if langs != {"sql", "python"}:
        print(f"{doc}: expected sql and python examples after {SECTION!r}, found {len(found)}")
        return 1
    passed = failed = 0
    for i, (lang, code) in enumerate(found, 1):
        first = code.strip().splitlines()[0]
        for name, expect_rows in (("with_analyses", True), ("no_analyses", False)):
            problem = check(lang, code, runs / name, expect_rows)
            status = "ok" if problem is None else f"FAILED: {problem}"
            print(f"example {i} ({lang}: {first[:60]}) on {name}: {status}")
            passed += problem is None
            failed += problem is not None
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
