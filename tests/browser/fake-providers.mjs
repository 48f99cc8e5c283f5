// Local stand-ins for Telegram's Bot API and X's API v2 while the browser
// tests run: they answer as the providers document and keep every request,
// which the tests read back from /_calls.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const calls = [];
let nextId = 500;

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const reply = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && req.url === '/_calls') return reply(200, calls);
    let params = null;
    try { params = body ? JSON.parse(body) : null; } catch { return reply(400, { ok: false, error_code: 400, description: 'Bad Request: not JSON' }); }
    const telegram = req.url.match(/^\/bot[^/]+\/(\w+)$/);
    if (telegram) {
      calls.push({ provider: 'telegram', method: telegram[1], params });
      if (telegram[1].startsWith('send')) {
        nextId += 1;
        return reply(200, { ok: true, result: { message_id: nextId, date: Math.floor(Date.now() / 1000), chat: { id: -100, type: 'channel' } } });
      }
      return reply(200, { ok: true, result: true });
    }
    if (req.url.startsWith('/2/tweets')) {
      const signed = (req.headers.authorization ?? '').startsWith('OAuth ') && req.headers.authorization.includes('oauth_signature=');
      calls.push({ provider: 'x', method: req.method, params, signed });
      if (!signed) return reply(401, { title: 'Unauthorized', status: 401 });
      nextId += 1;
      return reply(req.method === 'POST' ? 201 : 200, req.method === 'POST' ? { data: { id: String(nextId), text: params?.text } } : { data: { deleted: true } });
    }
    return reply(404, { error: 'not found' });
  });
}).listen(port, '127.0.0.1');
