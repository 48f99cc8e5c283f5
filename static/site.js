// Click-to-load embeds: nothing is requested from YouTube, TikTok, X or
// Telegram until the reader presses the button.
document.addEventListener('click', function (event) {
  var button = event.target.closest && event.target.closest('.embed__load');
  if (!button) return;
  var figure = button.closest('.embed');
  var src = figure && figure.getAttribute('data-embed-src');
  if (!src || src.indexOf('https://') !== 0) return;
  var frame = document.createElement('iframe');
  frame.src = src;
  frame.title = figure.getAttribute('data-embed-title') || '';
  frame.loading = 'lazy';
  frame.referrerPolicy = 'strict-origin-when-cross-origin';
  frame.setAttribute('allow', 'encrypted-media; picture-in-picture; fullscreen');
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups allow-presentation');
  var placeholder = figure.querySelector('.embed__placeholder');
  figure.replaceChild(frame, placeholder);
  frame.focus();
});

// Donation box: the pay buttons say exactly what will happen ("Give 500 грн
// monthly"), so nobody starts monthly support by mistake.
document.querySelectorAll('form.donate').forEach(function (form) {
  var other = form.querySelector('[name=other_amount]');
  var select = form.querySelector('[data-donate-currency-select]');
  var hidden = form.querySelector('[data-donate-currency]');
  function amountText() {
    var chosen = form.querySelector('[name=amount]:checked');
    if (chosen && chosen.value !== 'other') return chosen.getAttribute('data-label');
    if (other.value.trim()) return other.value.trim() + ' ' + select.value;
    return '';
  }
  function refresh() {
    var chosen = form.querySelector('[name=amount]:checked');
    // Presets are in the box's own currency; another amount uses the one chosen beside it.
    hidden.disabled = !chosen || chosen.value === 'other';
    select.disabled = !hidden.disabled;
    var amount = amountText();
    form.querySelectorAll('button[name=frequency]').forEach(function (button) {
      var words = [button.getAttribute('data-give'), amount, button.getAttribute('data-word')];
      button.textContent = words.filter(Boolean).join(' ');
    });
  }
  other.addEventListener('input', function () {
    var radio = form.querySelector('[name=amount][value=other]');
    if (other.value.trim()) radio.checked = true;
    refresh();
  });
  form.addEventListener('change', refresh);
  refresh();
});

// Live pages: new updates arrive while the reader is on the page (Server-Sent
// Events) and wait behind a button, so the text does not move under the
// reader's eyes. Without JavaScript the page shows every update on reload.
document.querySelectorAll('[data-live-events]').forEach(function (section) {
  if (!window.EventSource) return;
  var list = section.querySelector('.live__updates');
  var button = section.querySelector('[data-live-show]');
  var changed = section.querySelector('[data-live-changed]');
  var waiting = [];
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
  function label(n) {
    var form = rules ? rules.select(n) : (n === 1 ? 'one' : 'other');
    return (button.getAttribute('data-' + form) || button.getAttribute('data-other')).replace('%n', n);
  }
  var source = new EventSource(section.getAttribute('data-live-events'));
  source.addEventListener('update', function (event) {
    var holder = document.createElement('ol');
    holder.innerHTML = event.data; // drawn and sanitized by the server
    var item = holder.firstElementChild;
    if (!item || document.getElementById(item.id)) return;
    waiting.push(item);
    button.textContent = label(waiting.length);
    button.hidden = false;
  });
  source.addEventListener('changed', function () {
    source.close();
    changed.hidden = false;
  });
  button.addEventListener('click', function () {
    waiting.forEach(function (item) { list.insertBefore(item, list.firstChild); });
    waiting = [];
    button.hidden = true;
    var newest = list.querySelector('.live-update__time');
    if (newest) newest.focus();
  });
});
