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
    state.stages = state.stages.map((s) => ({ ...s, state: 'unknown', ratePerS: null, detail: 'no connection to the dashboard' }));
    dirtyParts.add('stages');
    schedule();
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
  for (const part of /** @type {const} */ (['stages', 'feed', 'detection', 'series', 'scores'])) dirtyParts.add(part);
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
    dirtyParts.add('feed');
  }
  // The series charts get a point once a second; the scores chart a sample every tick (drawn at most once a second).
  if (tick.point) {
    state.series = [...state.series, tick.point].slice(-SERIES_POINTS);
    dirtyParts.add('series');
  }
  if (tick.scores.length) {
    state.scores = [...state.scores, ...tick.scores].slice(-RECENT_SCORES);
    dirtyParts.add('scores');
  }
  state.detection = tick.detection;
  state.stages = tick.stages;
  dirtyParts.add('stages').add('detection');
  schedule();
}

// ---------------------------------------------------------------------------------------------
// The pipeline strip.

/** The stage boxes by id, built when the stages first come and then only updated in place. */
/** @type {Map<string, HTMLElement>} */
const stageBoxes = new Map();

/** @param {Stage[]} stages */
function renderStages(stages) {
  if (stages.map((s) => s.id).join() !== [...stageBoxes.keys()].join()) buildStages(stages);
  for (const s of stages) {
    const box = /** @type {HTMLElement} */ (stageBoxes.get(s.id));
    if (box.dataset.state !== s.state) box.dataset.state = s.state;
    const field = (/** @type {string} */ name) => /** @type {HTMLElement} */ (box.querySelector(name));
    setText(field('.label'), s.label);
    setText(field('.state'), STATE_TEXT[s.state] ?? s.state);
    setText(field('.rate'), s.ratePerS === null ? '\u2013/s' : `${fmtRate(s.ratePerS)}/s`);
    setText(field('.detail'), s.detail ?? '');
  }
}

/** @param {Stage[]} stages */
function buildStages(stages) {
  stageBoxes.clear();
  const main = stages.filter((s) => !FORK.includes(s.id));
  const fork = stages.filter((s) => FORK.includes(s.id));
  const steps = [...main.map((s) => [s]), ...(fork.length ? [fork] : [])];
  $('pipeline').replaceChildren(...steps.map((group) => {
    const li = document.createElement('li');
    li.className = group.length > 1 ? 'step fork' : 'step';
    li.append(...group.map((s) => {
      const box = document.createElement('div');
      box.className = 'stage';
      box.dataset.testid = `stage-${s.id}`;
      box.innerHTML = '<strong class="label"></strong><span class="role"></span>'
        + '<span class="status"><span class="state"></span> <span class="rate"></span></span><span class="detail"></span>';
      /** @type {HTMLElement} */ (box.querySelector('.role')).textContent = STAGE_ROLE[s.id] ?? '';
      stageBoxes.set(s.id, box);
      return box;
    }));
    return li;
  }));
}

/** @param {HTMLElement} el @param {string} name @param {string} value */
function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Text that did not change is not written: a write invalidates style and layout even when equal. @param {HTMLElement} el @param {string} text */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
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
/**
 * What to draw again on the next animation frame. Ticks only change the state: drawing once a
 * frame, canvases first and the DOM after, costs one style and layout pass however many ticks came.
 * @type {Set<'stages' | 'feed' | 'detection' | 'series' | 'scores'>}
 */
const dirtyParts = new Set(/** @type {const} */ (['series', 'scores']));
/**
 * The busiest parts are drawn at most once a second: at 10,000 cars a tick brings a hundred
 * anomalies and a new sample of scores, and redrawing the table and the scores chart on each of
 * the 4 ticks a second was most of the page's layout and text drawing (bench:dashboard's trace).
 * @type {Partial<Record<'feed' | 'scores', number>>}
 */
const MIN_INTERVAL_MS = { feed: 1000, scores: 1000 };
const HEAVY_PARTS = new Set(['series', 'scores', 'feed']);
/** When each part was last drawn. @type {Partial<Record<string, number>>} */
const drawnAt = {};
let laterTimer = 0;
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
}

/** One requestAnimationFrame for whatever changed since the last frame: tiles and charts. */
function schedule() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const fleetChanged = allDirty || dirty.size > 0;
    if (fleetChanged) drawFleet();
    const now = performance.now();
    const due = [...dirtyParts].filter((part) => now - (drawnAt[part] ?? -Infinity) >= (MIN_INTERVAL_MS[/** @type {'feed'} */ (part)] ?? 0));
    // At most one heavy part a frame (a chart redraw, the feed's rows): the rest go to the next
    // frames, so that no frame carries them all (bench:dashboard's longest frame).
    const heavy = due.find((part) => HEAVY_PARTS.has(part));
    const parts = due.filter((part) => !HEAVY_PARTS.has(part) || part === heavy);
    for (const part of parts) {
      dirtyParts.delete(part);
      drawnAt[part] = now;
    }
    if (parts.includes('series')) updateSeriesCharts();
    if (parts.includes('scores')) updateScoresChart();
    if (parts.includes('stages')) renderStages(state.stages);
    if (parts.includes('feed')) renderFeed();
    if (parts.includes('detection')) renderDetection();
    if (fleetChanged) setText($('flagged-count'), state.flagged.toLocaleString('en'));
    if (due.length > parts.length) schedule();
    // A part held back by its interval is drawn when the interval is up.
    else if (dirtyParts.size > 0 && !laterTimer) laterTimer = window.setTimeout(() => { laterTimer = 0; schedule(); }, 250);
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
/** The car described now: a slower answer for another car is dropped. */
let described = '';
/**
 * Ticks carry a tile only when it turns flagged or normal, so its latest score is asked for: the
 * tile as known is shown at once, the server's latest when it answers.
 * @param {CarTile | undefined} tile
 */
function describeTile(tile) {
  const el = $('fleet-hover');
  if (!tile) { described = ''; el.textContent = 'Point at or click a tile to see the car and its latest score.'; return; }
  const show = (/** @type {CarTile} */ t) => {
    const threshold = state.scenario?.threshold;
    const ratio = threshold ? ` (${(t.score / threshold).toFixed(2)}\u00d7 the threshold)` : '';
    el.textContent = `car ${t.car}: latest score ${fmtScore(t.score)}${ratio}, ${t.flagged ? 'flagged' : 'not flagged'}, at ${fmtTime(t.at)}`;
  };
  if (described === tile.car) return;
  described = tile.car;
  show(tile);
  fetch(`/api/car?car=${encodeURIComponent(tile.car)}`)
    .then((res) => (res.ok ? res.json() : undefined))
    .then((latest) => { if (latest && described === tile.car) show(latest); })
    .catch(() => undefined); // the tile as known stays shown
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
// Only a new width lays the tiles out again (a layout clears the canvas and redraws every tile).
let fleetWidth = -1;
new ResizeObserver(([entry]) => {
  const width = Math.round(entry.contentRect.width);
  if (width === fleetWidth) return;
  fleetWidth = width;
  layoutFleet();
}).observe(/** @type {HTMLElement} */ (fleetCanvas.parentElement));

for (const legend of document.querySelectorAll('canvas[data-legend]')) {
  const c = /** @type {HTMLCanvasElement} */ (legend);
  drawTile(/** @type {CanvasRenderingContext2D} */ (c.getContext('2d')), 0, 0, 16, /** @type {any} */ (c.dataset.legend), null);
}

// ---------------------------------------------------------------------------------------------
// The anomaly feed and "why it was flagged".

/** The feed's row height, as style.css sets it (--row), and the rows its box shows. */
const FEED_ROW_PX = 21;
const FEED_ROWS_SHOWN = 6; // the box is 6 rows high (style.css, .feed-box)
/** Rows built for anomalies still in the feed, by car and event: built once, placed when in view. @type {Map<string, HTMLElement>} */
const feedRows = new Map();
/** The feed box's scroll offset, kept from its scroll events: reading it in a frame would force a layout. */
let feedScrollTop = 0;

/** @param {Anomaly} a */
const feedKey = (a) => `${a.car}\u0000${a.event}`;

/**
 * Only the rows in view (and one past each end) are in the page, each placed at its offset in a
 * box as tall as all of them: a new anomaly lays out a handful of rows, however long the feed.
 */
function renderFeed() {
  const keys = new Set(state.feed.map(feedKey));
  for (const key of feedRows.keys()) if (!keys.has(key)) feedRows.delete(key);
  const first = Math.max(0, Math.floor(feedScrollTop / FEED_ROW_PX) - 1);
  const inView = state.feed.slice(first, first + FEED_ROWS_SHOWN + 2);
  const rows = inView.map((a, i) => {
    let row = feedRows.get(feedKey(a));
    if (!row) {
      row = document.createElement('div');
      row.className = 'feed-row';
      row.setAttribute('role', 'row');
      row.dataset.testid = 'feed-row';
      row.dataset.car = a.car;
      row.dataset.event = String(a.event);
      row.dataset.at = String(a.at); // the score record's time, for tests timing the feed
      row.tabIndex = 0;
      for (const text of [fmtTime(a.at), a.car, String(a.event), fmtScore(a.score), a.label ?? '']) {
        const cell = document.createElement('span');
        cell.setAttribute('role', 'cell');
        cell.textContent = text;
        row.append(cell);
      }
      /** @type {HTMLElement} */ (row.lastElementChild).className = 'fault';
      feedRows.set(feedKey(a), row);
    }
    const top = `${(first + i) * FEED_ROW_PX}px`;
    if (row.style.top !== top) row.style.top = top;
    setAttr(row, 'aria-rowindex', String(first + i + 2)); // the header is row 1
    const selected = state.selected !== null && state.selected.car === a.car && state.selected.event === a.event;
    if (row.classList.contains('selected') !== selected) row.classList.toggle('selected', selected);
    return row;
  });
  const body = $('feed');
  const height = `${state.feed.length * FEED_ROW_PX}px`;
  if (body.style.height !== height) body.style.height = height;
  if (rows.length !== body.children.length || rows.some((row, i) => body.children[i] !== row)) body.replaceChildren(...rows);
  setAttr($('feed-table'), 'aria-rowcount', String(state.feed.length + 1));
  if ($('feed-empty').hidden !== rows.length > 0) $('feed-empty').hidden = rows.length > 0;
}
$('feed-box').addEventListener('scroll', (e) => {
  feedScrollTop = /** @type {HTMLElement} */ (e.currentTarget).scrollTop;
  renderFeed();
}, { passive: true });

/** @param {Event} e */
function feedActivate(e) {
  const row = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (e.target).closest('.feed-row'));
  if (!row) return;
  const anomaly = state.feed.find((a) => a.car === row.dataset.car && String(a.event) === row.dataset.event);
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
    // 404: the server no longer knows the anomaly, or Kafka no longer holds its window; 503: Kafka is not reachable.
    if (!res.ok) throw new Error(/** @type {{ error?: string }} */ (await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`);
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
  if ($('no-labels').hidden !== (d !== null)) $('no-labels').hidden = d !== null;
  if ($('detection').hidden !== (d === null)) $('detection').hidden = d === null;
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
  setText(el, text);
  const data = value === null ? '' : String(value);
  if (el.dataset.value !== data) el.dataset.value = data;
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

function updateSeriesCharts() {
  const s = state.series;
  const xs = s.map((p) => p.at / 1000); // uPlot's time axis counts seconds
  ratesChart.setData([xs, s.map((p) => p.messagesIn), s.map((p) => p.scored)]);
  anomaliesChart.setData([xs, s.map((p) => p.anomaliesPerMin)]);
  latencyChart.setData([xs, s.map((p) => p.latencyP50Ms), s.map((p) => p.latencyP99Ms)]);
}

function updateScoresChart() {
  const threshold = state.scenario?.threshold ?? null;
  // A log axis has no place for zero: such a score is left out rather than drawn at the bottom.
  scoresChart.setData([state.scores.map((p) => p.at / 1000), state.scores.map((p) => (p.score > 0 ? p.score : null)), state.scores.map(() => threshold)]);
}

// The body's height changes with its text (a stage's detail, a longer hint): only a new width resizes the charts.
new ResizeObserver(() => {
  for (const { chart, el } of charts) {
    const width = Math.max(200, el.clientWidth);
    if (width !== chart.width) chart.setSize({ width, height: chart.height });
  }
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
