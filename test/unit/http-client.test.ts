import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpRequest } from '../../src/lib/http.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe("the HTTP client (undici Agent and request API, through undici's public entry point)", () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        if (request.url === '/moved') {
          response.writeHead(302, { location: '/elsewhere' });
          response.end('gone');
          return;
        }
        response.writeHead(200, { 'content-type': 'text/plain', 'x-answer': 'yes' });
        response.end(`${request.method} ${request.url}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('sends the method, path with query, headers and body as given, and reads the answer', async () => {
    seen.length = 0;
    const result = await httpRequest({
      url: `${base}/coauthoring/CommandService.ashx?a=1&b=%20`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"c":"version"}',
      signal: new AbortController().signal,
      timeoutMs: 2000,
      maxBodyBytes: 1024,
    });
    expect(result).toMatchObject({ ok: true, status: 200, body: 'POST /coauthoring/CommandService.ashx?a=1&b=%20' });
    expect(result.ok && result.headers['x-answer']).toBe('yes');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/coauthoring/CommandService.ashx?a=1&b=%20',
      body: '{"c":"version"}',
    });
    expect(seen[0]!.headers).toMatchObject({
      'user-agent': 'onlyoffice-exporter',
      'content-type': 'application/json',
      authorization: 'Bearer t',
    });
  });

  test('a redirect is an answer, not followed', async () => {
    seen.length = 0;
    const result = await httpRequest({
      url: `${base}/moved`,
      signal: new AbortController().signal,
      timeoutMs: 2000,
      maxBodyBytes: 1024,
    });
    expect(result).toMatchObject({ ok: true, status: 302, body: 'gone' });
    expect(result.ok && result.headers.location).toBe('/elsewhere');
    expect(seen.map((request) => request.url)).toEqual(['/moved']);
  });

  test('reaches undici only through its public entry point: its lib/ files are private and any release may move them', () => {
    // A fresh process: jest's own environment may have loaded undici already.
    const script = `
      import { createServer } from 'node:http';
      import { createRequire } from 'node:module';
      const { httpRequest } = await import('./src/lib/http.ts');
      const server = createServer((_q, r) => r.end('ok')).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const result = await httpRequest({ url: 'http://127.0.0.1:' + server.address().port + '/', signal: new AbortController().signal, timeoutMs: 2000, maxBodyBytes: 100 });
      server.close();
      const undiciFiles = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('/node_modules/undici/'));
      console.log(JSON.stringify({ body: result.ok ? result.body : result.message, index: undiciFiles.filter((file) => file.endsWith('/undici/index.js')).length }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ body: 'ok', index: 1 });
    const privateImports = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => /['"]undici\//.test(readFileSync(join(ROOT, 'src', file), 'utf8')));
    expect(privateImports).toEqual([]);
  });
});
