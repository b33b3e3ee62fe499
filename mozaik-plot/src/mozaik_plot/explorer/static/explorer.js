// Mozaik explorer: draws each page from the server's JSON (/api/...). No library, no network.
"use strict";

const app = document.getElementById("app");
const PAGE = app.dataset.page;
const PATH = app.dataset.path;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "on") for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function getJSON(url) {
  const r = await fetch(url);
  const data = await r.json().catch(() => ({error: `HTTP ${r.status}`}));
  if (!r.ok && !data.error) data.error = `HTTP ${r.status}`;
  return data;
}

const q = encodeURIComponent;
const fmt = (v) => v === null || v === undefined ? "" :
  typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(5)) :
  typeof v === "object" ? JSON.stringify(v) : String(v);
const bytes = (n) => n > 1e9 ? (n / 1e9).toFixed(2) + " GB" : n > 1e6 ? (n / 1e6).toFixed(1) + " MB" :
  (n / 1e3).toFixed(1) + " kB";

// viridis, 9 stops
const VIRIDIS = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
function color(t) {
  if (t === null || Number.isNaN(t)) return "rgb(200,200,200)";
  t = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i;
  const c = VIRIDIS[i].map((a, k) => Math.round(a + f * (VIRIDIS[i + 1][k] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
function range(values) {
  const v = values.filter((x) => x !== null && Number.isFinite(x));
  if (!v.length) return [0, 1];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

const tip = el("div", {id: "tip"});
document.body.append(tip);
function showTip(ev, text) {
  tip.textContent = text; tip.style.display = "block";
  tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px";
}
const hideTip = () => { tip.style.display = "none"; };

// A table sortable by a click on a header, filterable by a box per column:
// numbers accept `>4`, `<=2.5`, `=3`, `4..8`; text matches a substring.
function matches(value, filter) {
  filter = filter.trim();
  if (!filter) return true;
  const num = typeof value === "number";
  const m = filter.match(/^(<=|>=|<|>|=)\s*(-?[\d.e+-]+)$/);
  if (m && num) {
    const x = parseFloat(m[2]);
    return {"<": value < x, ">": value > x, "<=": value <= x, ">=": value >= x, "=": value === x}[m[1]];
  }
  const r = filter.match(/^(-?[\d.e+-]+)\s*\.\.\s*(-?[\d.e+-]+)$/);
  if (r && num) return value >= parseFloat(r[1]) && value <= parseFloat(r[2]);
  return fmt(value).toLowerCase().includes(filter.toLowerCase());
}

// With opts.pageSize the rows are shown a page at a time (only the shown page is in the
// DOM: 10^4 points stay fast); otherwise the first opts.limit (500).
function dataTable(columns, rows, opts) {
  opts = opts || {};
  const state = {sort: opts.sort || null, desc: false, filters: {}, page: 0};
  const limit = opts.pageSize || opts.limit || 500;
  const wrap = el("div", {class: "datatable"});
  const count = el("span", {class: "count"});
  const prev = el("button", {class: "page-prev", on: {click: () => { state.page -= 1; draw(); }}}, "previous");
  const next = el("button", {class: "page-next", on: {click: () => { state.page += 1; draw(); }}}, "next");
  const pager = el("div", {class: "pager"}, opts.pageSize ? prev : null, opts.pageSize ? next : null, count);
  const table = el("table", {id: opts.id});
  const head = el("tr");
  const filt = el("tr");
  for (const c of columns) {
    head.append(el("th", {"data-col": c, on: {click: () => {
      state.desc = state.sort === c ? !state.desc : false; state.sort = c; draw();
    }}}, c));
    filt.append(el("th", {}, el("input", {"data-filter": c, placeholder: "filter", on: {
      input: (ev) => { state.filters[c] = ev.target.value; state.page = 0; draw(); }}})));
  }
  const body = el("tbody");
  table.append(el("thead", {}, head, opts.filters === false ? null : filt), body);
  function draw() {
    const t0 = performance.now();
    let shown = rows.filter((r) => Object.entries(state.filters).every(([c, f]) => matches(r[c], f)));
    if (state.sort) {
      const s = state.sort, d = state.desc ? -1 : 1;
      shown = shown.slice().sort((a, b) => {
        const x = a[s], y = b[s];
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * d;
      });
    }
    const pages = Math.max(1, Math.ceil(shown.length / limit));
    state.page = opts.pageSize ? Math.min(Math.max(0, state.page), pages - 1) : 0;
    const first = state.page * limit;
    body.replaceChildren(...shown.slice(first, first + limit).map((r) => {
      const tr = el("tr", {class: opts.onclick ? "clickable" : null},
        columns.map((c) => el("td", {class: c === "status" ? "status-" + r[c] : null},
          opts.cell ? opts.cell(c, r) : fmt(r[c]))));
      if (opts.onclick) tr.addEventListener("click", () => opts.onclick(r));
      return tr;
    }));
    count.textContent = `${shown.length} of ${rows.length} rows` + (shown.length <= limit ? "" :
      opts.pageSize ? `, ${first + 1}-${Math.min(first + limit, shown.length)} shown (page ${state.page + 1} of ${pages})` :
      ` (first ${limit} shown)`);
    prev.disabled = state.page === 0; next.disabled = state.page >= pages - 1;
    wrap.dataset.page = String(state.page + 1);
    wrap.dataset.shown = String(shown.length);
    wrap.dataset.ms = (performance.now() - t0).toFixed(1);
    if (opts.ondraw) opts.ondraw(shown);
  }
  wrap.append(pager, table);
  wrap.redraw = (newRows) => { if (newRows) rows = newRows; draw(); };
  draw();
  return wrap;
}

function kvTable(obj) {
  return el("table", {}, Object.entries(obj || {}).map(([k, v]) =>
    el("tr", {}, el("td", {}, k), el("td", {}, fmt(v)))));
}

function errorBox(text) { return el("div", {class: "error"}, text); }

// ------------------------------------------------------------------------------- home
async function home() {
  let last = "", table = null;
  const selected = new Set();
  const msg = el("div");
  const compare = el("button", {id: "compare", on: {click: () => {
    location.href = "/compare?" + [...selected].map((p) => "path=" + q(p)).join("&");
  }}}, "Compare selected runs");
  app.replaceChildren(el("h2", {}, "Runs and searches"), msg, compare);
  async function refresh() {
    const data = await getJSON("/api/entries");
    const text = JSON.stringify(data);
    if (text === last) return;
    last = text;
    msg.replaceChildren(data.error ? errorBox(data.error) : data.message ? el("div", {class: "note"}, data.message) : "");
    const rows = (data.entries || []).map((e) => ({...e, size_text: bytes(e.size)}));
    if (table) { table.redraw(rows); return; }
    table = dataTable(["kind", "name", "rel", "study", "status", "date", "size_text", "detail"], rows, {
      id: "entries", sort: "rel",
      cell: (c, r) => c === "name" ? el("span", {}, r.kind === "run" ? el("input", {type: "checkbox",
        on: {click: (ev) => { ev.stopPropagation(); ev.target.checked ? selected.add(r.rel) : selected.delete(r.rel); }}}) : "",
        el("a", {href: (r.kind === "run" ? "/run?path=" : "/search?path=") + q(r.rel)}, r.name)) : fmt(r[c]),
    });
    app.append(table);
  }
  await refresh();
  setInterval(refresh, 2000);
}

// ------------------------------------------------------------------------------- raster
function raster(path, sheets, runSpan) {
  const W = 900, H = 320;
  const canvas = el("canvas", {id: "raster", width: W, height: H});
  const label = el("span", {id: "raster-label"});
  const sheet = el("select", {id: "raster-sheet"}, sheets.map((s) => el("option", {value: s}, s)));
  let win = null, data = null, pending = 0;
  const box = el("div", {}, el("div", {class: "controls"}, "sheet ", sheet,
    el("button", {id: "zoom-in", on: {click: () => zoom(0.25, 0.5)}}, "zoom in"),
    el("button", {id: "zoom-out", on: {click: () => zoom(4, 0.5)}}, "zoom out"),
    el("button", {id: "zoom-reset", on: {click: () => { win = null; load(); }}}, "whole run"), label), canvas);
  async function load() {
    const id = ++pending;
    let url = `/api/raster?path=${q(path)}&sheet=${q(sheet.value)}&width=${W}`;
    if (win) url += `&t0=${win[0]}&t1=${win[1]}`;
    const d = await getJSON(url);
    if (id !== pending) return;
    if (d.error) { label.textContent = d.error; return; }
    data = d; win = [d.t0, d.t1]; draw();
  }
  function draw() {
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
    const d = data, sx = W / (d.t1 - d.t0), rowsN = d.mode === "bins" ? d.rows : d.n_neurons;
    if (d.mode === "spikes") {
      g.fillStyle = "#000";
      const h = Math.max(1, H / d.n_neurons);
      for (let i = 0; i < d.t.length; i++) g.fillRect((d.t[i] - d.t0) * sx, H - (d.n[i] + 1) * H / d.n_neurons, Math.max(1, sx * 0.5), h);
    } else {
      // one pixel per bin in an offscreen image, scaled up unsmoothed: no per-bin draw call
      const raw = atob(d.counts_b64), u8 = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) u8[i] = raw.charCodeAt(i);
      const counts = new Uint32Array(u8.buffer), max = Math.max(1, d.max_count);
      const img = new ImageData(d.bins, d.rows);
      for (let b = 0; b < d.bins; b++) for (let r = 0; r < d.rows; r++) {
        const c = counts[b * d.rows + r];
        const k = ((d.rows - 1 - r) * d.bins + b) * 4;
        img.data[k + 3] = c ? Math.round(255 * (0.15 + 0.85 * Math.sqrt(c / max))) : 0;
      }
      const off = document.createElement("canvas");
      off.width = d.bins; off.height = d.rows;
      off.getContext("2d").putImageData(img, 0, 0);
      g.imageSmoothingEnabled = false;
      g.drawImage(off, 0, 0, W, H);
    }
    canvas.dataset.mode = d.mode; canvas.dataset.bins = d.bins || 0;
    canvas.dataset.binMs = d.bin_ms || 0; canvas.dataset.t0 = d.t0; canvas.dataset.t1 = d.t1;
    label.textContent = `${d.t0.toFixed(1)}-${d.t1.toFixed(1)} ms, ${d.n_spikes} spikes, ${rowsN} rows, ` +
      (d.mode === "bins" ? `${d.bins} bins of ${d.bin_ms.toPrecision(3)} ms` : "every spike");
  }
  function zoom(factor, at) {
    if (!data) return;
    const [a, b] = win, c = a + at * (b - a), span = Math.max((b - a) * factor, 0.5);
    let lo = c - at * span, hi = lo + span;
    if (lo < data.run_t0) { hi += data.run_t0 - lo; lo = data.run_t0; }
    if (hi > data.run_t1) { lo = Math.max(data.run_t0, lo - (hi - data.run_t1)); hi = data.run_t1; }
    win = [lo, hi]; load();
  }
  canvas.addEventListener("wheel", (ev) => { ev.preventDefault(); zoom(ev.deltaY < 0 ? 0.5 : 2, ev.offsetX / W); });
  let drag = null;
  canvas.addEventListener("mousedown", (ev) => { drag = [ev.offsetX, win]; });
  window.addEventListener("mouseup", (ev) => {
    if (!drag || !data) { drag = null; return; }
    const dt = (drag[0] - ev.offsetX) / W * (drag[1][1] - drag[1][0]);
    drag = null;
    if (Math.abs(dt) > 0) { win = [win[0] + dt, win[1] + dt]; zoom(1, 0.5); }
  });
  sheet.addEventListener("change", () => { win = null; load(); });
  if (sheets.length) load();
  return box;
}

// ------------------------------------------------------------------------------- neuron map
function neuronMap(path, sheets) {
  const W = 420, H = 420;
  const sheet = el("select", {id: "map-sheet"}, sheets.map((s) => el("option", {value: s}, s)));
  const value = el("select", {id: "map-value"});
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", W); svg.setAttribute("height", H); svg.id = "map";
  const legend = el("div", {id: "map-legend"});
  let pending = 0;
  async function load(adsId) {
    const id = ++pending;
    let url = `/api/map?path=${q(path)}&sheet=${q(sheet.value)}`;
    if (adsId !== undefined) url += `&ads_id=${adsId}`;
    const d = await getJSON(url);
    if (id !== pending) return;  // a later choice is on its way: this answer is stale
    if (d.error) { legend.textContent = d.error; return; }
    value.replaceChildren(...d.choices.map((c) => el("option", {value: c.ads_id},
      `${c.value_name} (${c.analysis_algorithm}) ${c.stimulus_id ? c.stimulus_id.slice(0, 60) : ""}`)));
    if (d.values) value.value = d.values.ads_id;
    const vals = d.values ? d.values.values : d.x.map(() => null);
    const [lo, hi] = range(vals);
    const [x0, x1] = range(d.x), [y0, y1] = range(d.y), pad = 14;
    const sx = (W - 2 * pad) / (x1 - x0), sy = (H - 2 * pad) / (y1 - y0), s = Math.min(sx, sy);
    svg.replaceChildren();
    d.x.forEach((x, i) => {
      const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      c.setAttribute("cx", pad + (x - x0) * s); c.setAttribute("cy", H - pad - (d.y[i] - y0) * s);
      c.setAttribute("r", Math.max(2, Math.min(8, 200 / Math.sqrt(d.x.length))));
      c.setAttribute("fill", vals[i] === null ? "#999" : color((vals[i] - lo) / (hi - lo)));
      c.setAttribute("data-neuron", d.ids[i]);
      c.addEventListener("mousemove", (ev) => showTip(ev, [`neuron ${d.ids[i]} (index ${i})`,
        d.values ? `${d.values.name}: ${fmt(vals[i])} ${d.values.units}` : "no values stored",
        ...Object.entries(d.annotations).map(([k, v]) => `${k}: ${fmt(v[i])}`)].join("\n")));
      c.addEventListener("mouseleave", hideTip);
      svg.append(c);
    });
    legend.textContent = d.values ? `${d.values.name}: ${fmt(lo)} (dark) to ${fmt(hi)} (yellow) ${d.values.units}` :
      "positions only: no PerNeuronValue stored for this sheet";
    // drawn: which sheet and value the circles show (tests wait for it, not for a time)
    svg.dataset.sheet = sheet.value; svg.dataset.adsId = d.values ? String(d.values.ads_id) : "";
  }
  sheet.addEventListener("change", () => load());
  value.addEventListener("change", () => load(value.value));
  if (sheets.length) load();
  return el("div", {}, el("div", {class: "controls"}, "sheet ", sheet, "value ", value), svg, legend);
}

// ------------------------------------------------------------------------------- run
function figureList(path, files) {
  if (!files.length) return el("p", {}, "No figures recorded by this run's plot steps.");
  return el("div", {id: "figures"}, files.map((f) => el("figure", {}, el("img", {
    src: `/api/figure?path=${q(path)}&file=${q(f)}`, alt: f}), el("figcaption", {}, f))));
}

function queryForm(path) {
  const text = el("textarea", {id: "query-text", placeholder: "sheet_name = exc\nidentifier = PerNeuronValue"});
  const out = el("div", {id: "query-out"});
  const go = el("button", {id: "query-go", on: {click: async () => {
    const d = await getJSON(`/api/query?path=${q(path)}&q=${q(text.value)}`);
    if (d.error) { out.replaceChildren(errorBox(d.error)); return; }
    out.replaceChildren(
      ...d.warnings.map((w) => el("div", {class: "note"}, w)),
      el("h3", {}, `${d.n_segments} segments`),
      dataTable(["segment_id", "sheet_name", "stimulus_id", "trial", "is_null", "t_start", "t_stop", "n_spikes"], d.segments, {id: "query-segments"}),
      el("h3", {}, `${d.n_results} results`),
      dataTable(["ads_id", "identifier", "analysis_algorithm", "sheet_name", "value_name", "stimulus_id"], d.results, {id: "query-results"}));
  }}}, "Query");
  return el("div", {}, el("p", {}, "param_filter_query keywords, one `key = value` per line (values: numbers, text, JSON lists)."), text, el("br"), go, out);
}

async function run() {
  const d = await getJSON(`/api/run?path=${q(PATH)}`);
  if (d.error && d.status !== "damaged") { app.replaceChildren(errorBox(d.error)); return; }
  if (d.status === "damaged") {
    app.replaceChildren(el("h2", {}, `${PATH}: damaged store`), errorBox(d.error),
      el("h3", {}, "mozaik check (quick) finds"), el("ul", {id: "problems"}, d.problems.map((p) => el("li", {}, p))));
    return;
  }
  const s = d.summary, sheets = s.sheets.map((x) => x.name);
  const parts = [el("h2", {id: "run-title"}, `${d.name} `, el("span", {class: "status-" + d.status, id: "run-status"}, d.status))];
  if (d.status === "in progress" || d.status === "interrupted")
    parts.push(el("div", {class: "note"}, d.status === "in progress" ? "This run is being written: reload for the latest." :
      "This run was interrupted; `mozaik run RUN_DIR` completes it."));
  if (s.integrity.problems.length) parts.push(errorBox("Problems: " + s.integrity.problems.join("\n")));
  parts.push(
    el("h2", {}, "Raster"), raster(PATH, sheets),
    el("h2", {}, "Sheets"), dataTable(["name", "neurons", "mean_rate_hz", "spikes", "segments"], s.sheets, {filters: false}),
    el("h2", {}, "Neuron values on the sheet"), neuronMap(PATH, sheets),
    el("h2", {}, "Stimuli"), dataTable(["name", "params", "trials", "duration_ms", "frames"], s.stimuli, {
      id: "stimuli", filters: false,
      cell: (c, r) => c !== "frames" ? fmt(r[c]) : el("button", {class: "frames", on: {click: (ev) => {
        const src = `/api/stimulus?path=${q(PATH)}&stimulus_id=${q(r.id)}`;
        const img = el("img", {class: "stimulus", alt: r.name, src});
        const caption = el("figcaption", {class: "stimulus-info"});
        const fig = el("figure", {}, img, caption);
        img.addEventListener("error", async () => {
          const d = await getJSON(img.src);
          fig.replaceWith(el("span", {class: "note"}, d.error || "no frames"));
        });
        img.addEventListener("load", async () => {
          const d = await getJSON(src + "&info=1");
          if (d.error) return;
          const [x0, x1, y0, y1] = d.extent, [ux, uy] = d.extent_units;
          caption.textContent = `${d.quantity} ${fmt(d.min)} (black) to ${fmt(d.max)} (white) ${d.units}; ` +
            `x ${fmt(x0)} to ${fmt(x1)} ${ux}, y ${fmt(y0)} to ${fmt(y1)} ${uy}; ` +
            `${d.n_frames} frame(s) of ${fmt(d.frame_interval_ms)} ms`;
        });
        ev.target.replaceWith(fig);
      }}}, "show")}),
    el("h2", {}, "Figures"), figureList(PATH, d.figures),
    el("h2", {}, "Single values"), dataTable(["sheet", "value_name", "value", "units", "analysis"], d.values, {id: "values"}),
    el("h2", {}, "Analysis results"), dataTable(["ads_id", "identifier", "analysis_algorithm", "sheet_name", "value_name", "stimulus_name", "parameters"], d.results, {id: "results"}),
    el("h2", {}, "Query"), queryForm(PATH),
    el("h2", {}, "Provenance"), kvTable({...s.run, distributions: null}), kvTable(s.run.distributions),
    el("h3", {}, "Seeds"), el("pre", {}, JSON.stringify(d.seeds, null, 1)),
    el("h3", {}, "Study"), el("pre", {}, JSON.stringify(d.config, null, 1)));
  app.replaceChildren(...parts);
}

// ------------------------------------------------------------------------------- search
function heatMap(data, rowsOf, openRun) {
  const W = 520, H = 420, pad = 70;
  const opts = (list) => list.map((c) => el("option", {value: c}, c));
  const numeric = data.parameters;
  const xs = el("select", {id: "heat-x"}, opts(numeric)), ys = el("select", {id: "heat-y"}, opts(numeric));
  const vs = el("select", {id: "heat-value"}, opts(data.values));
  if (numeric.length > 1) ys.value = numeric[1];
  const canvas = el("canvas", {id: "heat", width: W, height: H});
  const info = el("div", {id: "heat-info"});
  let cells = [];
  function draw() {
    const rows = rowsOf(), x = xs.value, y = ys.value, v = vs.value;
    const ux = [...new Set(rows.map((r) => r[x]))].sort((a, b) => a - b);
    const uy = [...new Set(rows.map((r) => r[y]))].sort((a, b) => a - b);
    const ix = new Map(ux.map((u, i) => [u, i])), iy = new Map(uy.map((u, j) => [u, j]));
    const acc = new Map();
    for (const r of rows) {
      const key = ix.get(r[x]) + "," + iy.get(r[y]);
      if (!acc.has(key)) acc.set(key, {sum: 0, n: 0, points: []});
      const a = acc.get(key);
      a.points.push(r);
      if (typeof r[v] === "number") { a.sum += r[v]; a.n += 1; }
    }
    const means = [...acc.values()].map((a) => a.n ? a.sum / a.n : null);
    const [lo, hi] = range(means);
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
    const cw = (W - pad) / Math.max(1, ux.length), ch = (H - pad) / Math.max(1, uy.length);
    cells = [];
    g.font = "11px sans-serif";
    for (const [key, a] of acc) {
      const [i, j] = key.split(",").map(Number), m = a.n ? a.sum / a.n : null;
      const cx = pad + i * cw, cy = H - pad - (j + 1) * ch;
      g.fillStyle = color(m === null ? null : (m - lo) / (hi - lo));
      g.fillRect(cx, cy, cw - 1, ch - 1);
      cells.push({cx, cy, cw, ch, a, m});
    }
    g.fillStyle = "#000";
    ux.forEach((u, i) => g.fillText(fmt(u), pad + i * cw + 2, H - pad + 14));
    uy.forEach((u, j) => g.fillText(fmt(u), 2, H - pad - j * ch - ch / 2));
    g.fillText(x, pad, H - 20); g.fillText(y, 2, 12);
    canvas.dataset.x = x; canvas.dataset.y = y; canvas.dataset.cells = String(cells.length);
    canvas.dataset.drawnMs = performance.now().toFixed(0);  // since navigation (benchmark)
    info.textContent = `${v}: ${fmt(lo)} (dark) to ${fmt(hi)} (yellow), mean over the other parameters; click a cell to open its run`;
  }
  function cellAt(ev) { return cells.find((c) => ev.offsetX >= c.cx && ev.offsetX < c.cx + c.cw && ev.offsetY >= c.cy && ev.offsetY < c.cy + c.ch); }
  canvas.addEventListener("mousemove", (ev) => { const c = cellAt(ev); c ? showTip(ev, `${vs.value} = ${fmt(c.m)}\n${c.a.points.length} point(s): ${c.a.points.map((p) => p.point_id).slice(0, 8).join(", ")}`) : hideTip(); });
  canvas.addEventListener("mouseleave", hideTip);
  canvas.addEventListener("click", (ev) => { const c = cellAt(ev); if (c) openRun(c.a.points[0]); });
  for (const s of [xs, ys, vs]) s.addEventListener("change", draw);
  const box = el("div", {}, el("div", {class: "controls"}, "x ", xs, "y ", ys, "value ", vs), canvas, info);
  box.redraw = draw;
  if (numeric.length && data.values.length) setTimeout(draw, 0);
  else box.replaceChildren(el("p", {}, "A heat map needs a varied parameter and a SingleValue."));
  return box;
}

function history(rows) {
  const W = 620, H = 260, pad = 40, key = Object.keys(rows[0] || {}).find((k) => k.startsWith("objective_"));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", W); svg.setAttribute("height", H); svg.id = "history";
  if (!key) return el("p", {}, "No objective recorded yet.");
  const pts = rows.filter((r) => typeof r[key] === "number");
  const [lo, hi] = range(pts.map((r) => r[key])), n = Math.max(1, rows.length - 1);
  const X = (t) => pad + t / n * (W - 2 * pad), Y = (v) => H - pad - (v - lo) / (hi - lo) * (H - 2 * pad);
  let best = Infinity, path = "";
  for (const r of pts) {
    const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
    c.setAttribute("cx", X(r.trial)); c.setAttribute("cy", Y(r[key])); c.setAttribute("r", 3); c.setAttribute("fill", "#2a6fb0");
    svg.append(c);
    best = Math.min(best, r[key]);
    path += (path ? "L" : "M") + X(r.trial) + "," + Y(best);
  }
  const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
  line.setAttribute("d", path); line.setAttribute("stroke", "#c33"); line.setAttribute("fill", "none");
  svg.append(line);
  return el("div", {}, svg, el("div", {}, `${key} per trial (blue) and the best so far (red, minimised); ${rows.length} trials`));
}

async function search() {
  const d = await getJSON(`/api/search?path=${q(PATH)}`);
  if (d.error) { app.replaceChildren(errorBox(d.error)); return; }
  const fetched = performance.now();
  // the server sends columns (one list per column): rows are built here, once
  const names = Object.keys(d.columns), rows = new Array(d.n);
  for (let i = 0; i < d.n; i++) {
    const r = {};
    for (const c of names) r[c] = d.columns[c][i];
    rows[i] = r;
  }
  const openRun = (r) => { if (r.run) location.href = "/run?path=" + q(PATH + "/" + r.run); };
  let shown = rows, heat = null;
  const table = dataTable(["point_id", "status", ...d.parameters, ...d.values], rows, {
    id: "points", pageSize: 100, onclick: openRun, ondraw: (sel) => { shown = sel; if (heat) heat.redraw(); }});
  heat = heatMap(d, () => shown, openRun);
  app.replaceChildren(el("h2", {}, `Search ${d.name}: ${d.n} points`),
    el("div", {class: "cols"}, el("div", {class: "col"}, el("h2", {}, "Heat map"), heat),
      d.history ? el("div", {class: "col"}, el("h2", {}, "Trial history"), history(d.history)) : null),
    el("h2", {}, "Points"), table);
  // for the benchmark: when the data arrived and when the page was built (ms since navigation)
  app.dataset.fetchedMs = fetched.toFixed(0);
  app.dataset.builtMs = performance.now().toFixed(0);
}

// ------------------------------------------------------------------------------- compare
function flatten(obj, prefix, out) {
  for (const [k, v] of Object.entries(obj || {})) {
    const key = prefix ? prefix + "." + k : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = JSON.stringify(v);
  }
  return out;
}

async function compare() {
  const paths = JSON.parse(PATH || "[]");
  if (paths.length < 2) { app.replaceChildren(el("p", {}, "Pick two or more runs on the home page to compare them.")); return; }
  const runs = await Promise.all(paths.map((p) => getJSON(`/api/run?path=${q(p)}`)));
  const flat = runs.map((r) => flatten(r.config || {}, "", {}));
  const keys = [...new Set(flat.flatMap(Object.keys))].sort();
  const differ = keys.filter((k) => new Set(flat.map((f) => f[k])).size > 1);
  const valueKeys = [...new Set(runs.flatMap((r) => (r.values || []).map((v) => `${v.value_name} [${v.sheet}]`)))];
  const valueOf = (r, k) => (r.values || []).find((v) => `${v.value_name} [${v.sheet}]` === k);
  app.replaceChildren(
    el("h2", {}, "Parameters that differ"),
    el("table", {id: "differ"}, el("tr", {}, el("th", {}, "parameter"), paths.map((p) => el("th", {}, p))),
      differ.map((k) => el("tr", {}, el("td", {}, k), flat.map((f) => el("td", {}, f[k] ?? ""))))),
    differ.length ? null : el("p", {}, "The studies are identical."),
    el("h2", {}, "Single values"),
    el("table", {id: "compare-values"}, el("tr", {}, el("th", {}, "value"), paths.map((p) => el("th", {}, p))),
      valueKeys.map((k) => el("tr", {}, el("td", {}, k), runs.map((r) => el("td", {}, fmt((valueOf(r, k) || {}).value)))))),
    el("h2", {}, "Figures"),
    el("div", {class: "cols"}, runs.map((r, i) => el("div", {class: "col"}, el("h3", {}, paths[i]),
      r.error ? errorBox(r.error) : figureList(paths[i], r.figures || [])))));
}

({home, run, search, compare}[PAGE] || home)().catch((e) => app.replaceChildren(errorBox(String(e))));
