"""StudyPath: a path parameter read relative to the folder of the study file giving it."""

from __future__ import annotations

import pickle
from pathlib import Path

import attrs
from mozaik.config import ConfigTree, StudyPath, structure


@attrs.frozen(kw_only=True)
class _Params:
    data: StudyPath = attrs.field(converter=StudyPath)


def _tree(root: Path) -> ConfigTree:
    return ConfigTree(data={}, sources={}, root=root)


def test_relative_to_the_study_file_folder(tmp_path: Path) -> None:
    params = structure({"data": "in/x.h5"}, _Params, tree=_tree(tmp_path / "s" / "study.yaml"))
    assert params.data == str(tmp_path / "s" / "in" / "x.h5")
    assert params.data.written == "in/x.h5" and params.data.folder == tmp_path / "s"
    assert "relative to the study file's folder" in params.data.origin()


def test_absolute_and_without_a_study_unchanged(tmp_path: Path) -> None:
    absolute = str(tmp_path / "x.h5")
    assert structure({"data": absolute}, _Params, tree=_tree(tmp_path / "a" / "s.yaml")
                     ).data == absolute
    assert structure({"data": "in/x.h5"}, _Params).data == "in/x.h5"  # no study: as written
    assert _Params(data="in/x.h5").data.origin() == "'in/x.h5'"


def test_survives_pickling(tmp_path: Path) -> None:
    params = structure({"data": "x.h5"}, _Params, tree=_tree(tmp_path / "study.yaml"))
    again = pickle.loads(pickle.dumps(params))
    assert again == params and again.data.written == "x.h5"
