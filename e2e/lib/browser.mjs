// Debian's Chromium driven by playwright-core. No browser is ever downloaded:
// the executable is /usr/bin/chromium (package `chromium`), or $CHROMIUM_PATH.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);

/** The axe-core bundle injected into each page. */
export const AXE_PATH = require.resolve('axe-core/axe.min.js');

/** The WCAG 2.0 and 2.1 A and AA rules, and nothing else. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const DESKTOP = { name: 'desktop', viewport: { width: 1280, height: 800 } };
export const PHONE = {
  name: 'phone',
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

// The flags known to work on this project's machines (closed network, root):
// see .library/env/machines/rust-svc.md. Playwright adds a fresh temporary
// --user-data-dir itself for every launch() and removes it on close().
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: apt-get install chromium (e2e/run.sh does)`);
  }
  return chromium.launch({ executablePath, headless: true, args: ARGS, timeout: 60_000 });
}

/**
 * A new context for a device profile, on the server's base URL. The pages'
 * Content-Security-Policy forbids inline scripts; `bypassCSP` lets the test
 * inject axe-core (the pages themselves run none).
 */
export async function newContext(browser, baseURL, device, extra = {}) {
  const { name: _name, ...options } = device;
  return browser.newContext({ baseURL, locale: 'vi-VN', bypassCSP: true, ...options, ...extra });
}

/**
 * Runs axe-core on the loaded page with the WCAG 2.x A/AA rule set and
 * returns { passes, violations, incomplete, inapplicable } (violations in full).
 */
export async function runAxe(page) {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    const brief = (list) => list.map((x) => x.id);
    return {
      passes: brief(r.passes),
      incomplete: brief(r.incomplete),
      inapplicable: brief(r.inapplicable),
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      })),
    };
  }, AXE_TAGS);
}

/** A readable multi-line description of axe violations, for assertion messages. */
export function describeViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `  ${n.target}\n    ${n.summary?.replace(/\n/g, '\n    ')}`).join('\n'))
    .join('\n');
}
