// newsdesk admin enhancements. Every form works without this file; with it,
// the editor gains a formatting toolbar, live preview, a sources editor and
// recovery of unsaved text after a reload, a crash or a lost connection.
(function () {
  'use strict';
  var editor = document.getElementById('editor');
  if (!editor) return;
  var body = document.getElementById('body');
  var preview = document.getElementById('preview');
  var csrf = editor.querySelector('input[name=csrf]').value;
  var language = editor.querySelector('[name=language]');

  // Live preview, rendered by the server with the public site's renderer.
  var timer = null;
  function refreshPreview() {
    var data = new URLSearchParams();
    data.set('csrf', csrf);
    data.set('body', body.value);
    data.set('language', language ? language.value : 'uk');
    fetch('/admin/preview', { method: 'POST', body: data, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) { preview.innerHTML = html; })
      .catch(function () { /* offline: keep the last preview */ });
  }
  body.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refreshPreview, 400); });
  refreshPreview();

  // Formatting toolbar.
  var wrap = { bold: ['**', '**'], italic: ['_', '_'], link: ['[', '](https://)'], heading: ['\n## ', ''], quote: ['\n> ', ''], list: ['\n- ', ''] };
  document.querySelectorAll('[data-md]').forEach(function (button) {
    button.addEventListener('click', function () {
      var pair = wrap[button.getAttribute('data-md')];
      var start = body.selectionStart, end = body.selectionEnd;
      var text = body.value;
      body.value = text.slice(0, start) + pair[0] + text.slice(start, end) + pair[1] + text.slice(end);
      body.focus();
      body.selectionStart = start + pair[0].length;
      body.selectionEnd = end + pair[0].length;
      body.dispatchEvent(new Event('input'));
    });
  });

  // Sources: add, remove, reorder.
  var list = document.getElementById('sources');
  var template = document.getElementById('source-template');
  document.getElementById('add-source').addEventListener('click', function () {
    list.appendChild(template.content.firstElementChild.cloneNode(true));
    list.lastElementChild.querySelector('input').focus();
  });
  list.addEventListener('click', function (event) {
    var button = event.target.closest('[data-source]');
    if (!button) return;
    var row = button.closest('li');
    var what = button.getAttribute('data-source');
    if (what === 'remove') row.remove();
    if (what === 'up' && row.previousElementSibling) list.insertBefore(row, row.previousElementSibling);
    if (what === 'down' && row.nextElementSibling) list.insertBefore(row.nextElementSibling, row);
    button.focus();
  });

  // Cover upload without leaving the editor; the media library works without script.
  var upload = editor.querySelector('[data-upload]');
  if (upload) {
    upload.hidden = false;
    document.getElementById('cover-upload-button').addEventListener('click', function () {
      var input = document.getElementById('cover-file');
      var status = document.getElementById('cover-upload-status');
      if (!input.files.length) { input.focus(); return; }
      var data = new FormData();
      data.set('csrf', csrf);
      data.set('file', input.files[0]);
      data.set('alt', document.getElementById('cover_alt').value);
      data.set('credit', document.getElementById('cover_credit').value);
      status.textContent = '…';
      fetch('/admin/media', { method: 'POST', body: data, credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (result) {
          if (result.ok) {
            document.getElementById('cover_url').value = result.body.url;
            status.textContent = '✓ ' + result.body.url;
          } else {
            status.textContent = (result.body.errors || []).map(function (e) { return e.detail; }).join('; ');
          }
        })
        .catch(function () { status.textContent = '✕'; });
    });
  }

  // Unsaved text survives reloads, crashes and lost connections in this browser.
  var key = editor.getAttribute('data-draft-key');
  var fields = Array.prototype.slice.call(editor.querySelectorAll('[data-autosave]'));
  function snapshot() {
    var out = {};
    fields.forEach(function (f) { out[f.name] = f.value; });
    return out;
  }
  var loaded = JSON.stringify(snapshot());
  if (document.querySelector('[data-saved]')) {
    localStorage.removeItem(key);
    // A new article saved for the first time was kept under the "new" key.
    var fresh = localStorage.getItem('newsdesk-draft-new');
    if (fresh && JSON.stringify(JSON.parse(fresh).fields) === loaded) localStorage.removeItem('newsdesk-draft-new');
  }
  var stored = localStorage.getItem(key);
  if (stored) {
    var copy = JSON.parse(stored);
    if (JSON.stringify(copy.fields) !== loaded) {
      var banner = document.getElementById('recovered');
      banner.hidden = false;
      document.getElementById('recover-restore').addEventListener('click', function () {
        fields.forEach(function (f) { if (copy.fields[f.name] !== undefined) f.value = copy.fields[f.name]; });
        banner.hidden = true;
        refreshPreview();
      });
      document.getElementById('recover-discard').addEventListener('click', function () {
        localStorage.removeItem(key);
        banner.hidden = true;
      });
    } else {
      localStorage.removeItem(key);
    }
  }
  function keep() {
    var now = JSON.stringify(snapshot());
    if (now !== loaded) localStorage.setItem(key, JSON.stringify({ fields: snapshot(), at: Date.now() }));
  }
  fields.forEach(function (f) { f.addEventListener('input', keep); });
  setInterval(keep, 3000);
}());
