// The staff workspace in a real browser (issue 5 §7): every demo role signs
// in; one dossier walks the main journeys (reception and receipt,
// supplementation, an apology with a new appointment, a transfer from the
// commune to a provincial department and back, two processing steps, the
// return of the result); axe-core checks every workspace page at desktop and
// phone width; the sign-in works without JavaScript. See docs/e2e.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { startServer } from '../lib/server.mjs';
import { launchBrowser, newContext, runAxe, describeViolations, DESKTOP, PHONE } from '../lib/browser.mjs';

const PASSWORD = 'motcua-demo-2026';
const ROLES = [
  ['tiepnhan.xa', 'Cán bộ tiếp nhận'],
  ['chuyenvien.xa', 'Chuyên viên xử lý'],
  ['truongphong.xa', 'Lãnh đạo phòng'],
  ['lanhdao.xa', 'Lãnh đạo ký duyệt'],
  ['quantri.xa', 'Quản trị hệ thống'],
  ['giamsat.xa', 'Giám sát, theo dõi'],
  ['tiepnhan.huyen', 'Cán bộ tiếp nhận'],
  ['chuyenvien.sotuphap', 'Chuyên viên xử lý'],
];
const SHOTS = process.env.SCREENSHOT_DIR; // e.g. docs/screenshots (README shows them)

let server;
let browser;
const sessions = {}; // username -> browser context, signed in
let code; // the dossier of the journey

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the form in a fresh context; returns the context. */
async function signIn(username, device = DESKTOP, extra = {}) {
  const ctx = await newContext(browser, server.baseUrl, device, extra);
  const page = await ctx.newPage();
  const res = await page.goto('/workspace/');
  assert.equal(res.status(), 200);
  assert.match(page.url(), /\/login\?next=%2Fworkspace%2F$/, 'redirected to the sign-in page');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/workspace\/$/), page.click('button[type=submit]')]);
  await page.close();
  return ctx;
}

async function as(username) {
  sessions[username] ??= await signIn(username);
  return sessions[username];
}

/** Opens the journey's dossier as `username`. */
async function openDossier(username) {
  const page = await (await as(username)).newPage();
  // Through the code search box, as an officer would.
  await page.goto('/workspace/');
  await page.fill('#find-code', code);
  await Promise.all([page.waitForURL(new RegExp(`/workspace/ho-so/${code.replaceAll('.', '\\.')}`)), page.click('form.find button')]);
  return page;
}

/** Opens the action's form, fills `fields` (name → value), submits, waits for the page. */
async function act(page, action, fields = {}) {
  const form = page.locator(`form:has(input[name=action][value=${action}])`);
  assert.equal(await form.count(), 1, `the action ${action} is offered on ${page.url()}`);
  const details = page.locator(`details:has(input[name=action][value=${action}])`);
  if (!(await details.evaluate((d) => d.open))) await details.locator('> summary').click();
  for (const [name, value] of Object.entries(fields)) {
    const el = form.locator(`[name=${name}]`);
    const tag = await el.evaluate((e) => e.tagName);
    if (tag === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
  await Promise.all([page.waitForURL(/xong=/), form.locator('button[type=submit]').click()]);
  assert.match(page.url(), new RegExp(`xong=${action}`));
}

/** The first working day (YYYY-MM-DD) at least `days` days after today in Vietnam (UTC+7), read from /api/calendar. */
async function workingDayFrom(page, days) {
  const start = Date.now() + 7 * 3_600_000 + days * 86_400_000;
  for (let i = 0; i < 30; i++) {
    const d = new Date(start + i * 86_400_000);
    const iso = d.toISOString().slice(0, 10);
    const res = await page.context().request.get(`/api/calendar/${iso.slice(0, 4)}`);
    assert.equal(res.status(), 200);
    const exception = (await res.json()).exceptions.find((x) => x.date === iso);
    const weekday = d.getUTCDay();
    if (exception ? exception.working : weekday !== 0 && weekday !== 6) return iso;
  }
  throw new Error(`no working day within 30 days from ${days} days on`);
}

async function stateOf(page) {
  return (await page.locator('p.state strong').textContent()).trim();
}

async function axeClean(page, label) {
  const r = await runAxe(page);
  assert.ok(r.passes.length > 10, `${label}: axe ran only ${r.passes.length} passing rules`);
  assert.equal(r.violations.length, 0, `${label}:\n${describeViolations(r.violations)}`);
}

describe('sign-in', () => {
  for (const [username, role] of ROLES) {
    it(`${username} signs in and sees the workspace with its role`, async () => {
      const ctx = await as(username);
      const page = await ctx.newPage();
      await page.goto('/workspace/');
      assert.match(await page.locator('header .who').textContent(), new RegExp(role));
      assert.ok(await page.locator('nav.side .badge').count() >= 5, 'queues with counts');
      await page.close();
    });
  }

  it('a wrong password is refused with a clear message', async () => {
    const ctx = await newContext(browser, server.baseUrl, DESKTOP);
    const page = await ctx.newPage();
    await page.goto('/login');
    await page.fill('#username', 'tiepnhan.xa');
    await page.fill('#password', 'sai-mat-khau');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    assert.match(await page.locator('[role=alert]').textContent(), /không đúng/);
    await shot(page, 'ws-login');
    await ctx.close();
  });

  it('sign-in and the queues work without JavaScript', async () => {
    const ctx = await signIn('truongphong.xa', DESKTOP, { javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto('/workspace/?hang=tat-ca');
    assert.equal(await page.locator('h1').count(), 1);
    await ctx.close();
  });
});

describe('a dossier from the desk to the returned result', () => {
  it('the desk finds the procedure without diacritics, ticks the checklist and receives; the receipt prints', async () => {
    const page = await (await as('tiepnhan.xa')).newPage();
    await page.goto('/workspace/tiep-nhan');
    await page.fill('#desk-q', 'dang ky lai khai sinh');
    await Promise.all([page.waitForURL(/q=/), page.click('form.search button')]);
    await Promise.all([page.waitForURL(/\/tiep-nhan\/1\.004884$/), page.click('a[href="/workspace/tiep-nhan/1.004884"]')]);
    await axeClean(page, 'reception form');
    await page.locator('li:has(.req) input[type=checkbox]').check();
    await page.fill('#full_name', 'Lò Thị Mai');
    await page.fill('#id_number', '019185000777');
    await page.fill('#phone', '0912345678');
    await page.fill('#address', 'Xóm Làng Mới, xã Đồng Hỷ');
    await shot(page, 'ws-receive');
    await Promise.all([page.waitForURL(/xong=receive/), page.click('form.stack > button[type=submit]')]);
    code = page.url().split('/ho-so/')[1].split('?')[0];
    assert.match(code, /^H55\.305\.1-\d{6}-\d{4}$/);
    assert.equal(await stateOf(page), 'Đã tiếp nhận');
    const receipt = await page.locator('a[href$="/slips/receipt.pdf"]').getAttribute('href');
    const pdf = await page.context().request.get(receipt);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 4).toString(), '%PDF');
    // A scan is attached and previewed.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await page.fill('#up-name', 'Bản chụp căn cước');
    await page.setInputFiles('#up-file', { name: 'can-cuoc.png', mimeType: 'image/png', buffer: png });
    await Promise.all([page.waitForURL(/xong=upload/), page.click('form[enctype="multipart/form-data"] button[type=submit]')]);
    assert.equal(await page.locator('.docs img').count(), 1, 'the image is previewed');
    await page.close();
  });

  it('supplementation is requested (slip printed) and the supplement received', async () => {
    const page = await openDossier('tiepnhan.xa');
    await act(page, 'request_supplement', { items: 'Bản sao giấy tờ tùy thân của người đi đăng ký', reason: 'Thiếu giấy tờ tùy thân' });
    assert.equal(await stateOf(page), 'Chờ bổ sung, hoàn thiện hồ sơ');
    const slip = await page.context().request.get(await page.locator('a[href$="/slips/supplement.pdf"]').getAttribute('href'));
    assert.equal(slip.status(), 200);
    await act(page, 'supplement', { note: 'Đã nộp bản sao căn cước' });
    assert.notEqual(await stateOf(page), 'Chờ bổ sung, hoàn thiện hồ sơ');
    await act(page, 'forward');
    assert.equal(await stateOf(page), 'Đang xử lý');
    await page.close();
  });

  it('the head of office issues an apology with a new appointment (slip printed)', async () => {
    const page = await openDossier('truongphong.xa');
    // A new appointment must fall on a working day: the first one from
    // 40 days on (Vietnam's date), by the installation's own calendar.
    const local = await workingDayFrom(page, 40);
    await act(page, 'apologize', { reason_code: 'on_site_verification', reason: 'Cần xác minh nơi sinh tại thôn', promised_at: `${local}T09:00` });
    assert.match(await page.locator('dl.facts').textContent(), /Hẹn lại/);
    const slip = await page.context().request.get(await page.locator('a[href$="/slips/apology.pdf"]').getAttribute('href'));
    assert.equal(slip.status(), 200);
    await page.close();
  });

  it('the dossier goes from the commune to the provincial department and back', async () => {
    let page = await openDossier('truongphong.xa');
    await act(page, 'transfer', { to: '000.00.02.H55', budget_days: '1', task: 'Xin ý kiến về quốc tịch của người mẹ' });
    assert.equal(await stateOf(page), 'Đang xử lý liên thông');
    await page.close();
    page = await (await as('chuyenvien.sotuphap')).newPage();
    await page.goto('/workspace/?hang=tat-ca');
    assert.ok(await page.locator(`a[href="/workspace/ho-so/${code}"]`).count(), 'in the department queue');
    await page.close();
    page = await openDossier('chuyenvien.sotuphap');
    await act(page, 'return_from_transfer', { note: 'Đã có ý kiến' });
    assert.equal(await stateOf(page), 'Đang xử lý');
    await page.close();
  });

  it('two processing steps: the specialist completes the appraisal, the leader signs', async () => {
    let page = await openDossier('chuyenvien.xa');
    await axeClean(page, 'dossier page (specialist)');
    await act(page, 'complete_step', { note: 'Đủ điều kiện' });
    await page.close();
    page = await openDossier('lanhdao.xa');
    await act(page, 'resolve', { document: 'Trích lục khai sinh số 12/2026' });
    assert.equal(await stateOf(page), 'Đã giải quyết, chờ trả kết quả');
    await page.close();
  });

  it('the desk returns the result; the control sheet lists every hand-over', async () => {
    const page = await (await as('tiepnhan.xa')).newPage();
    await page.goto('/workspace/?hang=tra-ket-qua');
    await Promise.all([page.waitForURL(/\/ho-so\//), page.click(`a[href="/workspace/ho-so/${code}"]`)]);
    await act(page, 'return_result', { delivery: 'at_desk', note: 'Đã giao tận tay' });
    assert.equal(await stateOf(page), 'Đã trả kết quả');
    assert.ok((await page.locator('ol.timeline li').count()) >= 9, 'every event in the timeline');
    assert.ok((await page.locator('table tbody tr').count()) >= 4, 'hand-overs in the control sheet');
    await shot(page, 'ws-dossier');
    const sheet = await page.context().request.get(`/api/dossiers/${code}/slips/control-sheet.pdf`);
    assert.equal(sheet.status(), 200);
    await page.close();
  });
});

const WORKSPACE_PAGES = [
  ['tiepnhan.xa', '/workspace/', 'ws-queue'],
  ['tiepnhan.xa', '/workspace/?hang=tat-ca&sap=nhan', null],
  ['tiepnhan.xa', '/workspace/tiep-nhan?q=khai+sinh', 'ws-desk'],
  ['tiepnhan.xa', '/workspace/mat-khau', null],
  ['quantri.xa', '/workspace/quan-tri/nguoi-dung', 'ws-users'],
  ['quantri.xa', '/workspace/quan-tri/quy-trinh/1.001612', 'ws-process'],
  ['quantri.xa', '/workspace/quan-tri/lich?nam=2026', 'ws-calendar'],
  ['quantri.xa', '/workspace/quan-tri/co-quan', null],
  ['quantri.tinh', '/workspace/quan-tri/thu-tuc/1.001193', null],
  ['quantri.tinh', '/workspace/quan-tri/thong-bao', null],
  ['tiepnhan.xa', '/workspace/tiep-nhan/1.001193?cccd=019080000202', null],
  ['giamsat.xa', '/workspace/', null],
  ['lanhdao.xa', '/workspace/bao-cao?from=2026-01-01&to=2026-12-31', 'ws-reports'],
  ['giamsat.xa', '/workspace/bao-cao?from=2026-11-01&to=2026-11-30&group_by=channel', null],
];

for (const device of [DESKTOP, PHONE]) {
  describe(`workspace pages: axe-core WCAG 2.1 A/AA, ${device.name}`, () => {
    for (const [user, path, name] of WORKSPACE_PAGES) {
      it(`${path} (${user}) has no violations`, async () => {
        const ctx = device === DESKTOP ? await as(user) : await signIn(user, PHONE);
        const page = await ctx.newPage();
        const res = await page.goto(path);
        assert.equal(res.status(), 200);
        await axeClean(page, `${path} (${device.name})`);
        if (name && device === DESKTOP) await shot(page, name);
        if (device === PHONE) await ctx.close();
        else await page.close();
      });
    }
    it(`the dossier page has no violations (${device.name})`, async () => {
      const ctx = device === DESKTOP ? await as('tiepnhan.xa') : await signIn('tiepnhan.xa', PHONE);
      const page = await ctx.newPage();
      await page.goto(`/workspace/ho-so/${code}`);
      await axeClean(page, `dossier (${device.name})`);
      if (device === PHONE) await ctx.close();
      else await page.close();
    });
    it(`the sign-in page has no violations (${device.name})`, async () => {
      const ctx = await newContext(browser, server.baseUrl, device);
      const page = await ctx.newPage();
      await page.goto('/login');
      await axeClean(page, `login (${device.name})`);
      await ctx.close();
    });
  });
}
