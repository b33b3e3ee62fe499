"""Fixtures shared by the search tests: a contract study on PyNN's ``mock`` backend."""

from mozaik.testing import contract_study_dir  # noqa: F401 - fixture
