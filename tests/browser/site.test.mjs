// The public site as readers see it: in Chromium, on a phone-sized screen,
// with no request leaving this machine and no accessibility violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SHOTS, axeViolations, launchBrowser } from './helpers.mjs';


let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** A page whose requests to other hosts are blocked and recorded. */
async function openPage({ mobile = true, bypassCSP = false } = {}) {
  const context = await browser.newContext({
    viewport: mobile ? { width: 360, height: 740 } : { width: 1280, height: 900 },
    bypassCSP,
  });
  const page = await context.newPage();
  const foreign = [];
  const errors = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    foreign.push(url.href);
    return route.abort();
  });
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  return { page, context, foreign, errors };
}

async function leadStoryUrl(page, home) {
  await page.goto(`${BASE}${home}`);
  return page.locator('.lead-story__headline a').getAttribute('href');
}

test('home and article pages load with nothing from third parties', async () => {
  for (const home of ['/', '/en']) {
    const { page, context, foreign, errors } = await openPage();
    await page.goto(`${BASE}${home}`);
    await page.screenshot({ path: `${SHOTS}/home-${home === '/' ? 'uk' : 'en'}.png`, fullPage: true });
    const href = await leadStoryUrl(page, home);
    await page.goto(`${BASE}${href}`);
    await page.screenshot({ path: `${SHOTS}/article-${home === '/' ? 'uk' : 'en'}.png`, fullPage: true });
    assert.ok(await page.locator('h1.article__headline').isVisible());
    assert.ok(await page.locator('section.sources li').count() >= 1);
    assert.deepEqual(foreign, [], 'no third-party requests');
    assert.deepEqual(errors, [], 'no console errors (including CSP violations)');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    await context.close();
  }
});

test('an embed requests nothing until the reader presses its button', async () => {
  const { page, context, foreign } = await openPage();
  await page.goto(`${BASE}/`);
  // The storm story carries the grid operator's Telegram post.
  const href = await page.getByRole('link', { name: /Енергетики Лісополя/ }).first().getAttribute('href');
  await page.goto(`${BASE}${href}`);
  const embed = page.locator('figure.embed').first();
  assert.ok(await embed.isVisible());
  assert.equal(await page.locator('iframe').count(), 0);
  assert.deepEqual(foreign, [], 'nothing loaded from the provider yet');
  await embed.locator('button.embed__load').click();
  const frame = embed.locator('iframe');
  await frame.waitFor();
  assert.match(await frame.getAttribute('src'), /^https:\/\/t\.me\//);
  await page.waitForTimeout(300);
  assert.ok(foreign.some((url) => url.startsWith('https://t.me/')), 'loaded only after the click');
  await context.close();
});

test('pages pass axe-core WCAG 2.2 AA checks', async () => {
  const { page, context } = await openPage({ bypassCSP: true });
  const href = await leadStoryUrl(page, '/');
  const pages = ['/', '/en', href, '/section/economy', '/search?q=%D0%BF%D0%B5%D0%BA%D0%B0%D1%80%D0%BD%D1%96', '/no-such-page', '/newsletter', '/en/videos', '/verify', `/verify?q=${encodeURIComponent(BASE + href)}`, '/support/transparency', '/en/support/transparency'];
  for (const path of pages) {
    await page.goto(`${BASE}${path}`);
    const problems = await axeViolations(page);
    assert.deepEqual(problems, [], `accessibility of ${path}`);
  }
  await context.close();
});

test('search works from the header form', async () => {
  const { page, context } = await openPage({ mobile: false });
  await page.goto(`${BASE}/en`);
  await page.fill('#site-search', 'bakeries');
  await page.press('#site-search', 'Enter');
  await page.waitForURL(/\/en\/search\?q=bakeries/);
  assert.ok(await page.getByRole('link', { name: /small bakeries form a cooperative/ }).isVisible());
  await context.close();
});

test('a reader signs up for the newsletter from the footer of any page', async () => {
  const { page, context } = await openPage();
  await page.goto(`${BASE}/en`);
  await page.fill('#newsletter-email-footer', 'not an address');
  assert.equal(await page.locator('#newsletter-email-footer').evaluate((el) => el.checkValidity()), false, 'the browser checks the address first');
  await page.fill('#newsletter-email-footer', `reader-${Date.now()}@example.org`);
  await page.locator('.site-footer__newsletter button[type=submit]').click();
  await page.waitForURL(`${BASE}/newsletter`);
  assert.match(await page.locator('[role=status]').textContent(), /We sent you a link/);
  await page.screenshot({ path: `${SHOTS}/newsletter-check.png`, fullPage: true });
  await context.close();
});

test('a reader checks a story by its link and by a quote from a screenshot', async () => {
  const { page, context, foreign, errors } = await openPage();
  const href = await leadStoryUrl(page, '/');
  await page.goto(`${BASE}${href}`);
  const sentence = (await page.locator('.article__body p').first().textContent()).trim().split(/(?<=[.!?])\s/)[0];
  // The story's own check link: by its address.
  await page.locator('p.signed a', { hasText: 'Перевірити' }).click();
  await page.waitForURL(/\/verify\?q=/);
  assert.match(await page.locator('.verify-result__verdict').textContent(), /Ми це опублікували\./);
  assert.ok(await page.locator('.verify-versions li').count() >= 1, 'its signed versions are listed');
  // A quote as retyped from a screenshot: other quote marks, other spacing.
  await page.goto(`${BASE}/verify`);
  await page.fill('#verify-q', `«${sentence.replace(/\s+/g, '  ')}»`);
  await page.getByRole('button', { name: 'Перевірити' }).click();
  await page.waitForURL(/\/verify\?q=/);
  assert.match(await page.locator('.verify-result__verdict').textContent(), /Ми це опублікували\./, sentence);
  await page.screenshot({ path: `${SHOTS}/verify-found.png`, fullPage: true });
  // A fake.
  await page.fill('#verify-q', 'Редакція підтверджує, що міст через річку продали за один гривню');
  await page.getByRole('button', { name: 'Перевірити' }).click();
  await page.waitForURL(/\/verify\?q=/);
  assert.match(await page.locator('.verify-result__verdict').textContent(), /Ми не знайшли/);
  await page.screenshot({ path: `${SHOTS}/verify-not-found.png`, fullPage: true });
  // The signed file itself is public JSON a verifier can check.
  const signed = await page.request.get(`${BASE}${href}.signed.json`);
  assert.equal(signed.status(), 200);
  assert.equal((await signed.json()).format, 'newsdesk-signed-story/1');
  assert.deepEqual(foreign, [], 'no third-party requests');
  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});

test('a reader opens the funding transparency page from the support page', async () => {
  const { page, context, foreign, errors } = await openPage();
  await page.goto(`${BASE}/support`);
  await page.locator('.support__transparency a').click();
  await page.waitForURL(/\/support\/transparency$/);
  assert.match(await page.locator('h1').textContent(), /Звідки наші гроші/);
  assert.ok(await page.locator('svg.chart').first().isVisible(), 'the chart is drawn');
  assert.ok(await page.locator('table.transparency__table tbody tr').count() >= 12, 'a table of twelve months');
  const csv = await page.request.get(`${BASE}/support/transparency.csv`);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^month,currency,readers,grants,readers_share_percent\n/);
  await page.screenshot({ path: `${SHOTS}/transparency-uk.png`, fullPage: true });
  assert.deepEqual(foreign, [], 'no third-party requests');
  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});

test('a reader reads the static mirror: pages, styles, links and signatures, nothing from elsewhere', async () => {
  const MIRROR = process.env.MIRROR_URL;
  assert.ok(MIRROR, 'tests/browser/run serves a mirror');
  const { page, context, foreign, errors } = await openPage();
  await page.goto(`${MIRROR}/`);
  const lead = page.locator('.lead-story__headline a');
  const headline = (await lead.textContent()).trim();
  await lead.click();
  await page.waitForLoadState();
  assert.equal((await page.locator('h1.article__headline').textContent()).trim(), headline);
  const canonical = await page.locator('link[rel=canonical]').getAttribute('href');
  assert.ok(canonical.startsWith(BASE), `the mirror names the main site: ${canonical}`);
  const font = await page.locator('h1.article__headline').evaluate((el) => getComputedStyle(el).fontFamily);
  assert.match(font, /serif/i, "the site's styles load from the mirror");
  const signed = await page.request.get(`${page.url().replace(/\/$/, '')}.signed.json`);
  assert.equal(signed.status(), 200, 'the signed version is on the mirror too');
  await page.locator('nav.sections a').nth(1).click();
  await page.waitForLoadState();
  assert.ok(await page.locator('.card').count() >= 1, 'a section page lists stories');
  await page.screenshot({ path: `${SHOTS}/mirror-section.png`, fullPage: true });
  assert.deepEqual(foreign, [], 'no third-party requests');
  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});
