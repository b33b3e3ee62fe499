"""The explorer's web application (aiohttp): HTML shells, static files and a JSON API.

Every page is a small HTML shell; ``static/explorer.js`` fetches the page's data from
``/api/...`` and draws it (SVG and canvas, no library loaded from the network). Only GET is
routed: the explorer never writes. Paths in requests are relative to DIR and checked by
:func:`~mozaik_plot.explorer._paths.inside`.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import math
import secrets
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web
from mozaik import MozaikError

from mozaik_plot.explorer._paths import PathRefused, inside
from mozaik_plot.explorer._run import QueryError, RunData
from mozaik_plot.explorer._scan import is_search, scan
from mozaik_plot.explorer._search import SearchData

__all__ = ["make_app"]

_log = logging.getLogger("mozaik_plot.explorer")
_STATIC = {"explorer.js": "text/javascript", "explorer.css": "text/css"}
_TOKEN_COOKIE = "mozaik_explorer_token"
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

ROOT: web.AppKey[Path] = web.AppKey("root", Path)
TOKEN: web.AppKey[str] = web.AppKey("token", str)
RUNS: web.AppKey[dict[str, RunData]] = web.AppKey("runs", dict)
SEARCHES: web.AppKey[dict[str, SearchData]] = web.AppKey("searches", dict)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _finite(data: Any) -> Any:
    """``data`` with every NaN and infinity made null (JSON has no such numbers)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def _json(data: Any, status: int = 200) -> web.Response:
    try:
        text = json.dumps(data, default=str, allow_nan=False)
    except ValueError:  # a NaN (the CV of ISI of a silent sheet...): shown as empty
        text = json.dumps(_finite(data), default=str, allow_nan=False)
    return web.Response(text=text, status=status, content_type="application/json")


def _shell(page: str, title: str, path: str = "") -> web.Response:
    body = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f'{html.escape(title)}</title><link rel="stylesheet" href="/static/explorer.css">'
            f'</head><body><header><a href="/">Mozaik explorer</a> <span id="crumb">'
            f'{html.escape(title)}</span></header><main id="app" data-page="{page}" '
            f'data-path="{html.escape(path, quote=True)}"><p class="loading">Loading...</p>'
            f'</main><script src="/static/explorer.js"></script></body></html>\n')
    return web.Response(text=body, content_type="text/html")


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Token (when serving beyond this machine), Host check, errors as JSON, safe headers."""
    token = request.app[TOKEN]
    if token:
        given = request.query.get("token") or request.cookies.get(_TOKEN_COOKIE) or ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            return web.Response(text="403: this explorer needs its token: open the URL "
                                     "`mozaik serve` printed (it ends in ?token=...)",
                                status=403)
    else:
        host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else \
            request.host.split("]")[0] + "]"
        if host not in _LOCAL_HOSTS:
            # a page elsewhere pointing a name at 127.0.0.1 (DNS rebinding) gets nothing
            return web.Response(text=f"403: host {host!r} is not served", status=403)
    try:
        response = await handler(request)
    except PathRefused as exc:
        response = _json({"error": str(exc)}, exc.status)
    except QueryError as exc:
        response = _json({"error": str(exc)}, 400)
    except web.HTTPException:
        raise
    except (MozaikError, OSError, ValueError, KeyError) as exc:
        # a store being written, a damaged file: the page says so, the server carries on
        _log.info("%s: %s", request.path, exc)
        response = _json({"error": f"{type(exc).__name__}: {exc}"}, 500)
    except Exception as exc:  # a store half-written under us: say so, keep serving
        _log.exception("%s", request.path)
        response = _json({"error": f"{type(exc).__name__}: {exc} (if the run is being "
                                   "written, reload)"}, 500)
    if token and request.query.get("token"):
        response.set_cookie(_TOKEN_COOKIE, token, httponly=True, samesite="Strict")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def _path(request: web.Request, name: str = "path") -> tuple[str, Path]:
    rel = request.query.get(name, "")
    if rel in ("", "."):
        return ".", request.app[ROOT]
    return rel, inside(request.app[ROOT], rel)


def _run(request: web.Request) -> RunData:
    rel, path = _path(request)
    if not (path / "manifest.json").exists() and not (path / "manifest.json").is_symlink():
        msg = f"{rel!r} is not a run directory"
        raise PathRefused(msg, 404)
    runs = request.app[RUNS]
    if rel not in runs:
        runs[rel] = RunData(path, rel)
    return runs[rel]


def _search(request: web.Request) -> SearchData:
    rel, path = _path(request)
    if not is_search(path):
        msg = f"{rel!r} is not a search master"
        raise PathRefused(msg, 404)
    searches = request.app[SEARCHES]
    if rel not in searches:
        searches[rel] = SearchData(path, rel)
    return searches[rel]


def _number(request: web.Request, name: str) -> float | None:
    text = request.query.get(name)
    if text in (None, ""):
        return None
    try:
        return float(text)
    except ValueError:
        msg = f"{name}={text!r} is not a number"
        raise QueryError(msg) from None


# ------------------------------------------------------------------------------- pages


async def home_page(request: web.Request) -> web.Response:
    return _shell("home", str(request.app[ROOT]))


async def run_page(request: web.Request) -> web.Response:
    rel = _run(request).rel
    return _shell("run", f"run {rel}", rel)


async def search_page(request: web.Request) -> web.Response:
    rel = _search(request).rel
    return _shell("search", f"search {rel}", rel)


async def compare_page(request: web.Request) -> web.Response:
    paths = request.query.getall("path", [])
    return _shell("compare", "compare " + ", ".join(paths), json.dumps(paths))


async def static_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in _STATIC:
        raise web.HTTPNotFound(text=f"404: no static file {name!r}")
    data = resources.files("mozaik_plot.explorer").joinpath("static", name).read_bytes()
    return web.Response(body=data, content_type=_STATIC[name])


async def no_content(request: web.Request) -> web.Response:
    return web.Response(status=204)


# ------------------------------------------------------------------------------- API


async def api_entries(request: web.Request) -> web.Response:
    root = request.app[ROOT]
    if not root.is_dir():
        return _json({"root": str(root), "entries": [],
                      "message": f"{root} does not exist (or is not a directory). Start "
                                 "`mozaik serve DIR` with the directory holding your runs "
                                 "(e.g. the `runs/` of a study)."})
    entries = [e.as_json() for e in await asyncio.to_thread(scan, root)]
    message = "" if entries else (
        f"No runs or searches under {root} yet. Run a study into it (`mozaik run "
        "study.yaml -o DIR/NAME`) or a search (`mozaik search run ...`); this page updates "
        "when one appears.")
    return _json({"root": str(root), "entries": entries, "message": message})


async def api_run(request: web.Request) -> web.Response:
    run = _run(request)
    try:
        data = await asyncio.to_thread(run.overview)
    except MozaikError as exc:
        data = await asyncio.to_thread(run.damaged, exc)
    else:
        # the raster is asked for next: index the spikes while the page draws the rest
        loop = asyncio.get_running_loop()
        for sheet in data["summary"]["sheets"]:
            loop.run_in_executor(None, _warm, run, str(sheet["name"]))
    return _json(data)


def _warm(run: RunData, sheet: str) -> None:
    try:
        run.spike_index(sheet)
    except Exception:
        _log.debug("indexing %s of %s failed", sheet, run.rel, exc_info=True)


async def api_raster(request: web.Request) -> web.Response:
    run = _run(request)
    width = _number(request, "width") or 800
    data = await asyncio.to_thread(run.raster, request.query.get("sheet", ""),
                                   _number(request, "t0"), _number(request, "t1"), int(width))
    return _json(data)


async def api_map(request: web.Request) -> web.Response:
    run = _run(request)
    ads = _number(request, "ads_id")
    data = await asyncio.to_thread(run.neuron_map, request.query.get("sheet", ""),
                                   None if ads is None else int(ads))
    return _json(data)


async def api_query(request: web.Request) -> web.Response:
    run = _run(request)
    return _json(await asyncio.to_thread(run.query, request.query.get("q", "")))


async def api_figure(request: web.Request) -> web.Response:
    run = _run(request)
    try:
        data, media = await asyncio.to_thread(run.figure, request.query.get("file", ""))
    except FileNotFoundError as exc:
        raise PathRefused(str(exc), 404) from None
    return web.Response(body=data, content_type=media)


async def api_stimulus(request: web.Request) -> web.Response:
    """The stimulus as a GIF, or with ``info=1`` what it shows (units, extent, frames)."""
    run = _run(request)
    stimulus_id = request.query.get("stimulus_id", "")
    if request.query.get("info"):
        return _json(await asyncio.to_thread(run.stimulus_info, stimulus_id))
    data = await asyncio.to_thread(run.stimulus, stimulus_id)
    return web.Response(body=data, content_type="image/gif")


async def api_search(request: web.Request) -> web.Response:
    search = _search(request)
    body = await asyncio.to_thread(search.encoded)
    return web.Response(body=body, content_type="application/json")


def make_app(root: str | Path, *, token: str = "") -> web.Application:
    """The explorer of the runs and searches under ``root``.

    Parameters
    ----------
    root : path
        The directory served (it may not exist yet: the home page says so).
    token : str
        When not empty, every request must carry it (``?token=`` once, then a cookie);
        when empty, only requests addressed to a loopback host name are answered.
    """
    app = web.Application(middlewares=[_guard])
    app[ROOT] = Path(root).absolute()
    app[TOKEN] = token
    app[RUNS] = {}
    app[SEARCHES] = {}
    app.router.add_get("/", home_page)
    app.router.add_get("/run", run_page)
    app.router.add_get("/search", search_page)
    app.router.add_get("/compare", compare_page)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_get("/favicon.ico", no_content)
    app.router.add_get("/api/entries", api_entries)
    app.router.add_get("/api/run", api_run)
    app.router.add_get("/api/raster", api_raster)
    app.router.add_get("/api/map", api_map)
    app.router.add_get("/api/query", api_query)
    app.router.add_get("/api/figure", api_figure)
    app.router.add_get("/api/search", api_search)
    app.router.add_get("/api/stimulus", api_stimulus)
    return app
