// The newsroom admin in a real browser: an author writes and submits, an
// editor publishes; unsaved text survives a reload; a conflict loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { BASE, SHOTS, axeViolations, launchBrowser } from './helpers.mjs';

const PASSWORD = process.env.STAFF_PASSWORD ?? 'correct-horse-battery-staple';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => { await browser?.close(); });

/** A small PNG photo made here, so the test needs no fixture file. */
function png(width, height) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])) >>> 0, 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * (width * 3 + 1) + 1 + x * 3;
      rows[i] = (x * 255) / width; rows[i + 1] = 90; rows[i + 2] = (y * 255) / height;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function signedIn(email, { mobile = false, bypassCSP = false } = {}) {
  const context = await browser.newContext({
    viewport: mobile ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    bypassCSP,
  });
  const page = await context.newPage();
  await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  await page.goto(`${BASE}/admin`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForURL(`${BASE}/admin`);
  return { context, page };
}

test('an author writes and submits, an editor publishes, readers see it with its sources', async () => {
  const headline = `Browser test story ${Date.now()}`;
  const author = await signedIn('author@example.com', { mobile: true });
  const { page } = author;
  await page.click('a[href="/admin/articles/new"]');
  await page.fill('#headline', headline);
  await page.fill('#standfirst', 'Written on a phone in a real browser.');
  await page.fill('#body', 'The council met on Tuesday.');
  await page.click('[data-md=bold]');
  await page.locator('#preview').getByText('The council met on Tuesday.').waitFor();
  const rows = page.locator('#sources li');
  await rows.nth(0).locator('[name=source_outlet]').fill('Financial Times');
  await rows.nth(0).locator('[name=source_url]').fill('https://www.ft.com/content/example');
  await rows.nth(0).locator('[name=source_citation]').fill('citing sources');
  await page.click('#add-source');
  await rows.nth(1).locator('[name=source_outlet]').fill('Axios');
  await rows.nth(1).locator('[name=source_citation]').fill('according to');
  await rows.nth(1).locator('[data-source=up]').click();
  assert.equal(await rows.nth(0).locator('[name=source_outlet]').inputValue(), 'Axios', 'sources reorder');
  await page.selectOption('#section', 'news');
  await page.fill('#cover_alt', 'A gradient standing in for a photo of the council');
  await page.setInputFiles('#cover-file', { name: 'council.png', mimeType: 'image/png', buffer: png(640, 360) });
  await page.click('#cover-upload-button');
  await page.waitForFunction(() => document.getElementById('cover_url').value.startsWith('/media/'));
  await page.click('#save');
  await page.waitForURL(/\/admin\/articles\/\d+\?saved=1/);
  await page.screenshot({ path: `${SHOTS}/admin-editor-phone.png`, fullPage: true });
  assert.ok(await page.locator('[data-action=publish]').count() === 0, 'authors cannot publish by default');
  await page.click('[data-action=submit]');
  await page.waitForURL(/done=submit/);
  const articleUrl = page.url().split('?')[0];
  await author.context.close();

  const editor = await signedIn('editor@example.com');
  await editor.page.getByRole('link', { name: headline }).first().click();
  assert.equal(editor.page.url().split('?')[0], articleUrl);
  await editor.page.click('[data-action=publish]');
  await editor.page.waitForURL(/done=publish/);
  // The story goes to the Telegram channel and X once, and the admin says so.
  let sent = 0;
  for (let i = 0; i < 40 && sent < 2; i += 1) {
    await new Promise((r) => setTimeout(r, 250));
    await editor.page.goto(articleUrl);
    sent = await editor.page.locator('.delivery--sent').count();
  }
  assert.equal(sent, 2, 'Telegram and X both show as sent');
  await editor.page.locator('#h-distribution').scrollIntoViewIfNeeded();
  await editor.page.screenshot({ path: `${SHOTS}/admin-distribution.png`, fullPage: true });
  const calls = await (await fetch(`${process.env.FAKES_URL}/_calls`)).json();
  const mine = calls.filter((c) => JSON.stringify(c.params ?? {}).includes(headline));
  assert.equal(mine.filter((c) => c.provider === 'telegram').length, 1, 'one Telegram post');
  assert.equal(mine.filter((c) => c.provider === 'x').length, 1, 'one post on X');
  assert.ok(mine.find((c) => c.provider === 'x').signed, 'X request carries an OAuth signature');
  const publicHref = await editor.page.locator('a', { hasText: /Відкрити на сайті|View on site/ }).getAttribute('href');
  await editor.page.goto(`${BASE}${publicHref}`);
  assert.equal(await editor.page.locator('h1').textContent(), headline);
  const cover = editor.page.locator('.article__cover img');
  assert.match(await cover.getAttribute('srcset'), /-480\.png 480w/);
  assert.equal(await cover.evaluate((img) => img.complete && img.naturalWidth > 0), true, 'the uploaded cover loads');
  const sources = await editor.page.locator('section.sources li').allTextContents();
  assert.equal(sources.length, 2);
  assert.match(sources[0], /Axios — according to/);
  assert.match(sources[1], /Financial Times — citing sources/);
  await editor.context.close();
});

test('unsaved text is recovered after a reload', async () => {
  const { context, page } = await signedIn('contributor@example.com');
  await page.goto(`${BASE}/admin/articles/new`);
  const text = `Text typed just before the connection dropped ${Date.now()}`;
  await page.fill('#headline', 'Unsaved draft');
  await page.fill('#body', text);
  await page.waitForTimeout(200);
  await page.reload();
  assert.equal(await page.inputValue('#body'), '', 'the server never saw it');
  await page.locator('#recovered').waitFor({ state: 'visible' });
  await page.click('#recover-restore');
  assert.equal(await page.inputValue('#body'), text);
  assert.equal(await page.inputValue('#headline'), 'Unsaved draft');
  await page.click('#save');
  await page.waitForURL(/saved=1/);
  assert.equal(await page.locator('#recovered').isVisible(), false, 'saved text is not offered again');
  await context.close();
});

test('text typed while the connection is down survives', async () => {
  const { context, page } = await signedIn('author@example.com');
  await page.goto(`${BASE}/admin/articles/new`);
  const text = `Written on a train with no signal ${Date.now()}`;
  await page.fill('#headline', 'Offline draft');
  await page.fill('#body', text);
  await context.setOffline(true);
  await page.click('#save', { noWaitAfter: true });
  await page.waitForTimeout(500);
  await context.setOffline(false);
  await page.goto(`${BASE}/admin/articles/new`);
  await page.locator('#recovered').waitFor({ state: 'visible' });
  await page.click('#recover-restore');
  assert.equal(await page.inputValue('#body'), text);
  await context.close();
});

test('two people saving the same article: the second sees both versions and loses nothing', async () => {
  const editor = await signedIn('editor@example.com');
  const owner = await signedIn('owner@example.com');
  await editor.page.goto(`${BASE}/admin/articles/3`);
  await owner.page.goto(`${BASE}/admin/articles/3`);
  await editor.page.fill('#body', 'The editor rewrote the story.');
  await editor.page.click('#save');
  await editor.page.waitForURL(/saved=1/);
  await owner.page.fill('#body', 'The owner added a paragraph.');
  await owner.page.click('#save');
  await owner.page.locator('.conflict').waitFor();
  assert.match(await owner.page.locator('.their-body').textContent(), /The editor rewrote the story\./);
  assert.equal(await owner.page.inputValue('#body'), 'The owner added a paragraph.');
  await owner.page.screenshot({ path: `${SHOTS}/admin-conflict.png`, fullPage: true });
  await editor.context.close();
  await owner.context.close();
});

test('admin pages pass axe-core WCAG 2.2 AA checks', async () => {
  const { context, page } = await signedIn('editor@example.com', { bypassCSP: true });
  for (const path of ['/admin', '/admin/articles', '/admin/articles/new', '/admin/articles/1', '/admin/articles/1/revisions', '/admin/media', '/admin/account', '/admin/account/2fa', '/admin/distribution']) {
    await page.goto(`${BASE}${path}`);
    const problems = await axeViolations(page);
    assert.deepEqual(problems, [], `accessibility of ${path}`);
  }
  await context.close();
});

test('an editor runs a live page and a reader sees each update arrive without reloading', async () => {
  const { context, page: admin } = await signedIn('editor@example.com');
  // The reader opens the story the editor is about to take live.
  await admin.goto(`${BASE}/admin/articles/3`);
  const storyPath = await admin.locator('p.meta a').first().getAttribute('href');
  await admin.getByRole('button', { name: 'Почати трансляцію' }).click();
  await admin.waitForURL(/done=live/);
  const readerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const reader = await readerContext.newPage();
  const errors = [];
  reader.on('pageerror', (err) => errors.push(String(err)));
  reader.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  await reader.goto(`${BASE}${storyPath}`);
  assert.ok(await reader.locator('.live__badge').isVisible(), 'the page says it is live');
  await reader.waitForTimeout(500); // the event stream is open
  // Two updates, in a few keystrokes each.
  for (const text of ['Перше оновлення з місця події.', 'Друге оновлення: рух відновлено.']) {
    await admin.fill('#live-body', text);
    await admin.fill('#live-source', 'Кореспондент редакції');
    await admin.getByRole('button', { name: 'Опублікувати оновлення' }).click();
    await admin.waitForURL(/done=live/);
  }
  const bar = reader.locator('[data-live-show]');
  await bar.waitFor({ state: 'visible', timeout: 10000 });
  assert.equal((await bar.textContent()).trim(), '2 нові оновлення');
  assert.equal(await reader.locator('.live-update').count(), 0, 'nothing moved under the reader yet');
  await bar.click();
  const updates = reader.locator('.live-update');
  assert.equal(await updates.count(), 2);
  assert.match(await updates.first().textContent(), /Друге оновлення/, 'newest first');
  assert.match(await updates.first().locator('a.live-update__time').getAttribute('href'), /^#update-\d+$/);
  await reader.screenshot({ path: `${SHOTS}/live-page.png`, fullPage: true });
  assert.deepEqual(errors, [], 'no console errors');
  // Closing ends it for everyone.
  await admin.fill('#live-summary', 'Підсумок: рух відновлено, постраждалих немає.');
  await admin.getByRole('button', { name: 'Завершити трансляцію' }).click();
  await admin.waitForURL(/done=live/);
  await reader.locator('[data-live-changed]').waitFor({ state: 'visible', timeout: 10000 });
  await reader.reload();
  assert.match(await reader.locator('.live__summary').textContent(), /Підсумок: рух відновлено/);
  await readerContext.close();
  await context.close();
});
