// The dashboard's one script: a page per hash (#overview, #logs, …), everything read and changed through /api with
// the session cookie; writes carry the session's CSRF token. No framework, no network but this gateway.
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const page = document.getElementById('page');

// ---- helpers ---------------------------------------------------------------------------------------------------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    // Through the CSSOM: the page's Content-Security-Policy refuses style attributes written as markup.
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
async function api(path, { method = 'GET', body } = {}) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 401) { location.reload(); throw new Error('logged out'); }
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}`);
  return json;
}
const fmt = {
  n: (v) => v === null || v === undefined ? '—' : Number(v).toLocaleString('en-US'),
  usd: (v) => v === null || v === undefined ? 'unpriced' : '$' + Number(v).toFixed(Number(v) < 1 ? 6 : 2),
  ms: (v) => v === null || v === undefined ? '—' : `${v} ms`,
  pct: (v) => v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`,
  time: (t) => t ? new Date(t).toLocaleString() : '—',
  clock: (t) => new Date(t).toLocaleTimeString(),
};
function errorBox(e) { return h('p', { class: 'bad', role: 'alert' }, String(e.message || e)); }
function card(label, value, cls) { return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value ' + (cls || '') }, value)); }
function bar(used, limit, label) {
  const fraction = limit > 0 ? Math.min(1, used / limit) : 0;
  return h('div', { class: 'bar' + (fraction >= 1 ? ' full' : ''), role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': limit, 'aria-valuenow': used, 'aria-label': label, title: label },
    h('span', { style: `width:${(fraction * 100).toFixed(1)}%` }));
}

// A small SVG chart: stacked bars per bucket (series = [{name, color, values}]).
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}) { const el = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v); return el; }
function barChart(title, labels, series, { unit = '' } = {}) {
  const W = 600, H = 180, L = 44, B = 20, T = 8;
  const totals = labels.map((_, i) => series.reduce((s, se) => s + (se.values[i] || 0), 0));
  const max = Math.max(1e-9, ...totals);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  const bw = (W - L) / Math.max(1, labels.length);
  for (const f of [0, 0.5, 1]) {
    const y = T + (H - T - B) * (1 - f);
    root.append(svg('line', { x1: L, x2: W, y1: y, y2: y, stroke: '#d8dde3' }));
    const t = svg('text', { x: L - 4, y: y + 3, 'text-anchor': 'end', class: 'axis' }); t.textContent = shortNumber(max * f) + unit; root.append(t);
  }
  labels.forEach((label, i) => {
    let y = H - B;
    for (const se of series) {
      const v = se.values[i] || 0; if (!v) continue;
      const hgt = (H - T - B) * v / max; y -= hgt;
      const r = svg('rect', { x: L + i * bw + 1, y, width: Math.max(1, bw - 2), height: hgt, fill: se.color });
      const tip = svg('title'); tip.textContent = `${label} ${se.name}: ${v}`; r.append(tip); root.append(r);
    }
    if (labels.length <= 12 || i % Math.ceil(labels.length / 8) === 0) {
      const t = svg('text', { x: L + i * bw + bw / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis' }); t.textContent = label; root.append(t);
    }
  });
  const legend = h('div', { class: 'legend' }, series.map((se) => h('span', {}, h('i', { style: `background:${se.color}` }), se.name)));
  return h('div', { class: 'panel chart' }, h('h2', {}, title), root, series.length > 1 ? legend : null);
}
function shortNumber(v) { return v >= 1e6 ? (v / 1e6).toFixed(1) + 'M' : v >= 1e3 ? (v / 1e3).toFixed(1) + 'k' : v === 0 || v >= 1 ? (Math.round(v * 10) / 10).toString() : v.toPrecision(2); }

// ---- Overview --------------------------------------------------------------------------------------------------
const WINDOWS = { '1h': { seconds: 3600, bucket: 60, label: (d) => d.toTimeString().slice(0, 5) },
  '1d': { seconds: 86400, bucket: 3600, label: (d) => d.toTimeString().slice(0, 5) },
  '7d': { seconds: 7 * 86400, bucket: 86400, label: (d) => d.toISOString().slice(5, 10) } };
const CLASS_COLORS = { caller: '#9a6700', policy: '#8250df', provider: '#cf222e', gateway: '#57606a' };

async function overview() {
  const windowName = sessionStorage.getItem('window') || '1h';
  const w = WINDOWS[windowName];
  const select = h('select', { id: 'window', onchange: (e) => { sessionStorage.setItem('window', e.target.value); route(); } },
    Object.keys(WINDOWS).map((k) => h('option', { value: k, selected: k === windowName }, `last ${k}`)));
  page.replaceChildren(h('h1', {}, 'Overview'), h('form', { class: 'inline', onsubmit: (e) => e.preventDefault() }, h('label', {}, 'Window', select)));
  const from = new Date(Date.now() - w.seconds * 1000);
  // Cards, charts and tops: every call of the window, aggregated by the store (/api/logs/totals, /api/logs/series).
  const range = `from=${encodeURIComponent(from.toISOString())}`;
  const [t, series, cache] = await Promise.all([
    api(`/api/logs/totals?${range}`), api(`/api/logs/series?${range}&bucket=${w.bucket}`),
    api('/api/cache/stats').catch(() => null)]);
  const failed = t.count - t.succeeded;
  const looked = cache ? cache.exact_hits + cache.semantic_hits + cache.misses : 0;
  page.append(h('div', { class: 'cards' },
    card('Requests', fmt.n(t.count)), card('Error rate', t.count ? fmt.pct(failed / t.count) : '—', failed ? 'bad' : ''),
    card('Latency p50 / p95', `${fmt.ms(t.latency_p50_ms)} / ${fmt.ms(t.latency_p95_ms)}`),
    card('Tokens in / out', `${fmt.n(t.input_tokens)} / ${fmt.n(t.output_tokens)}`), card('Cost', fmt.usd(t.cost_usd) + (t.unpriced ? ` (+${t.unpriced} unpriced)` : '')),
    card('Cache hit rate', cache ? (looked ? fmt.pct((cache.exact_hits + cache.semantic_hits) / looked) : '—') : 'off')));
  const count = Math.ceil(w.seconds / w.bucket);
  const start = Math.floor(from.getTime() / 1000 / w.bucket) * w.bucket;
  const labels = [];
  for (let i = 0; i <= count; i++) labels.push(w.label(new Date((start + i * w.bucket) * 1000)));
  const zero = () => labels.map(() => 0);
  const ok = zero(), byClass = Object.fromEntries(Object.keys(CLASS_COLORS).map((k) => [k, zero()]));
  const tokens = zero(), cost = zero(), p50 = zero(), p95 = zero();
  for (const b of series.buckets) {
    const i = Math.floor((new Date(b.start).getTime() / 1000 - start) / w.bucket); if (i < 0 || i >= labels.length) continue;
    for (const [cls, n] of Object.entries(b.calls)) { if (byClass[cls]) byClass[cls][i] += n; else ok[i] += n; }
    tokens[i] = b.tokens; cost[i] = Number(b.cost_usd); p50[i] = b.latency_p50_ms || 0; p95[i] = b.latency_p95_ms || 0;
  }
  page.append(h('div', { class: 'grid2' },
    barChart(`Requests per ${w.bucket === 60 ? 'minute' : w.bucket === 3600 ? 'hour' : 'day'}`, labels,
      [{ name: 'ok', color: '#1a7f37', values: ok }, ...Object.entries(byClass).map(([k, v]) => ({ name: `${k} error`, color: CLASS_COLORS[k], values: v }))]),
    barChart('Latency p50 / p95 (ms)', labels, [
      { name: 'p50', color: '#1f6feb', values: p50 },
      { name: 'p95 − p50', color: '#a5c8ff', values: p95.map((v, i) => Math.max(0, v - p50[i])) }]),
    barChart('Tokens', labels, [{ name: 'tokens', color: '#8250df', values: tokens }]),
    barChart('Cost (USD)', labels, [{ name: 'cost', color: '#9a6700', values: cost }]),
    h('div', { class: 'panel' }, h('h2', {}, 'Top models'), table(['model', 'calls'], series.top_models.map((m) => [m.name, fmt.n(m.calls)]))),
    h('div', { class: 'panel' }, h('h2', {}, 'Top keys'), table(['key id', 'calls', 'cost'],
      series.top_keys.map((k) => [k.name, fmt.n(k.calls), fmt.usd(k.cost_usd)])))));
  page.append(h('p', { class: 'muted' }, 'Every call of the window, from the request log. Cache hit rate: since this instance started.'));
}
function table(head, rows, rowAttrs) {
  return h('table', {}, h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.length ? rows.map((r, i) => h('tr', rowAttrs ? rowAttrs(i) : {}, r.map((c) => h('td', {}, c)))) : h('tr', {}, h('td', { colspan: head.length, class: 'muted' }, 'nothing yet'))));
}

// ---- Logs ------------------------------------------------------------------------------------------------------
let tail = null;
const FILTERS = [['provider', 'Provider'], ['model', 'Model'], ['status', 'HTTP status'], ['error_class', 'Error class'], ['success', 'Success (true/false)'],
  ['min_latency_ms', 'Min latency ms'], ['q', 'Content contains'], ['key_id', 'Key id'], ['from', 'From (RFC 3339)'], ['to', 'To']];
function logRow(r, fresh) {
  const status = r.error_code ? h('span', { class: 'bad' }, `${r.http_status} ${r.error_code}`) : h('span', { class: 'ok' }, r.http_status);
  const tr = h('tr', { class: 'row' + (fresh ? ' new' : ''), tabindex: 0, 'data-id': r.id, onclick: () => showDetail(r), onkeydown: (e) => { if (e.key === 'Enter') showDetail(r); } },
    h('td', {}, fmt.clock(r.started_at)), h('td', {}, r.operation), h('td', {}, r.model_resolved || r.model_requested || '—'),
    h('td', {}, status), h('td', { class: 'hide-narrow' }, r.provider || '—'), h('td', {}, fmt.ms(r.latency_ms)),
    h('td', { class: 'hide-narrow' }, `${r.input_tokens}/${r.output_tokens}`), h('td', { class: 'hide-narrow' }, fmt.usd(r.cost_usd)));
  return tr;
}
async function logs() {
  const params = new URLSearchParams(sessionStorage.getItem('logFilters') || '');
  const form = h('form', { class: 'filters', id: 'log-filters', onsubmit: (e) => {
    e.preventDefault(); const p = new URLSearchParams();
    for (const [name] of FILTERS) { const v = form.elements[name].value.trim(); if (v) p.set(name, v); }
    sessionStorage.setItem('logFilters', p.toString()); route(); } },
    FILTERS.map(([name, label]) => h('label', {}, label, h('input', { name, value: params.get(name) || '', size: 12 }))),
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('button', { type: 'button', onclick: () => { sessionStorage.removeItem('logFilters'); route(); } }, 'Clear'));
  const pause = h('button', { type: 'button', id: 'tail-toggle', 'aria-pressed': 'false' }, 'Pause live tail');
  const state = h('span', { id: 'tail-state', class: 'muted', 'aria-live': 'polite' }, 'connecting…');
  const body = h('tbody', { id: 'log-rows' });
  page.replaceChildren(h('h1', {}, 'Logs'), form, h('p', {}, pause, ' ', state),
    h('div', { class: 'panel' }, h('table', {}, h('thead', {}, h('tr', {}, ['time', 'operation', 'model', 'status', 'provider', 'latency', 'tokens in/out', 'cost']
      .map((c, i) => h('th', { scope: 'col', class: i === 4 || i > 5 ? 'hide-narrow' : '' }, c)))), body)));
  const data = await api('/api/logs?' + new URLSearchParams([...params, ['limit', '100']]).toString());
  body.replaceChildren(...data.logs.map((r) => logRow(r, false)));
  if (!data.logs.length) body.append(h('tr', { class: 'empty' }, h('td', { colspan: 8, class: 'muted' }, 'no calls match')));
  let paused = false; const held = [];
  const keyId = params.get('key_id');
  tail = new EventSource('/api/logs/stream' + (keyId ? `?key_id=${encodeURIComponent(keyId)}` : ''));
  tail.onopen = () => { state.textContent = 'live'; };
  tail.onerror = () => { state.textContent = 'reconnecting…'; };
  tail.addEventListener('log', (e) => {
    const r = JSON.parse(e.data);
    if (!matches(r, params)) return;
    if (paused) { held.push(r); state.textContent = `paused (${held.length} new)`; return; }
    body.querySelector('tr.empty')?.remove();
    body.prepend(logRow(r, true));
  });
  pause.addEventListener('click', () => {
    paused = !paused; pause.setAttribute('aria-pressed', String(paused)); pause.textContent = paused ? 'Resume live tail' : 'Pause live tail';
    if (!paused) { body.querySelector('tr.empty')?.remove(); for (const r of held.splice(0)) body.prepend(logRow(r, true)); state.textContent = 'live'; }
    else state.textContent = 'paused';
  });
}
// The live feed filters by key only; the page applies the other simple filters to what arrives.
function matches(r, p) {
  if (p.get('provider') && r.provider !== p.get('provider')) return false;
  if (p.get('model') && r.model_resolved !== p.get('model') && r.model_requested !== p.get('model')) return false;
  if (p.get('status') && String(r.http_status) !== p.get('status')) return false;
  if (p.get('error_class') && r.error_class !== p.get('error_class')) return false;
  if (p.get('success') === 'true' && (r.http_status >= 400 || r.error_code)) return false;
  if (p.get('success') === 'false' && !(r.http_status >= 400 || r.error_code)) return false;
  if (p.get('q') || p.get('from') || p.get('to') || p.get('min_latency_ms')) return false;
  return true;
}
function showDetail(r) {
  document.querySelector('.detail')?.remove();
  const gateway = r.upstream_latency_ms === null ? null : r.latency_ms - r.upstream_latency_ms;
  const fields = [['Request id', r.id], ['Started', fmt.time(r.started_at)], ['Door / operation', `${r.door} / ${r.operation}`], ['Route', r.route],
    ['Status as the client saw it', `${r.http_status}${r.error_code ? ' ' + r.error_code : ''}`], ['Error class', r.error_class || '—'],
    ['Model requested → resolved', `${r.model_requested || '—'} → ${r.model_resolved || '—'}`], ['Provider / key', `${r.provider || '—'} / ${r.provider_key_name || '—'}`],
    ['Attempts', `${1 + r.retries} (${r.retries} retries)`], ['Fallback', r.fallback_index === null ? 'none' : `position ${r.fallback_index}`],
    ['Stream', r.stream ? 'yes' : 'no'], ['Stop reason', r.stop_reason || '—'],
    ['Tokens in / out / cache read / write', `${r.input_tokens} / ${r.output_tokens} / ${r.cache_read_tokens} / ${r.cache_write_tokens}${r.tokens_estimated ? ' (estimated)' : ''}`],
    ['Cost', fmt.usd(r.cost_usd)], ['Latency total', fmt.ms(r.latency_ms)], ['… gateway', fmt.ms(gateway)], ['… upstream', fmt.ms(r.upstream_latency_ms)],
    ['… first token', fmt.ms(r.time_to_first_token_ms)], ['Cache', r.cache_outcome ? `${r.cache_outcome}${r.cache_type ? ' (' + r.cache_type + ')' : ''}` : '—'],
    ['Virtual key', r.caller_identity || 'none'], ['Batch job', r.batch_job_id || '—'], ['Trace id', r.trace_id || '—'], ['User agent', r.user_agent || '—']];
  const close = h('button', { type: 'button', id: 'detail-close', onclick: () => panel.remove() }, 'Close');
  const panel = h('aside', { class: 'detail', id: 'log-detail', 'aria-label': 'Request detail', onkeydown: (e) => { if (e.key === 'Escape') panel.remove(); } },
    h('p', {}, close), h('h2', {}, 'Request detail'), h('dl', {}, fields.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h2', {}, 'Content'), r.content_in || r.content_out
      ? [h('h3', {}, 'Request'), h('pre', {}, r.content_in || '—'), h('h3', {}, 'Answer'), h('pre', {}, r.content_out || '—')]
      : h('p', { class: 'muted' }, 'Not stored (logging.content is off).'));
  document.body.append(panel); close.focus();
}

// ---- Virtual keys ----------------------------------------------------------------------------------------------
function snippets(k) {
  const base = location.origin;
  return [
    ['boto3', `import boto3\nrt = boto3.client("bedrock-runtime", endpoint_url="${base}/bedrock", region_name="us-east-1",\n                  aws_access_key_id="${k.access_key_id}",\n                  aws_secret_access_key="${k.secret_access_key}")`],
    ['~/.aws/credentials', `[${k.name}]\naws_access_key_id = ${k.access_key_id}\naws_secret_access_key = ${k.secret_access_key}\n\n# ~/.aws/config\n[profile ${k.name}]\nregion = us-east-1\nendpoint_url = ${base}/bedrock`],
    ['AWS_BEARER_TOKEN_BEDROCK', `export AWS_BEARER_TOKEN_BEDROCK=${k.bearer_token}`],
    ['AWS CLI', `AWS_ACCESS_KEY_ID=${k.access_key_id} AWS_SECRET_ACCESS_KEY=${k.secret_access_key} \\\n  aws bedrock-runtime converse --endpoint-url ${base}/bedrock --region us-east-1 \\\n  --model-id openai/gpt-4o-mini --messages '[{"role":"user","content":[{"text":"Hello"}]}]'`]];
}
function secretBox(k, what) {
  return h('section', { class: 'secret', id: 'new-secret', 'aria-live': 'polite' },
    h('h2', {}, `${what} '${k.name}': copy the secret now, it is not shown again`),
    h('p', {}, 'Access key id ', h('code', { id: 'new-access-key-id' }, k.access_key_id), ' · secret ', h('code', { id: 'new-secret-key' }, k.secret_access_key)),
    snippets(k).map(([title, text]) => [h('h3', {}, title), h('pre', {}, text),
      h('button', { type: 'button', onclick: (e) => navigator.clipboard?.writeText(text).then(() => { e.target.textContent = 'Copied'; }) }, `Copy ${title}`)]),
    h('p', {}, h('button', { type: 'button', onclick: (e) => e.target.closest('section').remove() }, 'I have copied it')));
}
async function keys() {
  const form = h('form', { class: 'inline', id: 'key-create', onsubmit: async (e) => {
    e.preventDefault(); const f = form.elements; const body = { name: f.name.value.trim() };
    const models = f.models.value.split(',').map((s) => s.trim()).filter(Boolean); if (models.length) body.allowed_models = models;
    if (f.budget.value) body.budgets = [{ limit_usd: f.budget.value, period: f.period.value || '1M' }];
    if (f.requests.value) body.rate_limit = { requests: Number(f.requests.value), window_seconds: 60 };
    if (f.expires.value) body.expires_at = new Date(f.expires.value).toISOString();
    try { const k = await api('/api/keys', { method: 'POST', body }); await keys(); page.prepend(secretBox(k, 'Key')); }
    catch (err) { form.append(errorBox(err)); } } },
    h('label', {}, 'Name', h('input', { name: 'name', required: true, size: 14 })),
    h('label', {}, 'Allowed models (comma-separated, * wildcards)', h('input', { name: 'models', size: 22, placeholder: 'any' })),
    h('label', {}, 'Budget USD', h('input', { name: 'budget', size: 7, inputmode: 'decimal' })),
    h('label', {}, 'Budget period', h('input', { name: 'period', size: 5, placeholder: '1M' })),
    h('label', {}, 'Requests / min', h('input', { name: 'requests', size: 6, inputmode: 'numeric' })),
    h('label', {}, 'Expires', h('input', { name: 'expires', type: 'date' })),
    h('button', { type: 'submit', class: 'primary', id: 'key-create-submit' }, 'Create key'));
  const list = await api('/api/keys');
  const usages = await Promise.all(list.keys.map((k) => api(`/api/keys/${encodeURIComponent(k.id)}/usage`).catch(() => null)));
  const rows = list.keys.map((k, i) => {
    const u = usages[i];
    const bars = u ? [...u.budgets.map((b) => h('div', { class: 'usage', 'data-budget': b.id }, `${b.id}: $${Number(b.spent_usd).toFixed(6)} of $${b.limit_usd}`, bar(Number(b.spent_usd), Number(b.limit_usd), `budget ${b.id}`))),
      u.rate_limit && u.rate_limit.requests.limit ? h('div', {}, `requests: ${u.rate_limit.requests.used} of ${u.rate_limit.requests.limit} / ${u.rate_limit.window_seconds}s`,
        bar(u.rate_limit.requests.used, u.rate_limit.requests.limit, 'requests')) : null] : [];
    const editable = k.source === 'api';
    return h('tr', { 'data-key': k.name },
      h('td', {}, h('strong', {}, k.name), h('br'), h('span', { class: 'mono muted' }, k.access_key_id)),
      h('td', {}, h('span', { class: 'badge ' + (k.state === 'active' ? 'ok' : 'bad') }, k.state), ' ', h('span', { class: 'muted' }, k.source)),
      h('td', {}, k.allowed_models.length ? k.allowed_models.join(', ') : 'any', k.expires_at ? h('div', { class: 'muted' }, 'expires ' + fmt.time(k.expires_at)) : null),
      h('td', {}, bars.length ? bars : h('span', { class: 'muted' }, 'no budget')),
      h('td', {}, editable ? [
        h('button', { type: 'button', onclick: () => editKey(k) }, 'Edit'), ' ',
        h('button', { type: 'button', onclick: async () => { const r = await api(`/api/keys/${k.id}/rotate`, { method: 'POST' }); await keys(); page.prepend(secretBox(r, 'Rotated key')); } }, 'Rotate'), ' ',
        k.active ? h('button', { type: 'button', class: 'danger', onclick: async () => { if (confirm(`Revoke ${k.name}?`)) { await api(`/api/keys/${k.id}/revoke`, { method: 'POST' }); keys(); } } }, 'Revoke') : null]
        : h('span', { class: 'muted' }, 'declared in the config file'), ' ',
        h('a', { href: '#logs', onclick: () => sessionStorage.setItem('logFilters', `key_id=${k.id}`) }, 'Logs')));
  });
  page.replaceChildren(h('h1', {}, 'Virtual keys'), h('div', { class: 'panel' }, h('h2', {}, 'New key'), form),
    h('div', { class: 'panel' }, h('table', { id: 'keys' }, h('thead', {}, h('tr', {}, ['key', 'state', 'models', 'usage', ''].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))));
}
function editKey(k) {
  document.querySelector('.detail')?.remove();
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault(); const f = form.elements;
    const body = { allowed_models: f.models.value.split(',').map((s) => s.trim()).filter(Boolean) };
    body.budgets = f.budget.value ? [{ limit_usd: f.budget.value, period: f.period.value || '1M' }] : [];
    body.rate_limit = f.requests.value ? { requests: Number(f.requests.value), window_seconds: 60 } : null;
    body.expires_at = f.expires.value ? new Date(f.expires.value).toISOString() : null;
    try { await api(`/api/keys/${k.id}`, { method: 'PATCH', body }); panel.remove(); keys(); } catch (err) { form.append(errorBox(err)); } } },
    h('label', {}, 'Allowed models', h('input', { name: 'models', value: k.allowed_models.join(', ') })),
    h('label', {}, 'Budget USD', h('input', { name: 'budget', value: k.budgets[0]?.limit_usd || '' })),
    h('label', {}, 'Budget period', h('input', { name: 'period', value: k.budgets[0]?.period || '1M' })),
    h('label', {}, 'Requests / min', h('input', { name: 'requests', value: k.rate_limit?.requests || '' })),
    h('label', {}, 'Expires', h('input', { name: 'expires', type: 'date', value: k.expires_at ? k.expires_at.slice(0, 10) : '' })),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Save'), ' ', h('button', { type: 'button', onclick: () => panel.remove() }, 'Cancel')));
  const panel = h('aside', { class: 'detail', 'aria-label': `Edit ${k.name}` }, h('h2', {}, `Edit ${k.name}`), form);
  document.body.append(panel); form.elements.models.focus();
}

// ---- Providers, batch jobs, cache --------------------------------------------------------------------------
async function providers() {
  const d = await api('/api/providers');
  // /health lists the gateway instances on a shared store (none on the embedded one).
  const health_ = await fetch('/health', { credentials: 'same-origin' }).then((r) => r.json()).catch(() => ({}));
  const instances = (health_.instances || []).map((i) => [h('span', { class: 'mono' }, i.id + (i.id === health_.instance ? ' (this one)' : '')), i.host, i.version, i.startedAt, i.heartbeatAt]);
  const health = (p) => { const s = p.health; if (!s) return '—'; const cls = { healthy: 'ok', degraded: 'warn', failing: 'bad' }[s.status] || 'muted';
    return h('span', {}, h('span', { class: `badge ${cls}` }, s.status), ` ${s.calls} calls, ${s.provider_errors} provider errors (${s.window_minutes} min)`); };
  const price = (m) => m.price ? `$${m.price.input} / $${m.price.output}` : 'unpriced';
  page.replaceChildren(h('h1', {}, 'Providers and models'),
    h('div', { class: 'panel' }, h('h2', {}, 'Providers'), table(['name', 'type', 'base URL', 'keys (names only)', 'health'],
      d.providers.map((p) => [p.name, p.type, h('span', { class: 'mono' }, p.base_url), p.keys.map((k) => `${k.name} (weight ${k.weight}${k.models.length ? ', ' + k.models.join(' ') : ''})`).join(', ') || 'none', health(p)]))),
    h('div', { class: 'panel' }, h('h2', {}, `Models (prices per million tokens in / out, table ${d.price_version || '—'})`),
      table(['model id', 'provider', 'model', 'price'], d.models.map((m) => [m.id, m.provider, m.model, price(m)]))),
    h('div', { class: 'panel' }, h('h2', {}, 'Aliases'), table(['alias', 'target', 'provider/model', 'price'], d.aliases.map((m) => [m.id, m.alias_target, `${m.provider}/${m.model}`, price(m)]))),
    ...(instances.length ? [h('div', { class: 'panel' }, h('h2', {}, 'Gateway instances on this database'),
      table(['instance', 'host', 'version', 'started', 'last heartbeat'], instances))] : []));
}
async function batches() {
  const d = await api('/api/batches');
  const rows = d.jobs.map((j) => [h('a', { href: `#batches/${j.id}` }, j.name), j.model_id, h('span', { class: 'badge ' + ({ Completed: 'ok', Failed: 'bad', Stopped: 'warn' }[j.status] || '') }, j.status),
    h('div', {}, `${j.processed_record_count} / ${j.total_record_count}`, bar(j.processed_record_count, Math.max(1, j.total_record_count), 'records done')),
    fmt.time(j.submit_time), ['Submitted', 'Validating', 'Scheduled', 'InProgress'].includes(j.status)
      ? h('button', { type: 'button', class: 'danger', 'data-stop': j.id, onclick: async () => { await api(`/api/batches/${j.id}/stop`, { method: 'POST' }); batches(); } }, 'Stop') : '']);
  page.replaceChildren(h('h1', {}, 'Batch jobs'), h('p', {}, h('button', { type: 'button', onclick: () => batches() }, 'Refresh')),
    h('div', { class: 'panel' }, h('table', { id: 'batches' }, h('thead', {}, h('tr', {}, ['job', 'model', 'status', 'records', 'submitted', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length ? rows.map((r, i) => h('tr', { 'data-job': d.jobs[i].id }, r.map((c) => h('td', {}, c)))) : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'no batch jobs'))))));
}
async function batchDetail(id) {
  const j = await api(`/api/batches/${encodeURIComponent(id)}`);
  const fields = [['Job', j.name], ['ARN', j.arn], ['Model', j.model_id], ['Status', j.status], ['Message', j.message || '—'], ['Runner', j.runner], ['Owner (key id)', j.owner || 'none'],
    ['Input', j.input_uri], ['Output location', j.output_location], ['Records', `${j.processed_record_count} / ${j.total_record_count} (${j.success_record_count} ok, ${j.error_record_count} failed)`],
    ['Tokens in / out', `${j.input_tokens} / ${j.output_tokens}`], ['Submitted', fmt.time(j.submit_time)], ['Ended', fmt.time(j.end_time)]];
  page.replaceChildren(h('p', {}, h('a', { href: '#batches' }, '← all jobs')), h('h1', {}, `Batch job ${j.name}`),
    h('div', { class: 'panel detail-inline' }, h('dl', { class: 'detail-list' }, fields.map(([k, v]) => [h('dt', {}, k), h('dd', { class: 'mono' }, v)]))));
}
async function cache() {
  let s;
  try { s = await api('/api/cache/stats'); } catch (e) { page.replaceChildren(h('h1', {}, 'Cache'), h('p', {}, 'The answer cache is off (no cache: section in the config).')); return; }
  const looked = s.exact_hits + s.semantic_hits + s.misses;
  page.replaceChildren(h('h1', {}, 'Cache'), h('div', { class: 'cards' }, card('Hit rate', looked ? fmt.pct((s.exact_hits + s.semantic_hits) / looked) : '—'),
    card('Entries', `${fmt.n(s.entries)} / ${fmt.n(s.max_entries)}`), card('Bytes', `${fmt.n(s.bytes)} / ${fmt.n(s.max_bytes)}`), card('Exact / semantic hits', `${s.exact_hits} / ${s.semantic_hits}`),
    card('Misses / bypasses', `${s.misses} / ${s.bypasses}`), card('Stored / evicted / expired', `${s.stored} / ${s.evicted} / ${s.expired}`)),
    h('h2', {}, 'Purge'), h('form', { class: 'inline', onsubmit: async (e) => { e.preventDefault(); const scope = e.target.elements.scope.value.trim() || 'all';
      if (!confirm(`Delete the cache entries of scope ${scope}?`)) return; const r = await api(`/api/cache?scope=${encodeURIComponent(scope)}`, { method: 'DELETE' });
      await cache(); page.append(h('p', { role: 'status' }, `Deleted ${r.deleted} entries.`)); } },
      h('label', {}, 'Scope (all, global, anonymous, vk:<key id>, group:<name>)', h('input', { name: 'scope', value: 'all' })), h('button', { type: 'submit', class: 'danger' }, 'Purge')));
}

async function files() {
  const wanted = sessionStorage.getItem('filesNamespace') || 'gateway';
  const d = await api(`/api/files?namespace=${encodeURIComponent(wanted)}`).catch(() => api('/api/files?namespace=gateway'));
  const select = h('select', { id: 'files-namespace', onchange: (e) => { sessionStorage.setItem('filesNamespace', e.target.value); route(); } },
    d.namespaces.map((n) => h('option', { value: n, selected: n === d.namespace }, n)));
  const size = (n) => n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
  const buckets = d.buckets.map((b) => h('div', { class: 'panel', 'data-bucket': b.name },
    h('h2', {}, `s3://${b.name}`), h('p', { class: 'muted' }, `created ${fmt.time(b.created)}`),
    b.objects.length ? table(['key', 'size', 'type', 'modified', 'owner (key id)'],
      b.objects.map((o) => [h('span', { class: 'mono' }, o.key), size(o.size), o.content_type || '—', fmt.time(o.last_modified), o.owner || 'no key']))
      : h('p', { class: 'muted' }, 'empty'),
    b.truncated ? h('p', { class: 'muted' }, 'Only the first objects are shown; list the rest with the AWS CLI.') : null));
  page.replaceChildren(h('h1', {}, 'Files'), h('form', { class: 'inline', onsubmit: (e) => e.preventDefault() }, h('label', {}, 'Namespace (x-model-provider)', select)),
    ...(buckets.length ? buckets : [h('p', {}, 'No buckets in this namespace yet: create one with boto3 s3 or aws s3 mb at /bedrock/files.')]));
}

// ---- routing ---------------------------------------------------------------------------------------------------
const PAGES = { overview, logs, keys, providers, batches, files, cache };
async function route() {
  if (tail) { tail.close(); tail = null; }
  document.querySelector('.detail')?.remove();
  const [name, arg] = (location.hash.slice(1) || 'overview').split('/');
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', a.dataset.page === name) || a.removeAttribute('aria-current');
  document.querySelector(`nav a[data-page="${name}"]`)?.setAttribute('aria-current', 'page');
  try {
    if (name === 'batches' && arg) await batchDetail(decodeURIComponent(arg));
    else await (PAGES[name] || overview)();
  } catch (e) { page.append(errorBox(e)); }
}
document.getElementById('logout').addEventListener('click', async () => {
  await fetch('/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrf }, credentials: 'same-origin' }); location.href = '/';
});
window.addEventListener('hashchange', route);
route();
