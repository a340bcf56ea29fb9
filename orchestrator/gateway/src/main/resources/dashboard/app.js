// The fleet page: a live view of every board of the cluster (server-sent snapshots from
// /api/events) and the host API's actions (POST /api/request, /api/deploy), whose answers
// come back as JSON lines. Whatever a board says is inserted as text, never as markup.

const $ = (sel, root = document) => root.querySelector(sel);
const state = { token: sessionStorage.getItem('wasmfleet.token') || '', boards: [] };

if (location.hash.startsWith('#token=')) {
  state.token = decodeURIComponent(location.hash.slice('#token='.length));
  sessionStorage.setItem('wasmfleet.token', state.token);
  history.replaceState(null, '', location.pathname);
}

function headers(extra = {}) {
  return state.token ? { ...extra, Authorization: `Bearer ${state.token}` } : extra;
}

function say(text, ok = false) {
  const m = $('#message');
  m.textContent = text;
  m.className = ok ? 'info' : '';
  m.hidden = !text;
}

function askToken() {
  $('#token-form').hidden = false;
  $('#live').textContent = 'token needed';
  $('#live').className = 'badge bad';
}

$('#token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.token = $('#token').value;
  sessionStorage.setItem('wasmfleet.token', state.token);
  $('#token-form').hidden = true;
});

// ---- the live view -------------------------------------------------------------------------

async function watch() {
  for (;;) {
    try {
      const res = await fetch('/api/events', { headers: headers(), cache: 'no-store' });
      if (res.status === 401) {
        askToken();
        await new Promise((r) => $('#token-form').addEventListener('submit', r, { once: true }));
        continue;
      }
      $('#live').textContent = 'live';
      $('#live').className = 'badge ok';
      const reader = res.body.getReader();
      const text = new TextDecoder();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += text.decode(value, { stream: true });
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) render(JSON.parse(data));
        }
      }
    } catch (e) {
      // the node went away: say so, and try again
    }
    $('#live').textContent = 'reconnecting';
    $('#live').className = 'badge bad';
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function render(snapshot) {
  $('#node').textContent = `node ${snapshot.node}`;
  const boards = snapshot.boards || [];
  state.boards = boards;
  const running = boards.reduce((n, b) => n + (b.modules || []).filter((m) => m.state === 'RUNNING').length, 0);
  $('#summary').textContent = `${boards.length} boards · ${running} modules running`;
  const seen = new Set();
  for (const b of boards) {
    seen.add(b.board);
    renderBoard(card(b.board), b, (snapshot.console || {})[b.board]);
  }
  for (const el of document.querySelectorAll('#boards .board')) {
    if (!seen.has(el.dataset.board)) el.remove();
  }
}

function card(id) {
  for (const el of document.querySelectorAll('#boards .board')) {
    if (el.dataset.board === id) return el;
  }
  const el = $('#board-template').content.firstElementChild.cloneNode(true);
  el.dataset.board = id;
  $('.deploy', el).addEventListener('submit', (e) => { e.preventDefault(); deploy(id, e.target); });
  $('.start', el).addEventListener('submit', (e) => { e.preventDefault(); start(id, e.target); });
  $('#boards').append(el);
  return el;
}

function renderBoard(el, b, consoleTail) {
  $('.id', el).textContent = b.board;
  $('.link', el).textContent = b.link;
  $('.link', el).className = `link badge ${b.link === 'CONNECTED' ? 'ok' : 'bad'}`;
  $('.where', el).textContent = [`node ${b.node}`, b.type, b.cpu, b.simulated ? 'simulated' : null]
    .filter(Boolean).join(' · ');
  if (b.pool) {
    $('.pool .used', el).style.width = `${Math.round((100 * b.pool.used) / b.pool.total)}%`;
    $('.pool-text', el).textContent = `pool ${b.pool.used} of ${b.pool.total} bytes used at the last STATUS (highest ${b.pool.highmark})`;
  }
  const rows = $('.modules tbody', el);
  rows.replaceChildren(...(b.modules || []).map((m) => moduleRow(b.board, m)));
  $('.error', el).textContent = b.error || '';
  const pre = $('.console', el);
  const text = consoleTail ? consoleTail.lines.join('\n') : '';
  if (pre.textContent !== text) {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = text;
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  }
}

function moduleRow(board, m) {
  const tr = document.createElement('tr');
  tr.dataset.module = m.id;
  for (const [text, cls] of [[m.id], [m.func ? `${m.state} ${m.func}` : m.state, `state-${m.state}`], [m.wasm_bytes]]) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.append(td);
  }
  const td = document.createElement('td');
  if (m.state === 'RUNNING') {
    const stop = document.createElement('button');
    stop.textContent = 'Stop';
    stop.addEventListener('click', () => act({ cmd: 'stop', device: board, module_id: m.id }, `stop ${m.id} on ${board}`));
    td.append(stop);
  }
  tr.append(td);
  return tr;
}

// ---- actions -------------------------------------------------------------------------------

// POSTs to the page's API; calls onEvent for each progress line; resolves with the answer.
async function post(path, body, contentType, onEvent = () => {}) {
  const res = await fetch(path, {
    method: 'POST',
    headers: headers({ 'Content-Type': contentType, 'X-Wasmfleet-Request': '1' }),
    body,
  });
  if (res.status === 401) askToken();
  if (!res.ok) return res.json();
  const reader = res.body.getReader();
  const text = new TextDecoder();
  let buffered = '';
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffered += text.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      if (last) onEvent(last);
      last = line;
    }
    if (done) break;
  }
  return last;
}

function outcome(what, answer) {
  if (answer && answer.ok) say(`${what}: ${answer.detail || 'ok'}`, true);
  else say(`${what}: ${answer ? answer.error : 'no answer'}`);
}

async function act(request, what) {
  outcome(what, await post('/api/request', JSON.stringify(request), 'application/json'));
}

async function deploy(board, form) {
  const file = form.wasm.files[0];
  const q = new URLSearchParams({ device: board, module_id: form.module_id.value, blob_name: file.name });
  if (form.replace.checked) q.set('replace', '1');
  if (form.replace_victim.value) q.set('replace_victim', form.replace_victim.value);
  const bytes = await file.arrayBuffer();
  outcome(`deploy ${form.module_id.value} to ${board}`,
    await post(`/api/deploy?${q}`, bytes, 'application/octet-stream'));
}

function start(board, form) {
  const r = { cmd: 'start', device: board, module_id: form.module_id.value };
  if (form.func.value) r.func_name = form.func.value;
  if (form.args.value) r.func_args = form.args.value;
  return act(r, `start ${form.module_id.value} on ${board}`);
}

$('#fleet-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  const r = { v: 2, cmd: 'fleet', op: f.op.value, select: f.select.value };
  if (f.module_id.value) r.module_id = f.module_id.value;
  if (f.func.value) r.func_name = f.func.value;
  if (f.args.value) r.func_args = f.args.value;
  const list = $('#fleet-progress');
  list.replaceChildren();
  let path = '/api/request';
  let body = JSON.stringify(r);
  let type = 'application/json';
  if (r.op === 'deploy') { // the module is the body; the rest goes in the address
    const file = f.wasm.files[0];
    if (!file || !r.module_id) { say('fleet deploy: choose a module id and a wasm file'); return; }
    const q = new URLSearchParams({ select: r.select, module_id: r.module_id, blob_name: file.name });
    if (f.replace.checked) q.set('replace', '1');
    if (f.replace_victim.value) q.set('replace_victim', f.replace_victim.value);
    path = `/api/deploy?${q}`;
    body = await file.arrayBuffer();
    type = 'application/octet-stream';
  }
  const answer = await post(path, body, type, (event) => {
    if (event.event !== 'board') return;
    const li = document.createElement('li');
    li.className = event.ok ? 'ok' : 'bad';
    li.textContent = `${event.board}: ${event.ok ? event.detail : event.error}`;
    list.append(li);
  });
  outcome(`fleet ${r.op} ${r.select}`, answer);
});

// ---- campaigns -----------------------------------------------------------------------------

$('#campaigns-refresh').addEventListener('click', async () => {
  const answer = await post('/api/request', JSON.stringify({ v: 2, cmd: 'campaign', op: 'list' }), 'application/json');
  const list = $('#campaign-list');
  list.replaceChildren();
  for (const c of (answer && answer.campaigns) || []) {
    const li = document.createElement('li');
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = `${c.name || c.id} · ${c.state} · ${c.runs} runs`;
    open.addEventListener('click', () => showCampaign(c.id));
    li.append(open);
    list.append(li);
  }
  if (!list.children.length) list.textContent = answer && answer.ok ? 'no campaigns yet' : (answer && answer.error) || '';
});

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
}

async function showCampaign(id) {
  const answer = await post('/api/request', JSON.stringify({ v: 2, cmd: 'campaign', op: 'show', id }), 'application/json');
  const view = $('#campaign-view');
  view.replaceChildren();
  if (!answer || !answer.ok) { say(`campaign ${id}: ${answer ? answer.error : 'no answer'}`); return; }
  // a simulated board's time is the host's: said so in the cell's name
  const cells = answer.campaign.cells.map((c) => ({
    label: `${c.board} ${c.bench} ${c.mode}${c.simulated ? ' (simulated: host time)' : ''}`, state: c.state,
    short: `${c.board} ${c.bench} ${c.mode}${c.simulated ? '*' : ''}`,
    us: median((c.runs || []).map((r) => r.elapsed_us)),
  }));
  const table = document.createElement('table');
  table.innerHTML = '<thead><tr><th>cell</th><th>state</th><th>median µs</th></tr></thead>';
  const body = document.createElement('tbody');
  for (const c of cells) {
    const tr = document.createElement('tr');
    for (const text of [c.label, c.state, Number.isNaN(c.us) ? '' : c.us.toFixed(1)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(body);
  view.append(table, bars(cells.filter((c) => !Number.isNaN(c.us))));
}

// A bar per cell, its length the median time on a log scale (cells differ by orders of magnitude).
function bars(cells) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const row = 16;
  svg.setAttribute('class', 'bars');
  svg.setAttribute('viewBox', `0 0 320 ${cells.length * row + 4}`);
  svg.setAttribute('width', '100%');
  const max = Math.max(...cells.map((c) => Math.log10(c.us + 1)), 1);
  cells.forEach((c, i) => {
    const rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('x', '130');
    rect.setAttribute('y', String(i * row + 2));
    rect.setAttribute('height', String(row - 4));
    rect.setAttribute('width', String((180 * Math.log10(c.us + 1)) / max));
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', '0');
    label.setAttribute('y', String(i * row + row - 4));
    label.textContent = c.short; // * simulated: host time
    svg.append(rect, label);
  });
  return svg;
}

watch();
