// Every page type is valid HTML, as the W3C Nu validator (vnu) reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vnu from 'vnu-jar';

import { BASE } from './helpers.mjs';

async function text(path) {
  const response = await fetch(`${BASE}${path}`);
  return { status: response.status, body: await response.text() };
}

test('every page type passes the Nu HTML validator', async () => {
  const home = (await text('/')).body;
  const article = home.match(/class="lead-story__headline"><a href="([^"]+)"/)[1];
  const day = article.split('/').slice(0, 4).join('/');
  const pages = {
    home: '/', 'home-en': '/en', 'home-page-2': '/?page=2', article, section: '/section/economy',
    tag: '/tag/enerhetyka', author: '/author/iryna-bondar', day, search: '/search?q=%D1%81%D0%B2%D1%96%D1%82%D0%BB%D0%BE',
    'search-empty': '/en/search', 'not-found': '/no-such-page', newsletter: '/newsletter', videos: '/en/videos',
    verify: '/verify', 'verify-found': `/verify?q=${encodeURIComponent(article)}`, 'verify-en': '/en/verify?q=nothing%20like%20this%20was%20ever%20published',
    transparency: '/support/transparency', 'transparency-en': '/en/support/transparency',
  };
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-html-'));
  try {
    const files = [];
    for (const [name, path] of Object.entries(pages)) {
      const { body } = await text(path);
      const file = join(dir, `${name}.html`);
      writeFileSync(file, body);
      files.push(file);
    }
    let output = '';
    try {
      execFileSync('java', ['-jar', vnu, '--errors-only', '--format', 'text', ...files], { stdio: 'pipe' });
    } catch (err) {
      output = `${err.stdout}${err.stderr}`;
    }
    assert.equal(output.trim(), '', 'validator messages');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
