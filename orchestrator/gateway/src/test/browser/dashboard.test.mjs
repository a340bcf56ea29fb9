// The fleet page in a real browser: Debian's chromium, headless, driven by playwright-core,
// against bin/gateway's embedded default (two simulated boards) and bin/host. Run by bin/test
// through run.sh. Writes a screenshot to $SCREENSHOT (default build/browser-test/dashboard.png).
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const screenshot = process.env.SCREENSHOT || join(root, 'build/browser-test/dashboard.png');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const started = [];
let failures = 0;

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

// bin/gateway's configuration, with a campaign store of this run's own.
const work = mkdtempSync(join(tmpdir(), 'browser-test-'));
const config = join(work, 'gateway.conf');
writeFileSync(config, `include file("${join(root, 'conf/gateway.conf')}")
wasmfleet.gateway.campaigns.store.url = "jdbc:sqlite:${join(work, 'campaigns.db')}"
`);

// bin/gateway on free ports; resolves with its host API port and page URL once it says ready.
function gateway(...args) {
  const p = spawn(join(root, 'bin/gateway'), ['--config', config, '--port', '0', '--dashboard-port', '0', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  started.push(p);
  return new Promise((ok, fail) => {
    const info = {};
    createInterface({ input: p.stdout }).on('line', (line) => {
      const api = line.match(/host API on [\d.]+:(\d+)/);
      const page = line.match(/fleet page on (\S+)/);
      if (api) info.apiPort = api[1];
      if (page) info.page = page[1];
      if (line === 'ready') ok(info);
    });
    p.on('exit', (code) => fail(new Error(`bin/gateway exited ${code} before it was ready`)));
  });
}

function host(apiPort, ...args) {
  return execFileSync(join(root, 'bin/host'), ['--gw-port', apiPort, ...args], { cwd: root, encoding: 'utf8' });
}

const main = await gateway();
console.log(`gateway: host API ${main.apiPort}, page ${main.page}`);
const browser = await chromium.launch({
  executablePath: browserPath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
const board = (id) => page.locator(`.board[data-board="${id}"]`);

await check('the page lists both boards of the embedded default', async () => {
  await page.goto(main.page);
  await board('nucleo_f446').waitFor({ timeout: 10000 });
  await board('nucleo_f746').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('.board').count(), 2);
  assert.match(await board('nucleo_f446').locator('.link').textContent(), /CONNECTED/);
  assert.match(await board('nucleo_f746').locator('.pool-text').textContent(), /pool \d+ of 221184 bytes used at the last STATUS/);
});

await check('a deploy made through the host API appears on the page within 1 s', async () => {
  host(main.apiPort, '--device', 'nucleo_f446', 'deploy', '--module-id', 'math_ops',
    '--wasm', join(root, 'build/wasm/math_ops.wasm'));
  const t0 = Date.now();
  await board('nucleo_f446').locator('tr[data-module="math_ops"]').waitFor({ timeout: 1000 });
  console.log(`     shown ${Date.now() - t0} ms after bin/host returned`);
});

await check('a deploy made from the page appears in bin/host boards', async () => {
  const card = board('nucleo_f746');
  await card.locator('summary').click();
  await card.locator('form.deploy input[name="module_id"]').fill('hello');
  await card.locator('form.deploy input[name="wasm"]').setInputFiles(join(root, 'build/wasm/uart_hello.wasm'));
  await card.locator('form.deploy button').click();
  await page.locator('#message.info').waitFor({ timeout: 20000 });
  assert.match(await page.locator('#message').textContent(), /^deploy hello to nucleo_f746: LOAD_OK/);
  const boards = host(main.apiPort, '--json', 'boards');
  const f746 = JSON.parse(boards).boards.find((b) => b.board === 'nucleo_f746');
  assert.deepEqual(f746.modules.map((m) => m.id), ['hello']);
});

await check('console lines appear', async () => {
  const card = board('nucleo_f746');
  await card.locator('form.start input[name="module_id"]').fill('hello');
  await card.locator('form.start input[name="func"]').fill('hello');
  await card.locator('form.start input[name="args"]').fill('n=3');
  await card.locator('form.start button').click();
  await page.waitForFunction(() => document.querySelector('.board[data-board="nucleo_f746"] .console')
    .textContent.includes('hello from wasm 3/3'), null, { timeout: 5000 });
});

await check('a console line holding <script> is shown as text', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'probe-'));
  const source = join(dir, 'probe.c');
  writeFileSync(source, `
    __attribute__((import_module("env"), import_name("uart_print"))) void uart_print(const char *text);
    __attribute__((export_name("app_main"))) int app_main(void) {
      uart_print("<script>window.pwned = 1</script><img src=x onerror=\\"window.pwned = 2\\"><b>bold</b>\\n");
      return 0;
    }
  `);
  host(main.apiPort, '--device', 'nucleo_f446', 'build-and-deploy', '--module-id', 'probe', '--source', source);
  host(main.apiPort, '--device', 'nucleo_f446', 'start', '--module-id', 'probe', '--wait-result');
  const pre = board('nucleo_f446').locator('.console');
  await page.waitForFunction(() => document.querySelector('.board[data-board="nucleo_f446"] .console')
    .textContent.includes('<script>window.pwned = 1</script>'), null, { timeout: 5000 });
  assert.equal(await pre.locator('script, img, b').count(), 0, 'no element was made from the line');
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'nothing of it ran');
});

await check('a campaign shows its cells as a table and as bars', async () => {
  const name = 'browser test';
  host(main.apiPort, 'campaign', 'run', '--select', 'board=nucleo_f746', '--bench', 'toggle', '--modes', 'interp',
    '--iterations', '1', '--repeats', '2', '--name', name);
  await page.locator('#campaigns-refresh').click();
  const entry = page.locator('#campaign-list button', { hasText: name });
  await entry.waitFor({ timeout: 5000 });
  await entry.click();
  const rows = page.locator('#campaign-view tbody tr');
  await rows.first().waitFor({ timeout: 5000 });
  // the native C baseline and the interpreter, each with its median time
  assert.ok(await rows.count() >= 1);
  assert.match(await rows.first().locator('td').nth(2).textContent(), /^\d+\.\d$/);
  assert.equal(await page.locator('#campaign-view svg.bars rect').count(), await rows.count());
  assert.match(await page.locator('#campaign-view').textContent(), /nucleo_f746 toggle interp \(simulated: host time\)/);
});

await check('a job started from the page is stopped from the page', async () => {
  host(main.apiPort, '--device', 'nucleo_f746', 'deploy', '--module-id', 'forever', '--replace',
    '--replace-victim', 'wf_bench', '--wasm', join(root, 'build/wasm/toggle_forever.wasm'));
  const card = board('nucleo_f746');
  await card.locator('form.start input[name="module_id"]').fill('forever');
  await card.locator('form.start input[name="func"]').fill('toggle_forever');
  await card.locator('form.start input[name="args"]').fill('');
  await card.locator('form.start button').click();
  const row = card.locator('tr[data-module="forever"]');
  await row.locator('td.state-RUNNING').waitFor({ timeout: 2000 });
  await row.locator('button', { hasText: 'Stop' }).click();
  await page.waitForFunction(() => /^stop forever on nucleo_f746: RESULT status=STOPPED/
    .test(document.querySelector('#message').textContent), null, { timeout: 5000 });
  await row.locator('td.state-RUNNING').waitFor({ state: 'detached', timeout: 2000 });
});

await check('a fleet deploy from the page reaches every board, with a line per board', async () => {
  await page.locator('#fleet-form select[name="op"]').selectOption('deploy');
  await page.locator('#fleet-form input[name="module_id"]').fill('fleet_ops');
  await page.locator('#fleet-form input[name="wasm"]').setInputFiles(join(root, 'build/wasm/math_ops.wasm'));
  await page.locator('#fleet-form input[name="replace"]').check(); // the F446's slots are full:
  await page.locator('#fleet-form input[name="replace_victim"]').fill('auto'); // its least recently used goes
  await page.locator('#fleet-form button').click();
  await page.locator('#fleet-progress li.ok').nth(1).waitFor({ timeout: 20000 });
  assert.match(await page.locator('#message').textContent(), /^fleet deploy all: /);
  for (const id of ['nucleo_f446', 'nucleo_f746']) {
    await board(id).locator('tr[data-module="fleet_ops"]').waitFor({ timeout: 1000 });
  }
});

await check('a fleet operation shows per-board progress', async () => {
  await page.locator('#fleet-form select[name="op"]').selectOption('status');
  await page.locator('#fleet-form button').click();
  await page.locator('#fleet-progress li').nth(1).waitFor({ timeout: 10000 });
  assert.equal(await page.locator('#fleet-progress li.ok').count(), 2);
  // the STATUS it read shows in the pool gauges (math_ops and probe are in the F446's pool)
  await page.waitForFunction(() => !document.querySelector('.board[data-board="nucleo_f446"] .pool-text')
    .textContent.startsWith('pool 2056 '), null, { timeout: 1000 });
});

mkdirSync(dirname(screenshot), { recursive: true });
await page.screenshot({ path: screenshot });
console.log(`     screenshot: ${screenshot}`);

await check('off loopback, a request without the token is refused, and the page asks for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-'));
  writeFileSync(join(dir, 'token'), 'browser-test-token\n');
  const open = await gateway('--dashboard-host', '0.0.0.0', '--dashboard-token-file', join(dir, 'token'));
  const url = open.page.replace('0.0.0.0', '127.0.0.1');
  const anonymous = await fetch(`${url}api/fleet`);
  assert.equal(anonymous.status, 401);
  const post = await fetch(`${url}api/request`, { method: 'POST', headers: { 'X-Wasmfleet-Request': '1' },
    body: JSON.stringify({ cmd: 'stop', device: 'nucleo_f446', module_id: 'x' }) });
  assert.equal(post.status, 401);
  const other = await browser.newPage();
  await other.goto(url);
  await other.locator('#token-form').waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await other.locator('.board').count(), 0);
  await other.locator('#token').fill('browser-test-token');
  await other.locator('#token-form button').click();
  await other.locator('.board[data-board="nucleo_f446"]').waitFor({ timeout: 10000 });
  await other.close();
  const linked = await browser.newPage(); // a link that carries the token
  await linked.goto(`${url}#token=browser-test-token`);
  await linked.locator('.board[data-board="nucleo_f746"]').waitFor({ timeout: 10000 });
  assert.equal(new URL(linked.url()).hash, '', 'the token leaves the address bar');
  await linked.close();
});

await check('the page raised no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});

await browser.close();
for (const p of started) {
  try { process.kill(-p.pid, 'SIGTERM'); } catch (e) { /* gone */ }
}
console.log(failures ? `browser test: ${failures} failed` : 'browser test: all passed');
process.exit(failures ? 1 : 0);
