// The edge-ml dashboard page: plain ES module, no build step. It listens to GET /events (Server-Sent
// Events: one `snapshot`, then `tick`s) and asks GET /api/window for a flagged window's readings.
// The shapes are in src/dashboard/contract.ts; uPlot comes from /vendor as the global `uPlot`.
//
// @ts-check
/** @typedef {import('../src/dashboard/contract.js').Snapshot} Snapshot */
/** @typedef {import('../src/dashboard/contract.js').Tick} Tick */
/** @typedef {import('../src/dashboard/contract.js').Stage} Stage */
/** @typedef {import('../src/dashboard/contract.js').CarTile} CarTile */
/** @typedef {import('../src/dashboard/contract.js').Anomaly} Anomaly */
/** @typedef {import('../src/dashboard/contract.js').Detection} Detection */
/** @typedef {import('../src/dashboard/contract.js').SeriesPoint} SeriesPoint */
/** @typedef {import('../src/dashboard/contract.js').WindowView} WindowView */

/** @type {any} */
const uPlot = /** @type {any} */ (globalThis).uPlot;

// The page keeps bounded lists whatever the server sends: a long session must not grow the tab.
const FEED_ROWS = 100;
const SERIES_POINTS = 300; // five minutes at one point a second
const RECENT_SCORES = 1000;

/** What a newcomer needs to read the strip: one line per stage, under the server's label. */
const STAGE_ROLE = {
  cars: 'simulated cars publish readings over MQTT',
  'mqtt-endpoint': 'receives MQTT, writes each message to Kafka',
  'source-topic': 'Kafka topic of raw readings',
  processor: 'ksqlDB scores each window with the autoencoder',
  'scores-topic': 'every window\u2019s score',
  'anomalies-topic': 'only scores over the threshold',
};
// The last two stages both come out of the processor: they are drawn as a fork, one above the other.
const FORK = ['scores-topic', 'anomalies-topic'];
const STATE_TEXT = { running: '\u25cf running', starting: '\u25d0 starting', down: '\u2715 down', unknown: '? unknown' };

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.querySelector(`[data-testid="${id}"]`));

const state = {
  /** @type {Snapshot['scenario'] | null} */ scenario: null,
  /** @type {Stage[]} */ stages: [],
  /** Tiles in drawing order; `index` finds a car's position so a tick redraws only its tile. */
  /** @type {CarTile[]} */ cars: [],
  /** @type {Map<string, number>} */ index: new Map(),
  flagged: 0,
  /** @type {Anomaly[]} */ feed: [],
  /** @type {SeriesPoint[]} */ series: [],
  /** @type {{ at: number, score: number }[]} */ scores: [],
  /** @type {Detection | null} */ detection: null,
  /** @type {Anomaly | null} */ selected: null,
  snapshots: 0,
};

// ---------------------------------------------------------------------------------------------
// Connection: EventSource retries by itself (the server sends `retry:`); every (re)connection
// starts with a snapshot, which replaces the whole view, so nothing missed while away is stale.

function connect() {
  const events = new EventSource('/events');
  events.addEventListener('snapshot', (e) => applySnapshot(JSON.parse(/** @type {MessageEvent} */ (e).data)));
  events.addEventListener('tick', (e) => applyTick(JSON.parse(/** @type {MessageEvent} */ (e).data)));
  events.addEventListener('error', () => {
    setConnection('reconnecting', 'reconnecting\u2026 (no connection to the dashboard server)');
    // What the strip showed is no longer known; keep the last figures, greyed, until the next snapshot.
    renderStages(state.stages.map((s) => ({ ...s, state: 'unknown', ratePerS: null, detail: 'no connection to the dashboard' })));
    // A CLOSED source (an HTTP error rather than a dropped connection) is not retried by the browser.
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
}

/** @param {'connecting' | 'live' | 'reconnecting'} kind @param {string} text */
function setConnection(kind, text) {
  const el = $('connection');
  el.dataset.state = kind;
  el.textContent = text;
}

/** @param {Snapshot} snap */
function applySnapshot(snap) {
  state.snapshots += 1;
  state.scenario = snap.scenario;
  $('scenario').textContent = `\u2014 ${snap.scenario.name}`;
  $('threshold').textContent = fmtScore(snap.scenario.threshold);
  $('window-length').textContent = String(snap.scenario.windowLength);
  state.cars = [];
  state.index.clear();
  state.flagged = 0;
  for (const tile of snap.fleet) upsertTile(tile);
  sortFleet();
  layoutFleet();
  state.feed = snap.feed.slice(0, FEED_ROWS);
  state.series = snap.series.slice(-SERIES_POINTS);
  state.scores = snap.recentScores.slice(-RECENT_SCORES);
  state.detection = snap.detection;
  state.stages = snap.stages;
  renderStages(snap.stages);
  renderFeed();
  renderDetection();
  chartsDirty = true;
  schedule();
  setConnection('live', '\u25cf live');
}

/** @param {Tick} tick */
function applyTick(tick) {
  const before = state.cars.length;
  for (const tile of tick.fleet) upsertTile(tile);
  // New cars take their place in order: every tile may move, so all are redrawn (layoutFleet).
  if (state.cars.length !== before) {
    sortFleet();
    layoutFleet();
  }
  if (tick.feed.length) {
    state.feed = [...tick.feed, ...state.feed].slice(0, FEED_ROWS);
    renderFeed();
  }
  if (tick.point) state.series = [...state.series, tick.point].slice(-SERIES_POINTS);
  if (tick.scores.length) state.scores = [...state.scores, ...tick.scores].slice(-RECENT_SCORES);
  state.detection = tick.detection;
  state.stages = tick.stages;
  renderStages(tick.stages);
  renderDetection();
  chartsDirty = true;
  schedule();
}

// ---------------------------------------------------------------------------------------------
// The pipeline strip.

/** @param {Stage[]} stages */
function renderStages(stages) {
  const list = $('pipeline');
  const main = stages.filter((s) => !FORK.includes(s.id));
  const fork = stages.filter((s) => FORK.includes(s.id));
  const steps = [...main.map((s) => [s]), ...(fork.length ? [fork] : [])];
  list.replaceChildren(...steps.map((group) => {
    const li = document.createElement('li');
    li.className = group.length > 1 ? 'step fork' : 'step';
    li.append(...group.map(stageBox));
    return li;
  }));
}

/** @param {Stage} s */
function stageBox(s) {
  const box = document.createElement('div');
  box.className = 'stage';
  box.dataset.testid = `stage-${s.id}`;
  box.dataset.state = s.state;
  const rate = s.ratePerS === null ? '\u2013/s' : `${fmtRate(s.ratePerS)}/s`;
  box.innerHTML = '<strong class="label"></strong><span class="role"></span>'
    + '<span class="status"><span class="state"></span> <span class="rate"></span></span><span class="detail"></span>';
  /** @type {HTMLElement} */ (box.querySelector('.label')).textContent = s.label;
  /** @type {HTMLElement} */ (box.querySelector('.role')).textContent = STAGE_ROLE[s.id] ?? '';
  /** @type {HTMLElement} */ (box.querySelector('.state')).textContent = STATE_TEXT[s.state] ?? s.state;
  /** @type {HTMLElement} */ (box.querySelector('.rate')).textContent = rate;
  /** @type {HTMLElement} */ (box.querySelector('.detail')).textContent = s.detail ?? '';
  return box;
}

// ---------------------------------------------------------------------------------------------
// The fleet: one canvas, one tile per car. A tick marks only its cars' tiles dirty and the next
// animation frame repaints those, so 10,000 cars cost what changed, not what exists.

const fleetCanvas = /** @type {HTMLCanvasElement} */ ($('fleet'));
const fleetCtx = /** @type {CanvasRenderingContext2D} */ (fleetCanvas.getContext('2d'));
const layout = { size: 40, gap: 2, cols: 1 };
/** @type {Set<number>} */
const dirty = new Set();
let allDirty = true;
let chartsDirty = true;
let frameRequested = false;

const COLOURS = { ok: '#2f8a4f', flagged: '#c62828' };
// Car names in natural order (car 2 before car 10), so that a newcomer finds a car where expected.
const byName = new Intl.Collator('en', { numeric: true }).compare;

function sortFleet() {
  state.cars.sort((a, b) => byName(a.car, b.car));
  state.cars.forEach((tile, i) => state.index.set(tile.car, i));
}

/** @param {CarTile} tile */
function upsertTile(tile) {
  const at = state.index.get(tile.car);
  if (at === undefined) {
    state.index.set(tile.car, state.cars.length);
    state.cars.push(tile);
    if (tile.flagged) state.flagged += 1;
    dirty.add(state.cars.length - 1);
    return;
  }
  state.flagged += Number(tile.flagged) - Number(state.cars[at].flagged);
  state.cars[at] = tile;
  dirty.add(at);
}

/**
 * Two classes only, the server's own verdict: on real data most normal windows score between half
 * the threshold and the threshold, so a "near" class painted a healthy fleet amber.
 * @param {CarTile} tile @returns {'ok' | 'flagged'}
 */
function kindOf(tile) {
  return tile.flagged ? 'flagged' : 'ok';
}

/** Tiles as large as fit a box about 40% of the viewport high: 40 px for 20 cars, 3 px for 10,000. */
function layoutFleet() {
  const width = Math.max(100, /** @type {HTMLElement} */ (fleetCanvas.parentElement).clientWidth);
  const maxHeight = Math.max(120, Math.round(window.innerHeight * 0.3));
  const n = Math.max(1, state.cars.length);
  const size = Math.max(3, Math.min(40, Math.floor(Math.sqrt((width * maxHeight) / n))));
  const cols = Math.max(1, Math.floor(width / size));
  const height = Math.max(size, Math.ceil(n / cols) * size);
  Object.assign(layout, { size, gap: size >= 12 ? 2 : size >= 6 ? 1 : 0, cols });
  const dpr = window.devicePixelRatio || 1;
  fleetCanvas.style.width = `${width}px`;
  fleetCanvas.style.height = `${height}px`;
  fleetCanvas.width = Math.round(width * dpr);
  fleetCanvas.height = Math.round(height * dpr);
  fleetCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
  allDirty = true;
  $('car-count').textContent = state.cars.length.toLocaleString('en');
  schedule();
}

/**
 * One tile: the colour says the class, the shape says it again for whoever cannot tell the
 * colours apart: an X and a thick dark border for flagged.
 * @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y @param {number} size
 * @param {'ok' | 'flagged'} kind @param {string | null} label
 */
function drawTile(ctx, x, y, size, kind, label) {
  const gap = size >= 12 ? 2 : size >= 6 ? 1 : 0;
  const s = size - gap;
  ctx.clearRect(x, y, size, size);
  ctx.fillStyle = COLOURS[kind];
  ctx.fillRect(x, y, s, s);
  if (s < 5) return; // at 10,000 cars a tile is a few pixels: colour only, the legend still applies
  if (kind === 'flagged') {
    const w = Math.max(1.5, s / 8);
    ctx.strokeStyle = '#1b1b1b';
    ctx.lineWidth = w;
    ctx.strokeRect(x + w / 2, y + w / 2, s - w, s - w);
    ctx.strokeStyle = '#ffffff';
    ctx.beginPath();
    const m = s * 0.22;
    ctx.moveTo(x + m, y + m); ctx.lineTo(x + s - m, y + s - m);
    ctx.moveTo(x + s - m, y + m); ctx.lineTo(x + m, y + s - m);
    ctx.stroke();
  }
  if (label && s >= 28 && kind !== 'flagged') {
    ctx.fillStyle = '#ffffff';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText(label, x + 3, y + 11, s - 6);
  }
}

function drawFleet() {
  const { size, cols } = layout;
  if (allDirty) {
    fleetCtx.clearRect(0, 0, fleetCanvas.width, fleetCanvas.height);
    for (let i = 0; i < state.cars.length; i++) dirty.add(i);
    allDirty = false;
  }
  for (const i of dirty) {
    const tile = state.cars[i];
    if (tile) drawTile(fleetCtx, (i % cols) * size, Math.floor(i / cols) * size, size, kindOf(tile), tile.car);
  }
  dirty.clear();
  $('flagged-count').textContent = state.flagged.toLocaleString('en');
}

/** One requestAnimationFrame for whatever changed since the last frame: tiles and charts. */
function schedule() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    if (allDirty || dirty.size) drawFleet();
    if (chartsDirty) updateCharts();
  });
}

/** @param {MouseEvent} e @returns {CarTile | undefined} */
function tileAt(e) {
  const rect = fleetCanvas.getBoundingClientRect();
  const col = Math.floor((e.clientX - rect.left) / layout.size);
  const row = Math.floor((e.clientY - rect.top) / layout.size);
  if (col < 0 || col >= layout.cols) return undefined;
  return state.cars[row * layout.cols + col];
}

/** @type {CarTile | undefined} */
let pinned;
/** @param {CarTile | undefined} tile */
function describeTile(tile) {
  const el = $('fleet-hover');
  if (!tile) { el.textContent = 'Point at or click a tile to see the car and its latest score.'; return; }
  const threshold = state.scenario?.threshold;
  const ratio = threshold ? ` (${(tile.score / threshold).toFixed(2)}\u00d7 the threshold)` : '';
  el.textContent = `car ${tile.car}: latest score ${fmtScore(tile.score)}${ratio}, ${tile.flagged ? 'flagged' : 'not flagged'}, at ${fmtTime(tile.at)}`;
}
fleetCanvas.addEventListener('mousemove', (e) => describeTile(tileAt(e) ?? (pinned && state.cars[state.index.get(pinned.car) ?? -1])));
fleetCanvas.addEventListener('mouseleave', () => describeTile(pinned && state.cars[state.index.get(pinned.car) ?? -1]));
fleetCanvas.addEventListener('click', (e) => {
  pinned = tileAt(e);
  describeTile(pinned);
  // A flagged car's latest anomaly is one click away from its explanation.
  const anomaly = pinned && state.feed.find((a) => a.car === pinned?.car);
  if (anomaly) selectAnomaly(anomaly);
});
new ResizeObserver(() => layoutFleet()).observe(/** @type {HTMLElement} */ (fleetCanvas.parentElement));

for (const legend of document.querySelectorAll('canvas[data-legend]')) {
  const c = /** @type {HTMLCanvasElement} */ (legend);
  drawTile(/** @type {CanvasRenderingContext2D} */ (c.getContext('2d')), 0, 0, 16, /** @type {any} */ (c.dataset.legend), null);
}

// ---------------------------------------------------------------------------------------------
// The anomaly feed and "why it was flagged".

function renderFeed() {
  const body = $('feed');
  const rows = state.feed.map((a) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'feed-row';
    tr.dataset.car = a.car;
    tr.dataset.event = String(a.event);
    tr.dataset.at = String(a.at); // the score record's time, for tests timing the feed
    tr.tabIndex = 0;
    if (state.selected && state.selected.car === a.car && state.selected.event === a.event) tr.className = 'selected';
    for (const text of [fmtTime(a.at), a.car, String(a.event), fmtScore(a.score), a.label ?? '']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    /** @type {HTMLElement} */ (tr.lastElementChild).className = 'fault';
    return tr;
  });
  body.replaceChildren(...rows);
  $('feed-empty').hidden = rows.length > 0;
}

/** @param {Event} e */
function feedActivate(e) {
  const tr = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (e.target).closest('tr[data-car]'));
  if (!tr) return;
  const anomaly = state.feed.find((a) => a.car === tr.dataset.car && String(a.event) === tr.dataset.event);
  if (anomaly) selectAnomaly(anomaly);
}
$('feed').addEventListener('click', feedActivate);
$('feed').addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); feedActivate(e); } });

let windowRequest = 0;
/** @param {Anomaly} anomaly */
async function selectAnomaly(anomaly) {
  state.selected = anomaly;
  renderFeed();
  const mine = ++windowRequest; // a later click wins over a slower earlier answer
  const text = $('window-text');
  text.textContent = `Loading car ${anomaly.car}, event ${anomaly.event}\u2026`;
  let view;
  try {
    const res = await fetch(`/api/window?car=${encodeURIComponent(anomaly.car)}&event=${encodeURIComponent(anomaly.event)}`);
    if (mine !== windowRequest) return;
    if (res.status === 404) {
      text.textContent = `The server no longer keeps car ${anomaly.car}'s event ${anomaly.event} (it keeps a few recent windows per car).`;
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    view = /** @type {WindowView} */ (await res.json());
  } catch (err) {
    if (mine === windowRequest) text.textContent = `Could not load the window: ${/** @type {Error} */ (err).message}`;
    return;
  }
  if (mine !== windowRequest) return;
  plotWindow(view);
}

/** @param {WindowView} view */
function plotWindow(view) {
  const { flagged, lastNormal, threshold } = view;
  const times = flagged.score / threshold;
  let text = `Car ${view.car}, event ${flagged.event}: score ${fmtScore(flagged.score)}, ${times.toFixed(1)}\u00d7 the threshold ${fmtScore(threshold)}, so it was flagged (red).`;
  text += lastNormal
    ? ` The same car's last normal window (blue): event ${lastNormal.event}, score ${fmtScore(lastNormal.score)}.`
    : ' The server kept no normal window of this car to compare with.';
  $('window-text').textContent = text;
  const n = Math.max(flagged.readings.length, lastNormal?.readings.length ?? 0);
  const xs = Array.from({ length: n }, (_, i) => i);
  const pad = (/** @type {number[]} */ r) => xs.map((i) => (i < r.length ? r[i] : null));
  const data = [xs, pad(flagged.readings), lastNormal ? pad(lastNormal.readings) : xs.map(() => null)];
  windowChart.setData(data);
}

// ---------------------------------------------------------------------------------------------
// Detection against the labels.

function renderDetection() {
  const d = state.detection;
  $('no-labels').hidden = d !== null;
  $('detection').hidden = d === null;
  // The feed's "fault" column names injected faults: without labels it would stay empty.
  $('feed-table').classList.toggle('unlabelled', d === null);
  if (!d) return;
  setFigure('recall', d.recall, fmtRatio(d.recall));
  setFigure('precision', d.precision, fmtRatio(d.precision));
  setFigure('caught', d.caught, d.caught.toLocaleString('en'));
  setFigure('missed', d.missed, d.missed.toLocaleString('en'));
  setFigure('false-alarms', d.falseAlarms, d.falseAlarms.toLocaleString('en'));
  setFigure('labelled', d.labelled, d.labelled.toLocaleString('en'));
}

/** The text is for people; data-value keeps the exact number for scripts and tests. @param {string} id @param {number | null} value @param {string} text */
function setFigure(id, value, text) {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = value === null ? '' : String(value);
}

// ---------------------------------------------------------------------------------------------
// Charts (uPlot). Created once, fed with setData on the animation frame after a change.

/** @type {{ chart: any, el: HTMLElement }[]} */
const charts = [];

/** @param {string} id @param {any} opts */
function makeChart(id, opts) {
  const el = $(id);
  // The charts name their series in their caption (index.html): a uPlot legend would make each
  // one taller than the chart itself.
  const height = el.classList.contains('wide') ? 160 : 120;
  const chart = new uPlot({ width: Math.max(200, el.clientWidth), height, legend: { show: false }, ...opts }, opts.series.map(() => []), el);
  charts.push({ chart, el });
  return chart;
}

const line = (/** @type {string} */ label, /** @type {string} */ stroke, extra = {}) => ({ label, stroke, width: 2, ...extra });
// One line of clock time under the x axis (uPlot's default adds a second line with the date).
const xAxis = { size: 28, space: 70, values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => fmtTime(t * 1000)) };
const yAxis = { size: 48, values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => (t === null ? '' : fmtAxis(t))) };
const ratesChart = makeChart('chart-rates', {
  series: [{}, line('messages in/s', '#1f5fa8'), line('scores/s', '#2f8a4f', { dash: [6, 3] })],
  axes: [xAxis, yAxis],
});
const anomaliesChart = makeChart('chart-anomalies', {
  series: [{}, line('anomalies/min', '#c62828')],
  axes: [xAxis, yAxis],
});
const latencyChart = makeChart('chart-latency', {
  series: [{}, line('p50 ms', '#1f5fa8'), line('p99 ms', '#7b3fa0', { dash: [6, 3] })],
  axes: [xAxis, yAxis],
});
const scoresChart = makeChart('chart-scores', {
  scales: { y: { distr: 3 } },
  series: [{}, { label: 'score', stroke: '#1f5fa8', width: 0, paths: () => null, points: { show: true, size: 3, fill: '#1f5fa8' } },
    line('threshold', '#c62828', { dash: [8, 4], points: { show: false } })],
  axes: [xAxis, { size: 60, values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => (t === null ? '' : fmtScore(t))) }],
});
const windowChart = makeChart('window-chart', {
  scales: { x: { time: false } },
  series: [{ label: 'reading in the window' }, line('flagged window', '#c62828'), line('last normal window', '#1f5fa8', { dash: [6, 3] })],
  axes: [{ size: 28 }, { label: 'temperature', size: 60 }],
});

function updateCharts() {
  chartsDirty = false;
  const s = state.series;
  const xs = s.map((p) => p.at / 1000); // uPlot's time axis counts seconds
  ratesChart.setData([xs, s.map((p) => p.messagesIn), s.map((p) => p.scored)]);
  anomaliesChart.setData([xs, s.map((p) => p.anomaliesPerMin)]);
  latencyChart.setData([xs, s.map((p) => p.latencyP50Ms), s.map((p) => p.latencyP99Ms)]);
  const threshold = state.scenario?.threshold ?? null;
  // A log axis has no place for zero: such a score is left out rather than drawn at the bottom.
  scoresChart.setData([state.scores.map((p) => p.at / 1000), state.scores.map((p) => (p.score > 0 ? p.score : null)), state.scores.map(() => threshold)]);
}

new ResizeObserver(() => {
  for (const { chart, el } of charts) chart.setSize({ width: Math.max(200, el.clientWidth), height: chart.height });
}).observe(document.body);

// ---------------------------------------------------------------------------------------------
// Formatting.

/** @param {number} at */
function fmtTime(at) {
  return new Date(at).toTimeString().slice(0, 8);
}
/** @param {number} score */
function fmtScore(score) {
  return Number(score.toPrecision(3)).toString();
}
/** @param {number} rate */
function fmtRate(rate) {
  return rate >= 100 ? Math.round(rate).toLocaleString('en') : String(Number(rate.toFixed(1)));
}
/** Axis numbers short enough for a narrow axis: 12.5, 950, 10k. @param {number} v */
function fmtAxis(v) {
  return Math.abs(v) >= 1000 ? `${Number((v / 1000).toFixed(1))}k` : String(Number(v.toFixed(2)));
}
/** @param {number | null} ratio */
function fmtRatio(ratio) {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(1)}%`;
}

// A read-only hook for the browser tests and for whoever debugs the page from the console.
/** @type {any} */ (window).__dashboard = Object.freeze({
  cars: () => state.cars.length,
  snapshots: () => state.snapshots,
  /** The "why it was flagged" chart's data: [x, flagged readings, last normal readings]. */
  windowData: () => windowChart.data.map((/** @type {ArrayLike<number | null>} */ a) => Array.from(a)),
});

connect();
