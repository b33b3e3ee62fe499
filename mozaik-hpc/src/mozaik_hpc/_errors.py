"""mozaik-hpc's exception (its own module: the MPI backend and the distributed network both
raise it, and the backend imports the network)."""

from __future__ import annotations

from mozaik import MozaikError

__all__ = ["MPIError"]


class MPIError(MozaikError):
    """MPI is missing, or a launch failed."""
