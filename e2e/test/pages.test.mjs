// Real-browser end-to-end and accessibility tests of the server-rendered
// pages: the real motcua binary on a fresh SQLite data dir, Debian's Chromium,
// axe-core with the WCAG 2.0/2.1 A and AA rules. See docs/e2e.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer } from '../lib/server.mjs';
import { launchBrowser, newContext, runAxe, describeViolations, DESKTOP, PHONE, AXE_TAGS } from '../lib/browser.mjs';

/** Every page under test, with the status it must answer. */
const PAGES = [
  { path: '/', status: 200 },
  { path: '/thu-tuc?q=dang+ky+khai+sinh', status: 200 },
  { path: '/thu-tuc?field=H%E1%BB%99+t%E1%BB%8Bch&page=2', status: 200 }, // field=Hộ tịch
  { path: '/thu-tuc/1.001193', status: 200 },
  { path: '/don-vi/169?date=2016-06-01', status: 200 },
  { path: '/lich/2019', status: 200 },
  { path: '/thu-tuc/1.999999', status: 404 },
  { path: '/tra-cuu-ho-so', status: 200 },
  { path: '/nop-truc-tuyen/1.001193', status: 200 },
  { path: '/tra-cuu-ho-so?ma=H55.305.1-261127-0002', status: 200 },
  { path: '/tin-tuc', status: 200 },
  { path: '/tin-tuc/to-khao-sat-so-1-hdnd-tinh-khao-sat-ket-qua-cong-tac-cai-cach-hanh-chinh-giai', status: 200 },
  { path: '/thong-ke?tu=2026-01-01&den=2026-12-31', status: 200 },
  { path: '/danh-gia/H55.305.1-261116-0001', status: 200 },
  { path: '/thu-tuc?agency=H55.305.1', status: 200 },
  { path: '/tai-khoan', status: 200 },
];

const SKIP_TEXT = 'Truy cập nội dung luôn';

const SHOTS = process.env.SCREENSHOT_DIR; // e.g. ../docs/screenshots
const outDir = process.env.E2E_OUT_DIR || mkdtempSync(join(tmpdir(), 'motcua-e2e-'));
let server;
let browser;
const contexts = {};
const axeResults = []; // { page, device, passes, violations, incomplete }

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  contexts.desktop = await newContext(browser, server.baseUrl, DESKTOP);
  contexts.phone = await newContext(browser, server.baseUrl, PHONE);
  contexts.nojs = await newContext(browser, server.baseUrl, DESKTOP, { javaScriptEnabled: false });
  console.log(`# server ${server.baseUrl}, ${browser.browserType().name()} ${browser.version()}, output in ${outDir}`);
});

after(async () => {
  await browser?.close();
  // Normally stopped (and checked) by the last test; this only cleans up after a failure.
  await server?.stop();
  writeFileSync(join(outDir, 'axe-results.json'), JSON.stringify(axeResults, null, 2));
  if (axeResults.length) {
    console.log(`# axe (${AXE_TAGS.join(', ')}): page, device, passes, violations, incomplete`);
    for (const r of axeResults) {
      console.log(`#   ${r.page.padEnd(48)} ${r.device.padEnd(8)} ${String(r.passes.length).padStart(3)} ${String(r.violations.length).padStart(3)} ${String(r.incomplete.length).padStart(3)}`);
    }
  }
});

/** Opens `path` in a new page of `context`, checks the status, returns the page. */
async function open(context, path, status) {
  const page = await context.newPage();
  const res = await page.goto(path, { waitUntil: 'load' });
  assert.equal(res.status(), status, `${path}: HTTP status`);
  return page;
}

for (const device of [DESKTOP, PHONE]) {
  describe(`axe-core WCAG 2.1 A/AA, ${device.name} ${device.viewport.width}×${device.viewport.height}`, () => {
    for (const { path, status } of PAGES) {
      it(`${path} has no violations`, async () => {
        const page = await open(contexts[device.name], path, status);
        try {
          const r = await runAxe(page);
          axeResults.push({ page: path, device: device.name, ...r });
          assert.ok(r.passes.length > 10, `${path}: axe ran only ${r.passes.length} passing rules`);
          assert.equal(r.violations.length, 0, `${path} (${device.name}):\n${describeViolations(r.violations)}`);
        } finally {
          await page.close();
        }
      });
    }
  });
}

describe('visit counter', () => {
  it('every page shows "Đang truy cập" and "Tổng truy cập", and a new visitor moves the total', async () => {
    const read = async (ua) => {
      const ctx = await newContext(browser, server.baseUrl, DESKTOP, { userAgent: ua });
      const page = await ctx.newPage();
      await page.goto('/');
      const text = await page.locator('footer .visits').textContent();
      await ctx.close();
      const m = text.match(/Đang truy cập:\s*([\d.]+)\s*Tổng truy cập:\s*([\d.]+)/);
      assert.ok(m, `counter text: ${text}`);
      return Number(m[2].replaceAll('.', ''));
    };
    const before = await read('Mozilla/5.0 (e2e visitor A) Chrome/156');
    const after = await read('Mozilla/5.0 (e2e visitor B) Chrome/156');
    assert.equal(after, before + 1);
    const again = await read('Mozilla/5.0 (e2e visitor A) Chrome/156');
    assert.equal(again, after, 'the same visitor within 30 minutes is the same visit');
  });
});

describe('news, rating and statistics journeys', () => {
  it('reads the seed article from the home page', async () => {
    const page = await contexts[PHONE.name].newPage();
    await page.goto('/');
    await page.getByRole('link', { name: /Tổ Khảo sát số 1 HĐND tỉnh/ }).first().click();
    await page.waitForURL(/\/tin-tuc\/to-khao-sat/);
    assert.match(await page.locator('h1').textContent(), /Tổ Khảo sát số 1 HĐND tỉnh/);
    assert.match(await page.locator('article').textContent(), /29\.828 hồ sơ/);
    assert.ok(await page.locator('meta[property="og:title"]').count() === 1);
    await page.close();
  });
  it('rates a returned dossier from its lookup page, once, and the statistics count it', async () => {
    const page = await contexts[DESKTOP.name].newPage();
    await page.goto('/tra-cuu-ho-so?ma=H55.305.1-261116-0001');
    await page.getByRole('link', { name: 'Đánh giá mức độ hài lòng' }).click();
    await page.fill('#id_number', '019065001010');
    for (const name of ['overall', 'tiep_can', 'thu_tuc', 'cong_chuc', 'ket_qua', 'phan_hoi']) {
      await page.check(`input[name="${name}"][value="5"]`);
    }
    await page.check('input[name="contacts"][value="1"]');
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('[role="status"]').textContent(), /Cảm ơn/);
    await page.goto('/thong-ke?tu=2026-01-01&den=2026-12-31');
    assert.match(await page.locator('tfoot').textContent(), /100,0 % \(1\)/);
    assert.equal(await page.locator('svg[role="img"] rect').count() > 0, true);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'portal-thong-ke.png'), fullPage: true });
    await page.close();
  });
});

describe('the citizen journey: search, submit online with two attachments, look up', () => {
  it('finds the procedure without diacritics, submits online, and looks the dossier up by its code', async () => {
    const page = await contexts[PHONE.name].newPage();
    try {
      await page.goto('/');
      const box = page.getByRole('searchbox', { name: 'Tìm thủ tục hành chính' });
      await box.fill('dang ky khai sinh');
      await Promise.all([page.waitForURL(/\/thu-tuc\?q=/), box.press('Enter')]);
      await Promise.all([
        page.waitForURL(/\/thu-tuc\/1\.\d+$/),
        page.locator('ol.hits > li a').first().click(),
      ]);
      assert.equal(await page.locator('h1').textContent(), 'Thủ tục đăng ký khai sinh');
      await Promise.all([
        page.waitForURL(/\/nop-truc-tuyen\//),
        page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click(),
      ]);
      await page.fill('#full_name', 'Lò Thị Mai');
      await page.fill('#id_number', '019305002468');
      await page.fill('#email', 'mai@example.vn');
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
      const required = page.locator('input[type="file"][required]');
      assert.ok((await required.count()) >= 1);
      for (let i = 0; i < (await required.count()); i++) {
        await required.nth(i).setInputFiles({ name: `to-khai-${i}.pdf`, mimeType: 'application/pdf', buffer: pdf });
      }
      await page.getByLabel(/^Giấy chứng sinh/).setInputFiles({ name: 'giay-chung-sinh.png', mimeType: 'image/png', buffer: png });
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'portal-nop-truc-tuyen.png') });
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click()]);
      const status = await page.locator('[role="status"]').textContent();
      const code = status.match(/H55\.[\d.]+-\d{6}-\d{4}/)?.[0];
      assert.ok(code, `a dossier code in: ${status}`);
      await Promise.all([
        page.waitForURL(/\/tra-cuu-ho-so\?ma=/),
        page.getByRole('link', { name: 'Tra cứu tình trạng hồ sơ' }).click(),
      ]);
      assert.match(await page.locator('h2').first().textContent(), new RegExp(code.replace(/\./g, '\\.')));
      const facts = await page.locator('dl').first().textContent();
      assert.doesNotMatch(facts, /Lò Thị Mai/, 'the applicant name is masked');
      assert.doesNotMatch(facts, /019305002468/, 'the ID number is not shown');
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'portal-tra-cuu.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});

describe('keyboard', () => {
  for (const { path, status } of PAGES) {
    it(`${path}: first Tab focuses the visible skip link, Enter moves focus to #content`, async () => {
      const page = await open(contexts.desktop, path, status);
      try {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement;
          const r = el.getBoundingClientRect();
          return {
            tag: el.tagName,
            text: el.textContent.trim(),
            href: el.getAttribute('href'),
            visible: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth,
          };
        });
        assert.deepEqual(
          { tag: focused.tag, text: focused.text, href: focused.href },
          { tag: 'A', text: SKIP_TEXT, href: '#content' },
        );
        assert.ok(focused.visible, 'the focused skip link is on screen');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.activeElement?.id === 'content', null, { timeout: 5_000 });
        assert.equal(await page.evaluate(() => document.activeElement.tagName), 'MAIN');
        // The next Tab continues inside the main content, not back at the header.
        await page.keyboard.press('Tab');
        const inMain = await page.evaluate(() => document.getElementById('content').contains(document.activeElement));
        assert.ok(inMain, 'Tab after the skip link lands inside <main>');
      } finally {
        await page.close();
      }
    });
  }
});

describe('search without JavaScript', () => {
  it('typing "ĐĂNG KÝ KHAI SINH" and submitting finds "Thủ tục đăng ký khai sinh" first', async () => {
    const page = await open(contexts.nojs, '/', 200);
    try {
      const box = page.getByRole('searchbox', { name: 'Tìm thủ tục hành chính' });
      await box.click();
      await box.pressSequentially('ĐĂNG KÝ KHAI SINH');
      await Promise.all([page.waitForURL(/\/thu-tuc\?q=/), box.press('Enter')]);
      const url = new URL(page.url());
      assert.equal(url.pathname, '/thu-tuc');
      assert.equal(url.searchParams.get('q'), 'ĐĂNG KÝ KHAI SINH');
      const first = page.locator('ol.hits > li a').first();
      assert.equal((await first.textContent()).trim(), 'Thủ tục đăng ký khai sinh');
      // The query stays in the box, and the result link leads to the procedure page.
      assert.equal(await page.locator('#q').inputValue(), 'ĐĂNG KÝ KHAI SINH');
      await Promise.all([page.waitForURL(/\/thu-tuc\/1\.\d+$/), first.click()]);
      assert.equal(await page.locator('h1').textContent(), 'Thủ tục đăng ký khai sinh');
    } finally {
      await page.close();
    }
  });

  it('the search button submits as well (no JavaScript)', async () => {
    const page = await open(contexts.nojs, '/', 200);
    try {
      await page.locator('#q').fill('khai sinh');
      await Promise.all([page.waitForURL(/\/thu-tuc\?q=/), page.getByRole('button', { name: 'Tìm kiếm' }).click()]);
      assert.ok((await page.locator('ol.hits > li').count()) >= 1);
    } finally {
      await page.close();
    }
  });
});

describe('phone width 375 px: no horizontal scrolling of the page', () => {
  for (const { path, status } of PAGES) {
    it(path, async () => {
      const page = await open(contexts.phone, path, status);
      try {
        const m = await page.evaluate(() => ({
          scrollWidth: document.scrollingElement.scrollWidth,
          innerWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        assert.ok(
          m.scrollWidth <= m.innerWidth && m.scrollWidth <= 375,
          `${path}: page is ${m.scrollWidth}px wide, viewport ${m.innerWidth}px (clientWidth ${m.clientWidth})`,
        );
      } finally {
        await page.close();
      }
    });
  }
});

describe('document language and title', () => {
  for (const { path, status } of PAGES) {
    it(`${path}: <html lang="vi"> and a non-empty <title>`, async () => {
      const page = await open(contexts.desktop, path, status);
      try {
        assert.equal(await page.evaluate(() => document.documentElement.getAttribute('lang')), 'vi');
        const title = (await page.title()).trim();
        assert.ok(title.length > 0, 'empty <title>');
        assert.notEqual(title, '· motcua');
      } finally {
        await page.close();
      }
    });
  }
});

describe('screenshots at phone width', () => {
  for (const [name, path] of [
    ['portal-home', '/'],
    ['portal-thu-tuc', '/thu-tuc/1.001193'],
    ['portal-thu-tuc-noi-tiep-nhan', '/thu-tuc?agency=H55.305.1'],
    ['portal-tin-tuc', '/tin-tuc'],
    ['portal-bai-viet', '/tin-tuc/to-khao-sat-so-1-hdnd-tinh-khao-sat-ket-qua-cong-tac-cai-cach-hanh-chinh-giai'],
    ['portal-danh-gia', '/danh-gia/H55.305.1-261116-0001'],
    ['portal-tai-khoan', '/tai-khoan'],
  ]) {
    it(`${path} → ${name}.png`, async () => {
      const page = await open(contexts.phone, path, 200);
      try {
        const file = join(SHOTS || outDir, `${name}.png`);
        await page.screenshot({ path: file }); // the first screen: long pages would weigh megabytes
        console.log(`# screenshot ${file}`);
      } finally {
        await page.close();
      }
    });
  }
});

describe('server', () => {
  it('logged no ERROR and stops on SIGTERM with exit code 0', async () => {
    const errors = server.logs.filter((l) => l.level === 'ERROR');
    assert.deepEqual(errors, []);
    const { code, signal } = await server.stop();
    assert.equal(signal, null, `killed by ${signal}`);
    assert.equal(code, 0);
  });
});
