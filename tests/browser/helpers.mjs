// Shared by the browser tests: Chromium as this machine runs it, and axe-core.
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export const BASE = process.env.NEWSDESK_URL ?? 'http://127.0.0.1:8080';
export const SHOTS = process.env.SCREENSHOT_DIR ?? '.';

/** Debian's Chromium, headless, with nothing reaching out to the network. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
    // launch() gives Chromium a fresh, empty profile directory of its own.
  });
}

/** WCAG 2.2 AA violations axe-core finds on the page (needs a context with bypassCSP). */
export async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
