"""``python -m mozaik.search MASTER (--point ID | --todo FILE --task N [--pack K])``: run points.

What a cluster task runs: ``--point`` names one point; ``--todo FILE --task N`` runs the point
on line ``N`` of ``FILE`` (a Slurm array task passes ``$SLURM_ARRAY_TASK_ID``); with ``--pack
K`` task ``N`` runs the points on lines ``N*K`` to ``N*K+K-1``, one after another, in this one
process's pool (Python, Mozaik and the pool's fork server start once per task, not once per
point). Each point runs in its own child process (:func:`mozaik.search.run_points_in_pool`), so
a crash of one (a segfault, ``kill -9``) is recorded with its signal and fails that point alone;
the task goes on with its next point. Exits 0 when every point is done, 1 when one failed (its
status file says why), 130 when interrupted.
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
    parser.add_argument("--pack", type=int, default=1)
    args = parser.parse_args(argv)
    if args.pack < 1:
        parser.error(f"--pack {args.pack}: points per task must be at least 1")
    if args.point is not None:
        points = [args.point]
    elif args.todo is not None and args.task is not None:
        lines = args.todo.read_text(encoding="utf-8").split()
        points = [int(p) for p in lines[args.task * args.pack:(args.task + 1) * args.pack]]
    else:
        parser.error("pass --point ID, or --todo FILE --task N")
    try:
        statuses = run_points_in_pool(args.master, points, 1)
    except KeyboardInterrupt:
        print(f"points {', '.join(map(str, points))}: interrupted")
        return 130
    for point in points:
        print(f"point {point}: {statuses.get(point, 'not run')}")
    return 0 if all(statuses.get(p) == "done" for p in points) else 1


if __name__ == "__main__":
    sys.exit(main())
