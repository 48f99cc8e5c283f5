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
