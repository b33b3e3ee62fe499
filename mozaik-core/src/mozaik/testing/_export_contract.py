"""Contract suite for exporters, run on the tiny store."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from mozaik import ExportError
from mozaik.datastore import DataStore
from mozaik.export import Exporter
from mozaik.testing._contracts import ComponentContract

__all__ = ["ExporterContract"]


class ExporterContract(ComponentContract):
    """Contract of a registered exporter, exporting the tiny store.

    Override :meth:`count_spikes` to read the written file back with the format's own reader:
    the suite then checks that the file holds every stored spike; override :meth:`prepare` to
    add what the format needs to the tiny store (e.g. a ``Connections`` result).
    """

    kind: ClassVar[str] = "exporters"

    def build(self) -> Exporter[Any]:
        exporter = self.component().factory(self.params())
        assert isinstance(exporter, Exporter), (
            f"the factory of {self.name!r} returned {type(exporter).__name__}, not an Exporter")
        return exporter

    def count_spikes(self, path: Path) -> int | None:
        """The number of spikes in the exported file, read with the format's reader; None (the
        default) skips the round-trip check."""
        return None

    def prepare(self, store: DataStore) -> None:
        """Add to the tiny store what the exporter needs beyond recordings (default: nothing)."""

    def _path(self, tmp_path: Path) -> Path:
        return tmp_path / "out" / f"tiny{type(self.build()).suffix}"

    def test_writes_the_store(self, tiny_store: DataStore, tmp_path: Path) -> None:
        self.prepare(tiny_store)
        path = self._path(tmp_path)
        written = self.build().export(tiny_store.full_view(), path)
        assert written == path and path.exists(), f"{self.name} wrote nothing at {path}"
        assert [p.name for p in path.parent.iterdir()] == [path.name], (
            "an export leaves only its output (no temporary file) next to it")
        count = self.count_spikes(path)
        if count is not None:
            view = tiny_store.full_view()
            stored = sum(len(view.spike_arrays(sheet, null=null).times)
                         for sheet in view.sheets() for null in (False, True))
            assert count == stored, f"the file holds {count} spikes, the store {stored}"

    def test_existing_path_needs_overwrite(self, tiny_store: DataStore, tmp_path: Path) -> None:
        self.prepare(tiny_store)
        path = self._path(tmp_path)
        path.parent.mkdir()
        path.write_bytes(b"not an export")
        with pytest.raises(ExportError, match="already exists"):
            self.build().export(tiny_store.full_view(), path)
        assert path.read_bytes() == b"not an export", "a refused export leaves the file alone"
        self.build().export(tiny_store.full_view(), path, overwrite=True)
        assert path.exists() and (path.is_dir() or path.read_bytes() != b"not an export")

    def test_empty_run_is_an_export_error(self, tmp_path: Path) -> None:
        store = DataStore.create(tmp_path / "empty")
        path = self._path(tmp_path)
        with pytest.raises(ExportError) as info:
            self.build().export(store.full_view(), path)
        assert type(self.build()).__name__ in str(info.value), "the error names the exporter"
        assert not path.exists()

    def test_failed_write_leaves_nothing(self, tiny_store: DataStore, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
        self.prepare(tiny_store)
        exporter = self.build()

        def fail(view: object, path: Path) -> None:
            path.write_bytes(np.zeros(8).tobytes())
            raise OSError("disk full")

        monkeypatch.setattr(exporter, "write", fail)
        path = self._path(tmp_path)
        with pytest.raises(OSError, match="disk full"):
            exporter.export(tiny_store.full_view(), path)
        assert not path.exists() and not list(path.parent.iterdir())
