"""The explorer serves nothing outside DIR, evaluates nothing, writes nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from explorer_helpers import Served
from http_get import get, get_json
from mozaik_plot.explorer import PathRefused, inside, is_loopback, parse_query

ESCAPES = ["..", "../..", "runs/../../etc", "/etc", "%2e%2e", "%2e%2e/%2e%2e/etc",
           "%252e%252e/etc", "runs/..%2f..%2fetc", "..%5c..%5cetc", "runs%2f..%2f..", "C:/x",
           "%00", "runs//../.."]


@pytest.mark.parametrize("rel", ESCAPES)
def test_no_path_leaves_dir(served_dir: Path, rel: str) -> None:
    with pytest.raises(PathRefused) as info:
        inside(served_dir, rel)
    assert info.value.status in (403, 404)


def test_links_are_not_followed_even_inside_dir(served_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "manifest.json").write_text("{}")
    (served_dir / "link_out").symlink_to(outside)
    (served_dir / "link_in").symlink_to(served_dir / "va_example")
    try:
        for rel in ("link_out", "link_out/manifest.json", "link_in"):
            with pytest.raises(PathRefused, match="symbolic link") as info:
                inside(served_dir, rel)
            assert info.value.status == 403
        assert inside(served_dir, "va_example") == served_dir / "va_example"
    finally:
        (served_dir / "link_out").unlink()
        (served_dir / "link_in").unlink()


@pytest.mark.parametrize("rel", ["../", "%2e%2e%2f", "/etc/passwd", "%2fetc%2fpasswd",
                                 "%252e%252e%252f", "nothing_here"])
def test_every_api_answers_403_or_404_to_escapes(server: Served, rel: str) -> None:
    for api in ("run", "raster", "map", "query", "figure", "search"):
        status, _, body = get(f"{server.url}/api/{api}?path={rel}&sheet=exc")
        assert status in (403, 404), (api, rel, status, body[:200])
        assert b"root:" not in body
    for page in ("run", "search"):
        assert get(f"{server.url}/{page}?path={rel}")[0] in (403, 404)
    for raw in ("/static/../_app.py", "/static/%2e%2e%2f_app.py", "/static/..%2f..%2f__init__.py",
                "/../../etc/passwd", "/static/explorer.js%00"):
        status, _, body = get(f"{server.url}{raw}")
        assert status in (403, 404), (raw, status)
        assert b"import" not in body


def test_figures_are_only_those_the_manifest_records(server: Served) -> None:
    for name in ("manifest.json", "segments.parquet", "../va_big/manifest.json",
                 "/etc/passwd"):
        status, _ = get_json(f"{server.url}/api/figure?path=va_example&file={name}")
        assert status == 404


def test_a_store_whose_index_points_outside_is_damaged_not_followed(
        served_dir: Path, server: Served, tmp_path: Path) -> None:
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    run = served_dir / "escaping"
    shutil.copytree(served_dir / "va_example", run)
    try:
        seg = pq.read_table(run / "segments.parquet")
        files = pa.array(["../../../../etc/passwd"] * seg.num_rows)
        seg = seg.set_column(seg.column_names.index("spikes_file"), "spikes_file", files)
        pq.write_table(seg, run / "segments.parquet")
        status, data = get_json(f"{server.url}/api/run?path=escaping")
        assert status == 200 and data["status"] == "damaged"
        assert any("outside" in p or "etc/passwd" in p for p in data["problems"]), data
        status, data = get_json(f"{server.url}/api/raster?path=escaping&sheet=exc")
        assert status == 500 and "root:" not in str(data)
    finally:
        shutil.rmtree(run)


def test_queries_are_parsed_never_evaluated(server: Served, tmp_path: Path) -> None:
    marker = tmp_path / "evaluated"
    hostile = f"__import__('pathlib').Path('{marker}').touch()"
    assert parse_query(f"sheet_name = {hostile}") == {"sheet_name": hostile}
    assert parse_query("st_orientation = [0, 1.5]; trial=1") == {"st_orientation": [0, 1.5],
                                                                   "trial": 1}
    status, data = get_json(f"{server.url}/api/query?path=va_example&q="
                            f"{quote('sheet_name = ' + hostile)}")
    assert status == 200 and data["n_segments"] == 0 and not marker.exists()
    for bad in ("__class__.__init__ = 1", "sheet_name", "x; y", "ads_unique = true"):
        status, data = get_json(f"{server.url}/api/query?path=va_example&q={quote(bad)}")
        assert status == 400 and "parameter = value" in data["error"], (bad, data)


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for dirpath, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            p = Path(dirpath) / name
            st = p.lstat()
            h.update(f"{p.relative_to(root)} {st.st_size} {st.st_mtime_ns}".encode())
    return h.hexdigest()


def test_browsing_writes_nothing(served_dir: Path, server: Served) -> None:
    before = _tree_digest(served_dir)
    for url in ("/", "/api/entries", "/api/run?path=va_example", "/api/run?path=runs/v1_tiny",
                "/api/raster?path=runs/va_big&sheet=exc", "/api/map?path=runs/v1_tiny&sheet=exc",
                "/api/query?path=va_example&q=sheet_name%3Dexc",
                "/api/search?path=searches/va_weights"):
        assert get(server.url + url)[0] == 200, url
    assert _tree_digest(served_dir) == before
    status, _, _ = get(server.url + "/api/entries", headers={})
    assert status == 200


def test_only_get(server: Served) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", "/api/run?path=va_example", body=b"{}")
    assert conn.getresponse().status == 405
    conn.close()


def test_another_host_needs_the_token(served_dir: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    with Served(served_dir, token="s3cret-token") as served:
        assert get(served.url + "/api/entries")[0] == 403
        assert get(served.url + "/api/entries?token=wrong")[0] == 403
        status, headers, _ = get(served.url + "/?token=s3cret-token")
        assert status == 200 and "mozaik_explorer_token=s3cret-token" in headers["Set-Cookie"]
        cookie = {"Cookie": "mozaik_explorer_token=s3cret-token"}
        assert get(served.url + "/api/entries", headers=cookie)[0] == 200


def test_loopback_server_answers_only_loopback_host_names(server: Served) -> None:
    # a page on evil.example resolving its name to 127.0.0.1 (DNS rebinding) gets nothing
    assert get(server.url + "/api/entries", headers={"Host": "evil.example:80"})[0] == 403
    assert get(server.url + "/api/entries", headers={"Host": f"localhost:{server.port}"})[0] == 200
