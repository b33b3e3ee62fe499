"""``python -m mozaik.search MASTER (--point ID | --todo FILE --task N)``: run one point.

What a cluster task runs: ``--point`` names the point; ``--todo FILE --task N`` runs the point
on line ``N`` of ``FILE`` (a Slurm array task passes ``$SLURM_ARRAY_TASK_ID``). The point runs
in a child process (:func:`mozaik.search.run_points_in_pool`), so a crash of it (a segfault,
``kill -9``) is recorded with its signal like any failure. Exits 0 when the point is done, 1
when it failed (its status file says why), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mozaik.search._run import run_points_in_pool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mozaik.search")
    parser.add_argument("master", type=Path)
    parser.add_argument("--point", type=int)
    parser.add_argument("--todo", type=Path)
    parser.add_argument("--task", type=int)
    args = parser.parse_args(argv)
    if args.point is not None:
        point = args.point
    elif args.todo is not None and args.task is not None:
        point = int(args.todo.read_text(encoding="utf-8").split()[args.task])
    else:
        parser.error("pass --point ID, or --todo FILE --task N")
    try:
        status = run_points_in_pool(args.master, [point], 1)[point]
    except KeyboardInterrupt:
        print(f"point {point}: interrupted")
        return 130
    print(f"point {point}: {status}")
    return 0 if status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
