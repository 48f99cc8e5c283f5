// A reader gives 500 UAH monthly from an article through the demo's test
// checkout; the funding dashboard then shows the supporter and the article.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SHOTS, axeViolations, launchBrowser } from './helpers.mjs';

const PASSWORD = process.env.STAFF_PASSWORD ?? 'correct-horse-battery-staple';
let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a reader gives 500 UAH monthly and the dashboard shows it', async () => {
  const reader = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await reader.newPage();
  const foreign = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    foreign.push(url.href);
    return route.abort();
  });
  await page.goto(`${BASE}/`);
  const href = await page.getByRole('link', { name: /Сонячні панелі на даху лікарні/ }).first().getAttribute('href');
  await page.goto(`${BASE}${href}`);
  const box = page.locator('form.donate');
  await box.getByLabel('500 грн').check();
  const monthly = box.locator('button[value=monthly]');
  assert.equal((await monthly.textContent()).trim(), 'Підтримати 500 грн щомісяця', 'the button says what will happen');
  assert.equal((await box.locator('button[value=one_time]').textContent()).trim(), 'Підтримати 500 грн один раз');
  await page.screenshot({ path: `${SHOTS}/donate-box.png` });
  await monthly.click();
  await page.waitForURL(/\/support\/sandbox\//);
  assert.match(await page.locator('main').textContent(), /TEST/);
  assert.match(await page.locator('.sandbox__amount').textContent(), /500 грн · щомісяця/);
  await page.getByRole('button', { name: 'Сплатити (тест)' }).click();
  await page.waitForURL(/\/support\/thanks\//);
  assert.match(await page.locator('h1').textContent(), /Дякуємо/);
  assert.deepEqual(foreign, [], 'no third-party requests on the way');
  await reader.close();

  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const staff = await admin.newPage();
  await staff.goto(`${BASE}/admin/funding`);
  await staff.fill('#email', 'editor@example.com');
  await staff.fill('#password', PASSWORD);
  await staff.click('form button[type=submit]');
  await staff.waitForURL(`${BASE}/admin/funding`);
  assert.equal((await staff.locator('[data-figure=active-monthly]').textContent()).trim(), '1');
  assert.match(await staff.locator('.top-articles').textContent(), /Сонячні панелі на даху лікарні/);
  await staff.screenshot({ path: `${SHOTS}/funding.png`, fullPage: true });
  assert.deepEqual(await axeViolations(staff), [], 'the dashboard is accessible');
  await staff.goto(`${BASE}/support`);
  assert.deepEqual(await axeViolations(staff), [], 'the support page is accessible');
  await admin.close();
});

test('the donation box works without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${BASE}/en/support`);
  await page.getByLabel('Other amount', { exact: true }).first().check();
  await page.fill('input[name=other_amount]', '12.50');
  await page.selectOption('select[name=currency]', 'USD');
  await page.click('button[value=one_time]');
  await page.waitForURL(/\/support\/sandbox\//);
  assert.match(await page.locator('.sandbox__amount').textContent(), /\$12\.50/);
  assert.doesNotMatch(await page.locator('.sandbox__amount').textContent(), /month/);
  await context.close();
});
