import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { signJwt } from '../../src/lib/jwt.js';
import { openWebSocket, type WebSocketConnection } from '../../src/lib/websocket-client.js';
import { exchange, parseCapture, serverFrame } from '../support/ds-websocket.js';
import {
  GARBAGE_BODY,
  OVERSIZED_BYTES,
  fixture,
  indexFromInfo,
  startDsSimulator,
  type DsSimulator,
  type DsVersion,
} from '../support/ds-simulator.js';
import { waitFor } from '../support/service-process.js';

// ---------------------------------------------------------------------------------------------------------------
// helpers

interface Reply {
  status: number;
  statusMessage: string;
  rawHeaders: [string, string][];
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | object;
  timeoutMs?: number;
}

/** One request on a fresh socket (keep-alive requested, as curl and undici do), closed after the answer. */
function call(base: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: {
          Connection: 'keep-alive',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage!,
            rawHeaders: pairs,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
          res.socket?.destroy();
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
  throw new Error('expected the request to fail');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const real = (name: string) => fixture(`real-docservice/${name}`);
const sample = (name: string) => fixture(`samples/${name}`);
const text = (b: Buffer) => b.toString('utf8');
const COMMAND = '/coauthoring/CommandService.ashx';
const CONVERT = '/ConvertService.ashx';
const JSON_ACCEPT = { Accept: 'application/json' };
const SECRET = 'realds-jwt-secret';

/** Captured response headers by body file name (real-docservice/_response_headers.txt). */
function capturedHeaders(): Map<string, { statusLine: string; headers: [string, string][] }> {
  const sections = new Map<string, { statusLine: string; headers: [string, string][] }>();
  for (const block of text(real('_response_headers.txt')).split(/^### /m).slice(1)) {
    const [name, statusLine, ...lines] = block.split('\n');
    if (!statusLine?.startsWith('HTTP/1.1')) continue;
    const headers = lines
      .filter((l) => l.includes(': '))
      .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)] as [string, string]);
    sections.set(name!.trim(), { statusLine, headers });
  }
  return sections;
}

/** The reply's status line and headers, the Date value taken from `expected` (it is the capture's clock). */
function headersLike(reply: Reply, expected: [string, string][]): { statusLine: string; headers: [string, string][] } {
  const date = expected.find(([n]) => n === 'Date')?.[1];
  return {
    statusLine: `HTTP/1.1 ${reply.status} ${reply.statusMessage}`,
    headers: reply.rawHeaders.map(([n, v]) => [n, n === 'Date' && date !== undefined ? date : v]),
  };
}

// A source-file server for ConvertService (what FileConverter downloads).
const SOURCE_BYTES = Buffer.from('PK\u0003\u0004 not really a docx');
let sources: Server;
let sourceBase: string;
const sourceHits: string[] = [];
beforeAll(async () => {
  sources = createServer((req, res) => {
    sourceHits.push(req.url ?? '');
    if (req.url === '/source.docx') res.end(SOURCE_BYTES);
    else {
      res.statusCode = 404;
      res.end('no');
    }
  });
  await new Promise<void>((resolve) => sources.listen(0, '127.0.0.1', resolve));
  const address = sources.address();
  sourceBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => sources.close(resolve));
});

// One simulator per (version, jwt) for the whole file; tests that change state restore it.
const sims = new Map<string, DsSimulator>();
async function sim(version: DsVersion, jwt = false): Promise<DsSimulator> {
  const id = `${version}/${jwt}`;
  let s = sims.get(id);
  if (!s) {
    s = await startDsSimulator({ version, ...(jwt ? { jwtSecret: SECRET } : {}) });
    sims.set(id, s);
  }
  s.setFault('none');
  s.setConverter('working');
  return s;
}
afterAll(async () => {
  await Promise.all([...sims.values()].map((s) => s.stop()));
});

let keySeq = 0;
const freshKey = () => `k${Date.now().toString(36)}${(keySeq++).toString(36)}`;

// ---------------------------------------------------------------------------------------------------------------

describe('fixtures', () => {
  const root = new URL('../fixtures/docservice/', import.meta.url);
  const files = ['real-docservice', 'samples']
    .flatMap((dir) => readdirSync(new URL(`${dir}/`, root)).map((f) => `${dir}/${f}`))
    .sort();
  const sums = new Map(
    text(readFileSync(new URL('SHA256SUMS', root)))
      .trim()
      .split('\n')
      .map((l) => [l.slice(66), l.slice(0, 64)] as const),
  );

  test('every fixture file is listed in SHA256SUMS with its hash', () => {
    expect([...sums.keys()].sort()).toEqual(files);
    for (const file of files)
      expect([file, createHash('sha256').update(fixture(file)).digest('hex')]).toEqual([file, sums.get(file)]);
  });

  test('every fixture file is byte-identical to its source in the shared reference, when it is there', () => {
    const reference = new URL('../../../shared/reference/', import.meta.url);
    if (!existsSync(reference)) {
      // CI has no reference tree; SHA256SUMS (checked above) was generated from it.
      console.warn(`shared reference not found at ${reference.pathname}: fixtures checked against SHA256SUMS only`);
      return;
    }
    for (const file of files) {
      const source = readFileSync(new URL(file, reference));
      expect([file, fixture(file).equals(source)]).toEqual([file, true]);
      expect([file, createHash('sha256').update(source).digest('hex')]).toEqual([file, sums.get(file)]);
    }
  });
});

describe('bodies per version equal the fixtures', () => {
  const bodies: Record<DsVersion, Record<string, Buffer>> = {
    '7.1': {
      healthcheck: real('nojwt_healthcheck.txt'),
      index: real('nojwt_index.html.txt'),
      info: real('nojwt_info_info.json'),
      version: real('nojwt_command_version.json'),
      license: real('nojwt_command_license.json'),
      forgotten: real('nojwt_command_getForgottenList.json'),
    },
    '7.5': {
      healthcheck: real('v75_nojwt_healthcheck.txt'),
      index: real('v75_nojwt_index.html.txt'),
      info: real('v75_nojwt_info_info.json'),
      version: real('v75_nojwt_command_version.json'),
      license: real('v75_nojwt_command_license.json'),
      forgotten: real('v75_nojwt_command_getForgottenList.json'),
    },
    '8.3': {
      healthcheck: sample('healthcheck-ok.txt'),
      index: sample('index-html-8.3plus.txt'),
      info: sample('info-8.x.json'),
      version: Buffer.from('{"error":0,"version":"8.3.3.23"}'),
      license: sample('command-license-ee-docs-shape.json'),
      forgotten: real('v75_nojwt_command_getForgottenList.json'),
    },
    '9.3': {
      healthcheck: sample('healthcheck-ok.txt'),
      index: Buffer.from(
        'Server is functioning normally. Version: 9.3.1. Build: 11. Release date: 2026-02-10T00:00:00.000Z. Package type: 0. Customer Id: . Multitenancy: false. Alias: ',
      ),
      info: sample('info-9.1plus.json'),
      version: sample('command-version-9.x.json'),
      license: sample('command-license-9.x.json'),
      forgotten: real('v75_nojwt_command_getForgottenList.json'),
    },
  };

  test.each(['7.1', '7.5', '8.3', '9.3'] as const)('%s', async (version) => {
    const ds = await sim(version);
    const expected = bodies[version];
    const got = {
      healthcheck: (await call(ds.url, '/healthcheck')).body,
      index: (await call(ds.url, '/index.html')).body,
      info: (await call(ds.url, '/info/info.json')).body,
      version: (await call(ds.url, COMMAND, { body: { c: 'version' } })).body,
      license: (await call(ds.url, COMMAND, { body: { c: 'license' } })).body,
      forgotten: (await call(ds.url, COMMAND, { body: { c: 'getForgottenList' } })).body,
    };
    expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, text(v)]))).toEqual(
      Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, text(v)])),
    );
  });

  test('the 9.3 index.html derivation reproduces the 8.3 sample from the 8.3 info.json', () => {
    expect(text(indexFromInfo(sample('index-html-8.3plus.txt'), sample('info-8.x.json')))).toBe(
      text(sample('index-html-8.3plus.txt')),
    );
  });

  test('status lines and headers equal the 7.1 and 7.5 captures (Date aside)', async () => {
    const captured = capturedHeaders();
    const cases: [DsVersion, string, string, CallOptions][] = [
      ['7.1', 'nojwt_healthcheck.txt', '/healthcheck', {}],
      ['7.1', 'jwt_healthcheck_HEAD.txt', '/healthcheck', { method: 'HEAD' }],
      ['7.1', 'nojwt_index.html.txt', '/index.html', {}],
      ['7.1', 'nojwt_info_info.json', '/info/info.json', {}],
      ['7.1', 'nojwt_command_version.json', COMMAND, { body: { c: 'version' } }],
      ['7.1', 'nojwt_command_license.json', COMMAND, { body: { c: 'license' } }],
      ['7.1', 'nojwt_command_getForgottenList.json', COMMAND, { body: { c: 'getForgottenList' } }],
      ['7.1', 'nojwt_command_unknown_with_key.json', COMMAND, { body: { c: 'nosuchcommand', key: 'abc' } }],
      ['7.1', 'nojwt_command_info_nokey_doc.json', COMMAND, { body: { c: 'info', key: 'nonexistent123' } }],
      ['7.1', 'nojwt_command_get_version_query.json', `${COMMAND}?c=version`, {}],
      ['7.1', 'nojwt_command_badjson.txt', COMMAND, { body: '{not json' }],
      [
        '7.1',
        'nojwt_convert_async_xml.xml',
        CONVERT,
        {
          body: { async: true, key: freshKey(), filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` },
        },
      ],
      [
        '7.1',
        'nojwt_convert_async_json.json',
        CONVERT,
        {
          headers: JSON_ACCEPT,
          body: { async: true, key: freshKey(), filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` },
        },
      ],
      [
        '7.1',
        'nojwt_convert_badparams.json',
        CONVERT,
        { headers: JSON_ACCEPT, body: { async: true, key: freshKey(), outputtype: 'nosuchformat' } },
      ],
      ['7.1', 'jwt_robots.txt', '/robots.txt', {}],
      ['7.1', 'jwt_unknown_path_404.html', '/no/such/path', {}],
      ['7.5', 'v75_nojwt_healthcheck.txt', '/healthcheck', {}],
      ['7.5', 'v75_nojwt_index.html.txt', '/index.html', {}],
      ['7.5', 'v75_nojwt_info_info.json', '/info/info.json', {}],
      ['7.5', 'v75_nojwt_command_version.json', COMMAND, { body: { c: 'version' } }],
      ['7.5', 'v75_nojwt_command_license.json', COMMAND, { body: { c: 'license' } }],
      ['7.5', 'v75_nojwt_command_getForgottenList.json', COMMAND, { body: { c: 'getForgottenList' } }],
      ['7.5', 'v75_nojwt_command_unknown_with_key.json', COMMAND, { body: { c: 'nosuchcommand', key: 'abc' } }],
      ['7.5', 'v75_nojwt_command_info_nonexistent.json', COMMAND, { body: { c: 'info', key: 'nonexistent123' } }],
      ['7.5', 'v75_nojwt_command_badjson.txt', COMMAND, { body: '{not json' }],
      [
        '7.5',
        'v75_nojwt_convert_async.xml',
        CONVERT,
        {
          body: { async: true, key: freshKey(), filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` },
        },
      ],
      [
        '7.5',
        'v75_nojwt_convert_async.json',
        CONVERT,
        {
          headers: JSON_ACCEPT,
          body: { async: true, key: freshKey(), filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` },
        },
      ],
    ];
    for (const [version, file, path, options] of cases) {
      const ds = await sim(version);
      const reply = await call(ds.url, path, options);
      const expected = captured.get(file);
      expect([file, headersLike(reply, expected?.headers ?? [])]).toEqual([file, expected]);
      if (options.method === 'HEAD') expect(reply.body.length).toBe(0);
      else expect([file, text(reply.body)]).toEqual([file, text(real(file))]);
    }
  });

  test('/baseurl is the request host (captured http://127.0.0.1:8000 for 127.0.0.1:8000); /info/ alone and 7.x /command, /converter are Express 404s', async () => {
    const ds = await sim('7.1');
    expect(text((await call(ds.url, '/baseurl')).body)).toBe(
      text(real('jwt_baseurl.txt')).replace(':8000', `:${ds.port}`),
    );
    const notFound = (method: string, path: string) =>
      text(real('jwt_unknown_path_404.html')).replace('Cannot GET /no/such/path', `Cannot ${method} ${path}`);
    const info = await call(ds.url, '/info/');
    expect([info.status, text(info.body)]).toEqual([404, notFound('GET', '/info/')]);
    for (const path of ['/command', '/converter']) {
      const reply = await call(ds.url, path, { body: { c: 'version' } });
      expect([reply.status, text(reply.body)]).toEqual([404, notFound('POST', path)]);
    }
    const ds75 = await sim('7.5');
    expect((await call(ds75.url, '/command', { body: { c: 'version' } })).status).toBe(404);
  });

  test('8.3 and 9.3 answer POST /command and POST /converter too', async () => {
    for (const version of ['8.3', '9.3'] as const) {
      const ds = await sim(version);
      const reply = await call(ds.url, '/command', { body: { c: 'version' } });
      expect([reply.status, reply.headers['content-type'], text(reply.body)]).toEqual([
        200,
        'application/json',
        text(version === '9.3' ? sample('command-version-9.x.json') : Buffer.from('{"error":0,"version":"8.3.3.23"}')),
      ]);
      // /converter answers JSON without an Accept header.
      const convert = await call(ds.url, '/converter', {
        body: { async: true, key: freshKey(), filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` },
      });
      expect([convert.headers['content-type'], text(convert.body)]).toEqual([
        'application/json; charset=UTF-8',
        text(sample('convert-pending.json')),
      ]);
      const xml = await call(ds.url, CONVERT, {
        body: { async: true, key: freshKey(), filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` },
      });
      expect([xml.headers['content-type'], text(xml.body)]).toEqual([
        'text/xml; charset=UTF-8',
        text(sample('convert-pending.xml')),
      ]);
    }
  });

  test('works on ::1', async () => {
    const ds = await startDsSimulator({ version: '9.3', host: '::1' });
    try {
      expect(ds.url).toBe(`http://[::1]:${ds.port}`);
      expect(text((await call(ds.url, '/healthcheck')).body)).toBe('true');
    } finally {
      await ds.stop();
    }
  });
});

describe('CommandService', () => {
  test('7.1: getForgottenList is not implemented (error 1 without key, 5 with one); info on an unknown key is error 1', async () => {
    const ds = await sim('7.1');
    expect(text((await call(ds.url, COMMAND, { body: { c: 'getForgottenList' } })).body)).toBe(
      text(real('nojwt_command_getForgottenList.json')),
    );
    expect(text((await call(ds.url, COMMAND, { body: { c: 'getForgottenList', key: 'abc' } })).body)).toBe(
      text(real('nojwt_command_unknown_with_key.json')),
    );
    expect(text((await call(ds.url, COMMAND, { body: { c: 'info', key: 'nonexistent123' } })).body)).toBe(
      text(real('nojwt_command_info_nokey_doc.json')),
    );
    expect(text((await call(ds.url, COMMAND, { body: { c: 'info' } })).body)).toBe('{"error":1}');
    expect(text((await call(ds.url, COMMAND, { body: { c: 'version', key: 'abc' } })).body)).toBe(
      '{"key":"abc","error":0,"version":"7.1.1.76"}',
    );
  });

  test('7.5+: getForgottenList lists setForgottenFiles, getForgotten gives a URL the simulator serves', async () => {
    const ds = await sim('7.5');
    ds.setForgottenFiles(['realds-forgotten-key-1', 'realds-forgotten-key-2']);
    try {
      expect(text((await call(ds.url, COMMAND, { body: { c: 'getForgottenList' } })).body)).toBe(
        text(real('v75_nojwt_command_getForgottenList_2files.json')),
      );
      const one = JSON.parse(
        text((await call(ds.url, COMMAND, { body: { c: 'getForgotten', key: 'realds-forgotten-key-1' } })).body),
      ) as { url: string };
      const captured = JSON.parse(text(real('v75_nojwt_command_getForgotten_key1.json'))) as { url: string };
      const shape = (u: string) =>
        u
          .replace(/^http:\/\/[^/]+/, 'BASE')
          .replace(/md5=[\w-]{22}/, 'md5=M')
          .replace(/expires=\d+/, 'expires=E');
      expect({ ...one, url: shape(one.url) }).toEqual({ ...captured, url: shape(captured.url) });
      expect(Object.keys(one)).toEqual(Object.keys(captured));
      expect(Number(/expires=(\d+)/.exec(one.url)![1]) - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(899);
      expect((await call(one.url, '')).status).toBe(200);
    } finally {
      ds.setForgottenFiles([]);
    }
    expect(text((await call(ds.url, COMMAND, { body: { c: 'getForgottenList' } })).body)).toBe(
      text(real('v75_nojwt_command_getForgottenList.json')),
    );
  });

  test('setInfo and setLicense override the bodies, undefined restores the fixtures', async () => {
    const ds = await sim('9.3');
    ds.setInfo({ b: 1, a: 2 });
    ds.setLicense('{"error":0,"license":{}}');
    try {
      expect(text((await call(ds.url, '/info/info.json')).body)).toBe('{"b":1,"a":2}');
      expect(text((await call(ds.url, COMMAND, { body: { c: 'license' } })).body)).toBe('{"error":0,"license":{}}');
    } finally {
      ds.setInfo(undefined);
      ds.setLicense(undefined);
    }
    expect(text((await call(ds.url, '/info/info.json')).body)).toBe(text(sample('info-9.1plus.json')));
    expect(text((await call(ds.url, COMMAND, { body: { c: 'license' } })).body)).toBe(
      text(sample('command-license-9.x.json')),
    );
  });
});

describe('JWT', () => {
  const now = Date.now();
  test('7.1: missing, bad secret, expired and accepted tokens as captured', async () => {
    const ds = await sim('7.1', true);
    const cmd = async (options: CallOptions) => text((await call(ds.url, COMMAND, options)).body);
    expect(await cmd({ body: { c: 'version' } })).toBe(text(real('jwt_command_version_notoken.json')));
    expect(await cmd({ body: { c: 'license' } })).toBe(text(real('jwt_command_version_notoken.json')));
    expect(await cmd({})).toBe(text(real('jwt_command_GET_no_body.json')));
    expect(await cmd({ body: { token: signJwt({ c: 'version' }, SECRET) } })).toBe(
      text(real('jwt_command_version_bodytoken.json')),
    );
    expect(
      await cmd({ headers: { Authorization: `Bearer ${signJwt({ payload: { c: 'version' } }, SECRET)}` }, body: {} }),
    ).toBe(text(real('jwt_command_version_headertoken.json')));
    expect(await cmd({ body: { token: signJwt({ c: 'version' }, 'wrong-secret') } })).toBe(
      text(real('jwt_command_version_notoken.json')),
    );
    expect(await cmd({ body: { token: 'not.a.jwt' } })).toBe(text(real('jwt_command_version_notoken.json')));
    // The decoded token replaces the body: a body `c` beside a token is ignored.
    expect(await cmd({ body: { c: 'license', token: signJwt({ c: 'version' }, SECRET) } })).toBe(
      text(real('jwt_command_version_bodytoken.json')),
    );
    // Header without the "Bearer " prefix is no token.
    expect(await cmd({ headers: { Authorization: signJwt({ payload: { c: 'version' } }, SECRET) }, body: {} })).toBe(
      text(real('jwt_command_version_notoken.json')),
    );
    // Expired 5 min ago: beyond the 60 s clock tolerance. Expired 30 s ago: within it.
    expect(await cmd({ body: { token: signJwt({ c: 'version' }, SECRET, 300, now - 600_000) } })).toBe(
      text(real('jwt_command_version_expiredtoken.json')),
    );
    expect(await cmd({ body: { token: signJwt({ c: 'version' }, SECRET, 300, now - 330_000) } })).toBe(
      text(real('jwt_command_version_bodytoken.json')),
    );
    expect(await cmd({ body: { token: signJwt({ c: 'license' }, SECRET) } })).toBe(
      text(real('jwt_command_license_bodytoken.json')),
    );
    expect(await cmd({ body: { token: signJwt({ c: 'getForgottenList' }, SECRET) } })).toBe(
      text(real('jwt_command_getForgottenList_bodytoken.json')),
    );
    // healthcheck, index.html and info.json need no token.
    expect(text((await call(ds.url, '/healthcheck')).body)).toBe('true');
    expect(text((await call(ds.url, '/index.html')).body)).toBe(text(real('jwt_index.html.txt')));
    expect(text((await call(ds.url, '/info/info.json')).body)).toBe(text(real('jwt_info_info.json')));
  });

  test('7.5: body and header tokens, as captured', async () => {
    const ds = await sim('7.5', true);
    ds.setForgottenFiles(['realds-forgotten-key-1', 'realds-forgotten-key-2']);
    const cmd = async (options: CallOptions) => text((await call(ds.url, COMMAND, options)).body);
    try {
      expect(await cmd({ body: { c: 'getForgottenList' } })).toBe(
        text(real('v75_jwt_command_getForgottenList_notoken.json')),
      );
      expect(await cmd({ body: { token: signJwt({ c: 'getForgottenList' }, SECRET) } })).toBe(
        text(real('v75_jwt_command_getForgottenList_bodytoken.json')),
      );
      expect(
        await cmd({
          headers: { Authorization: `Bearer ${signJwt({ payload: { c: 'getForgottenList' } }, SECRET)}` },
          body: {},
        }),
      ).toBe(text(real('v75_jwt_command_getForgottenList_headertoken.json')));
      expect(await cmd({ body: { token: signJwt({ c: 'license' }, SECRET) } })).toBe(
        text(real('v75_jwt_command_license_bodytoken.json')),
      );
      expect(await cmd({ body: { token: signJwt({ c: 'version' }, 'bad') } })).toBe(
        text(real('v75_jwt_command_version_badsecret.json')),
      );
    } finally {
      ds.setForgottenFiles([]);
    }
  });

  test('a custom header name is honoured and Authorization is then ignored', async () => {
    const ds = await startDsSimulator({ version: '8.3', jwtSecret: SECRET, jwtHeader: 'AuthorizationJwt' });
    try {
      const token = `Bearer ${signJwt({ payload: { c: 'version' } }, SECRET)}`;
      expect(text((await call(ds.url, '/command', { headers: { AuthorizationJwt: token }, body: {} })).body)).toBe(
        '{"error":0,"version":"8.3.3.23"}',
      );
      expect(text((await call(ds.url, '/command', { headers: { Authorization: token }, body: {} })).body)).toBe(
        '{"error":6}',
      );
    } finally {
      await ds.stop();
    }
  });

  test('ConvertService: no token -8 (JSON and XML), a body token converts, expired is -21 on 7.1 and -8 on 9.3', async () => {
    const ds = await sim('7.1', true);
    const params = () => ({
      async: true,
      key: freshKey(),
      filetype: 'docx',
      outputtype: 'pdf',
      url: `${sourceBase}/source.docx`,
    });
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params() })).body)).toBe(
      text(real('jwt_convert_async_notoken.json')),
    );
    expect(text((await call(ds.url, CONVERT, { body: params() })).body)).toBe(
      text(real('jwt_convert_async_notoken.xml')),
    );
    expect(
      text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: { token: signJwt(params(), SECRET) } })).body),
    ).toBe(text(real('jwt_convert_async_bodytoken.json')));
    const expired = { token: signJwt(params(), SECRET, 300, now - 600_000) };
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: expired })).body)).toBe('{"error":-21}');
    const ds93 = await sim('9.3', true);
    expect(text((await call(ds93.url, '/converter', { body: expired })).body)).toBe(
      text(sample('convert-error-token.json')),
    );
  });
});

describe('faults', () => {
  const command = async (ds: DsSimulator, body: object) => text((await call(ds.url, COMMAND, { body })).body);
  const convertAsync = async (ds: DsSimulator) =>
    text(
      (
        await call(ds.url, CONVERT, {
          headers: JSON_ACCEPT,
          body: { async: true, key: freshKey(), filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` },
        })
      ).body,
    );

  test('rabbitmq_down: healthcheck false; index, version fine; conversions pend until the broker is back', async () => {
    for (const version of ['7.1', '7.5'] as const) {
      const ds = await sim(version);
      ds.setFault('rabbitmq_down');
      const prefix = version === '7.5' ? 'v75_' : '';
      expect(text((await call(ds.url, '/healthcheck')).body)).toBe(
        text(real(`${prefix}fault1_rabbitmq_down_healthcheck.txt`)),
      );
      expect(await command(ds, { c: 'version' })).toBe(
        text(real(`${prefix}fault1_rabbitmq_down_command_version.json`)),
      );
      expect(text((await call(ds.url, '/index.html')).body)).toBe(
        text(real(version === '7.5' ? 'v75_nojwt_index.html.txt' : 'fault1_rabbitmq_down_index.html.txt')),
      );
    }
    const ds = await sim('7.1');
    ds.setFault('rabbitmq_down');
    const key = freshKey();
    const body = { async: true, key, filetype: 'docx', outputtype: 'pdf', url: `${sourceBase}/source.docx` };
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body })).body)).toBe(
      text(real('fault1_rabbitmq_down_convert_async.json')),
    );
    await sleep(1_300);
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body })).body)).toBe(
      text(real('fault1_rabbitmq_down_convert_async.json')),
    );
    ds.setFault('none');
    await sleep(1_300);
    expect(JSON.parse(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body })).body))).toMatchObject({
      endConvert: true,
      percent: 100,
    });
  });

  test.each(['rabbitmq_frozen', 'postgres_frozen'] as const)(
    '%s: healthcheck hangs until thawed, then answers true; index fine',
    async (fault) => {
      const ds = await sim('7.1');
      ds.setFault(fault);
      expect(await failure(call(ds.url, '/healthcheck', { timeoutMs: 400 }))).toBe('CLIENT_TIMEOUT');
      expect(text((await call(ds.url, '/index.html')).body)).toBe(text(real('fault5_rabbitmq_frozen_index.html.txt')));
      const arrived = ds.requests.length;
      const pending = call(ds.url, '/healthcheck', { timeoutMs: 30_000 });
      // Thawed only once the request is in: one that came later would not have hung at all.
      await waitFor('the healthcheck request to arrive', 20_000, () =>
        ds.requests.slice(arrived).some((r) => r.path === '/healthcheck') ? true : undefined,
      );
      ds.setFault('none');
      expect(text((await pending).body)).toBe(
        text(
          real(
            fault === 'rabbitmq_frozen'
              ? 'fault5_rabbitmq_thawed_healthcheck.txt'
              : 'fault6_postgres_thawed_healthcheck.txt',
          ),
        ),
      );
    },
  );

  test('postgres_down: healthcheck false, version/info.json fine, info command error 3, convert -1', async () => {
    const ds = await sim('7.1');
    ds.setFault('postgres_down');
    expect(text((await call(ds.url, '/healthcheck')).body)).toBe(
      text(real('fault3b_postgres_down_noidle_healthcheck.txt')),
    );
    expect(text((await call(ds.url, '/index.html')).body)).toBe(
      text(real('fault3b_postgres_down_noidle_index.html.txt')),
    );
    expect(await command(ds, { c: 'version' })).toBe(text(real('fault3b_postgres_down_noidle_command_version.json')));
    expect(await command(ds, { c: 'license' })).toBe(text(real('nojwt_command_license.json')));
    expect(await command(ds, { c: 'info', key: 'abc' })).toBe(
      text(real('fault3b_postgres_down_noidle_command_info.json')),
    );
    expect(text((await call(ds.url, '/info/info.json')).body)).toBe(
      text(real('fault3b_postgres_down_noidle_info_info.json')),
    );
    expect(await convertAsync(ds)).toBe(text(real('fault3b_postgres_down_noidle_convert_async.json')));
    const ds75 = await sim('7.5');
    ds75.setFault('postgres_down');
    expect(text((await call(ds75.url, '/healthcheck')).body)).toBe(
      text(real('v75_fault3b_postgres_down_noidle_healthcheck.txt')),
    );
    expect(await command(ds75, { c: 'version' })).toBe(
      text(real('v75_fault3b_postgres_down_noidle_command_version.json')),
    );
    expect(await convertAsync(ds75)).toBe(text(real('v75_fault3b_postgres_down_noidle_convert_async.json')));
  });

  test('postgres_down_crash: every request refused until start(), which brings it back healthy on the same port', async () => {
    const ds = await startDsSimulator({ version: '7.1' });
    try {
      ds.setConverter('hang');
      ds.setFault('rabbitmq_frozen');
      const hanging = call(ds.url, CONVERT, { body: {}, timeoutMs: 30_000 });
      const frozen = call(ds.url, '/healthcheck', { timeoutMs: 30_000 });
      // Both requests in (and hanging) before the crash: one that came later would be refused, not reset.
      await waitFor('both requests to arrive', 20_000, () => (ds.requests.length === 2 ? true : undefined));
      ds.setFault('postgres_down_crash');
      expect(await failure(frozen)).toBe('ECONNRESET');
      expect(await failure(hanging)).toBe('ECONNRESET');
      for (const path of ['/healthcheck', '/index.html', COMMAND, CONVERT])
        expect(await failure(call(ds.url, path))).toBe('ECONNREFUSED');
      await ds.start();
      expect(ds.fault).toBe('none');
      expect(text((await call(ds.url, '/healthcheck')).body)).toBe(
        text(real('fault3_postgres_restarted_ds_restarted_healthcheck.txt')),
      );
    } finally {
      await ds.stop();
    }
  });

  test('redis_down: everything as healthy', async () => {
    const ds = await sim('7.1');
    ds.setFault('redis_down');
    expect(text((await call(ds.url, '/healthcheck')).body)).toBe(text(real('fault2_redis_down_healthcheck.txt')));
    expect(text((await call(ds.url, '/info/info.json')).body)).toBe(text(real('fault2_redis_down_info_info.json')));
    expect(await command(ds, { c: 'license' })).toBe(text(real('fault2_redis_down_command_license.json')));
  });

  test('info_forbidden: /info/* is 403 "Forbidden" (Express sendStatus), the rest unaffected', async () => {
    const ds = await sim('7.5');
    ds.setFault('info_forbidden');
    const info = await call(ds.url, '/info/info.json');
    expect([info.status, info.headers['content-type'], text(info.body)]).toEqual([
      403,
      'text/plain; charset=utf-8',
      'Forbidden',
    ]);
    expect(text((await call(ds.url, '/healthcheck')).body)).toBe('true');
    expect(await command(ds, { c: 'license' })).toBe(text(real('v75_nojwt_command_license.json')));
  });

  test('garbage: every endpoint answers 200 with bytes DS never sends', async () => {
    const ds = await sim('7.5');
    ds.setFault('garbage');
    for (const path of ['/healthcheck', '/index.html', '/info/info.json', COMMAND, CONVERT, '/no/such/path']) {
      const reply = await call(ds.url, path, path === COMMAND || path === CONVERT ? { body: { c: 'version' } } : {});
      expect([path, reply.status, reply.body.equals(GARBAGE_BODY)]).toEqual([path, 200, true]);
    }
    expect(() => JSON.parse(text(GARBAGE_BODY))).toThrow();
  });

  test('oversized: every endpoint answers 200 with a 16 MiB body', async () => {
    const ds = await sim('7.5');
    ds.setFault('oversized');
    for (const path of ['/healthcheck', '/info/info.json']) {
      const reply = await call(ds.url, path);
      expect([path, reply.status, reply.body.length]).toEqual([path, 200, OVERSIZED_BYTES]);
    }
    const head = await call(ds.url, '/healthcheck', { method: 'HEAD' });
    expect([head.headers['content-length'], head.body.length]).toEqual([String(OVERSIZED_BYTES), 0]);
  });

  test('stop() refuses connections and cuts hanging requests; start() listens again on the same port', async () => {
    const ds = await startDsSimulator({ version: '7.5' });
    try {
      const port = ds.port;
      ds.setFault('postgres_frozen');
      const hanging = call(ds.url, '/healthcheck');
      await sleep(200);
      await ds.stop();
      expect(await failure(hanging)).toBe('ECONNRESET');
      expect(await failure(call(ds.url, '/index.html'))).toBe('ECONNREFUSED');
      await ds.start();
      expect(ds.port).toBe(port);
      ds.setFault('none');
      expect(text((await call(ds.url, '/index.html')).body)).toBe(text(real('v75_nojwt_index.html.txt')));
      expect(ds.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /healthcheck', 'GET /index.html']);
    } finally {
      await ds.stop();
    }
  });

  test('requests are recorded with method, path, headers and body', async () => {
    const ds = await sim('9.3');
    const before = ds.requests.length;
    await call(ds.url, '/command?x=1', { headers: { 'X-Test': 'yes' }, body: { c: 'version' } });
    const recorded = ds.requests.slice(before);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ method: 'POST', path: '/command?x=1', body: '{"c":"version"}' });
    expect(recorded[0]!.headers['x-test']).toBe('yes');
  });
});

describe('ConvertService modes', () => {
  const doneShape = (body: string, url: string, key: string) => {
    const done = JSON.parse(body) as Record<string, unknown>;
    const sampleDone = JSON.parse(text(sample('convert-done.json'))) as Record<string, unknown>;
    expect(Object.keys(done)).toEqual(Object.keys(sampleDone));
    expect(done).toMatchObject({ fileType: 'pdf', percent: 100, endConvert: true });
    const fileUrl = String(done.fileUrl);
    expect(fileUrl).toMatch(
      new RegExp(
        `^${url.replace(/[.[\]]/g, '\\$&')}/cache/files/conv_${key}_pdf/output\\.pdf/probe\\.pdf\\?md5=[\\w-]{22}&expires=\\d+&filename=probe\\.pdf$`,
      ),
    );
    return fileUrl;
  };
  const params = (key: string, extra: object = {}) => ({
    async: true,
    key,
    filetype: 'docx',
    outputtype: 'pdf',
    title: 'probe.docx',
    url: `${sourceBase}/source.docx`,
    ...extra,
  });

  test('working, async: pending, then after >= 1 s the done shape with a fileUrl the simulator serves; the same key stays cached', async () => {
    const ds = await sim('7.5');
    const key = freshKey();
    const first = await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) });
    expect(text(first.body)).toBe(text(real('v75_nojwt_convert_async.json')));
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body)).toBe(
      text(real('v75_nojwt_convert_async.json')),
    );
    await sleep(1_300);
    const fileUrl = doneShape(
      text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body),
      ds.url,
      key,
    );
    const file = await call(fileUrl, '');
    expect([file.status, file.body.equals(SOURCE_BYTES)]).toEqual([200, true]);
    expect((await call(fileUrl.replace(/md5=[\w-]+/, 'md5=AAAAAAAAAAAAAAAAAAAAAA'), '')).status).toBe(403);
    // XML form of the same result: samples/convert-done.xml with this URL.
    const xml = text((await call(ds.url, CONVERT, { body: params(key) })).body);
    const sampleUrl = /<FileUrl>(.*)<\/FileUrl>/.exec(text(sample('convert-done.xml')))![1]!;
    expect(xml).toBe(text(sample('convert-done.xml')).replace(sampleUrl, fileUrl.replace(/&/g, '&amp;')));
    // task_result caches the outcome: a converter change does not alter it.
    ds.setConverter('no_x2t');
    expect(
      JSON.parse(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body)),
    ).toMatchObject({ fileUrl });
  });

  test('working, sync: one request answers done after about a second', async () => {
    const ds = await sim('9.3');
    const key = freshKey();
    const reply = await call(ds.url, '/converter', { body: params(key, { async: false }) });
    doneShape(text(reply.body), ds.url, key);
  });

  test('a source URL that is 404 or refused gives -4', async () => {
    const ds = await sim('7.1');
    for (const url of [`${sourceBase}/missing.docx`, 'http://127.0.0.1:1/source.docx']) {
      const key = freshKey();
      expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key, { url }) })).body)).toBe(
        text(real('fc_jwt_convert_async_404src_first.json')),
      );
      await sleep(1_300);
      expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key, { url }) })).body)).toBe(
        text(real('fc_jwt_convert_async_404src_poll.json')),
      );
    }
    // The simulator really fetched the source, as FileConverter does.
    expect(sourceHits).toContain('/missing.docx');
  });

  test('no_x2t: pending first, then -3 (JSON and XML); sync gives -3', async () => {
    const ds = await sim('7.1');
    ds.setConverter('no_x2t');
    const key = freshKey();
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body)).toBe(
      text(real('fc_jwt_convert_async_new_first.json')),
    );
    await sleep(1_300);
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body)).toBe(
      text(real('fc_jwt_convert_async_new_poll_after2s.json')),
    );
    expect(text((await call(ds.url, CONVERT, { body: params(key) })).body)).toBe(
      text(real('fc_jwt_convert_async_new_poll_after2s.xml')),
    );
    expect(
      text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(freshKey(), { async: false }) })).body),
    ).toBe(text(real('fc_jwt_convert_sync_new.json')));
  });

  test('stopped: async pends forever, sync hangs; a FileConverter coming back finishes both', async () => {
    const ds = await sim('7.1');
    ds.setConverter('stopped');
    const key = freshKey();
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body)).toBe(
      text(real('nofc_jwt_convert_async_realds-ttl-1.json')),
    );
    await sleep(1_300);
    expect(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body)).toBe(
      text(real('nofc_jwt_convert_async_realds-ttl-2.json')),
    );
    expect(
      await failure(
        call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(freshKey(), { async: false }), timeoutMs: 500 }),
      ),
    ).toBe('CLIENT_TIMEOUT');
    const syncKey = freshKey();
    const sync = call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(syncKey, { async: false }) });
    await sleep(200);
    ds.setConverter('working');
    doneShape(text((await sync).body), ds.url, syncKey);
    await sleep(1_300);
    doneShape(text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(key) })).body), ds.url, key);
  });

  test('hang: the request never answers', async () => {
    const ds = await sim('7.5');
    ds.setConverter('hang');
    expect(
      await failure(call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: params(freshKey()), timeoutMs: 500 })),
    ).toBe('CLIENT_TIMEOUT');
    ds.setConverter('working');
  });

  test('bad params: missing key, missing or unknown outputtype, malformed key give -7', async () => {
    const ds = await sim('7.1');
    for (const body of [
      params('', {}),
      { ...params(freshKey()), outputtype: undefined },
      params(freshKey(), { outputtype: 'exe' }),
      params('bad key/with slash'),
    ]) {
      const payload = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
      if (payload.key === '') delete payload.key;
      expect([payload, text((await call(ds.url, CONVERT, { headers: JSON_ACCEPT, body: payload })).body)]).toEqual([
        payload,
        text(real('nojwt_convert_badparams.json')),
      ]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The co-editing WebSocket: frames replayed from real-docservice/websocket_*.txt

describe('co-editing WebSocket', () => {
  const captures = {
    direct: parseCapture(text(real('websocket_v711_v751.txt'))),
    nginx: parseCapture(text(real('websocket_behind_nginx.txt'))),
    keyPath: parseCapture(text(real('websocket_key_path_v751_v940.txt'))),
  };
  const frame = (file: keyof typeof captures, title: string, n: number) =>
    serverFrame(exchange(captures[file], title), n);
  const sid = (f: string) => f.replace(/"sid":"[^"]*"/, '"sid":"SID"');
  const SOCKET_IO = '/doc/probe-key/c/?EIO=4&transport=websocket';

  async function open(ds: DsSimulator, path: string): Promise<WebSocketConnection> {
    const opened = await openWebSocket({ url: ds.url + path, timeoutMs: 10_000, maxPayloadBytes: 1024 * 1024 });
    if (!opened.upgraded) throw new Error(`not upgraded: ${opened.status} ${opened.message}`);
    return opened.connection;
  }

  test('7.1 SockJS: 101, `o`, then the license message without any auth, as captured', async () => {
    const ds = await sim('7.1');
    const before = ds.webSockets.length;
    const ws = await open(ds, '/doc/probe-key/c/000/abcdefgh/websocket');
    expect(await ws.next()).toBe('o');
    expect(await ws.next()).toBe(frame('direct', '7.1.1.76 (SockJS)', 1));
    ws.close();
    await ds.webSocketsClosed();
    expect(ds.webSockets.slice(before)).toEqual([
      { path: '/doc/probe-key/c/000/abcdefgh/websocket', received: [], closed: true, closeFrameReceived: true },
    ]);
  });

  test('7.5 socket.io, JWT on: no token, another secret, the browser secret, as captured', async () => {
    const ds = await sim('7.5', true);
    const openFrame = frame('keyPath', '7.5.1.35 JWT on: document key in the path, no token', 0);
    const none = await open(ds, SOCKET_IO);
    const first = await none.next();
    expect(sid(first)).toBe(sid(openFrame));
    expect(first).not.toBe(openFrame); // a fresh sid per connection
    none.send('40');
    expect(await none.next()).toBe(frame('keyPath', '7.5.1.35 JWT on: document key in the path, no token', 1));
    none.close();

    const wrong = await open(ds, SOCKET_IO);
    expect(sid(await wrong.next())).toBe(sid(openFrame));
    wrong.send(`40${JSON.stringify({ token: signJwt({ document: { key: 'probe-key' } }, 'another-secret') })}`);
    expect(await wrong.next()).toBe(
      frame('direct', '7.5.1.35 JWT on: connect with a token signed by another secret', 1),
    );
    wrong.close();

    const right = await open(ds, SOCKET_IO);
    expect(sid(await right.next())).toBe(sid(openFrame));
    right.send(`40${JSON.stringify({ token: signJwt({ document: { key: 'probe-key' } }, SECRET) })}`);
    expect(sid(await right.next())).toBe(
      sid(frame('keyPath', '7.5.1.35 JWT on: document key in the path, right browser secret', 1)),
    );
    expect(await right.next()).toBe(
      frame('keyPath', '7.5.1.35 JWT on: document key in the path, right browser secret', 2),
    );
    right.close();
    await ds.webSocketsClosed();
  });

  test('a browser secret apart from the inbox secret', async () => {
    const ds = await startDsSimulator({ version: '7.5', jwtSecret: SECRET, jwtBrowserSecret: 'browser-only' });
    try {
      const ws = await open(ds, SOCKET_IO);
      await ws.next();
      ws.send(`40${JSON.stringify({ token: signJwt({ document: { key: 'k' } }, SECRET) })}`);
      expect(await ws.next()).toBe(
        frame('direct', '7.5.1.35 JWT on: connect with a token signed by another secret', 1),
      );
      ws.close();
      const ok = await open(ds, SOCKET_IO);
      await ok.next();
      ok.send(`40${JSON.stringify({ token: signJwt({ document: { key: 'k' } }, 'browser-only') })}`);
      expect((await ok.next()).startsWith('40{"sid":')).toBe(true);
      ok.close();
      await ds.webSocketsClosed();
    } finally {
      await ds.stop();
    }
  });

  test("9.3 socket.io, JWT off: key in the path gets the license (with 9.3's build); a bare /doc/ gets 4004 and 41 (9.4 capture)", async () => {
    const ds = await sim('9.3');
    const keyed = await open(ds, SOCKET_IO);
    expect(sid(await keyed.next())).toBe(sid(frame('keyPath', '9.4.0.36 JWT off: document key in the path', 0)));
    keyed.send('40');
    expect(sid(await keyed.next())).toBe(sid(frame('keyPath', '9.4.0.36 JWT off: document key in the path', 1)));
    expect(await keyed.next()).toBe(
      frame('keyPath', '9.4.0.36 JWT off: document key in the path', 2).replace(
        '"buildVersion":"9.4.0","buildNumber":36',
        '"buildVersion":"9.3.1","buildNumber":11',
      ),
    );
    keyed.close();
    const bare = await open(ds, '/doc/?EIO=4&transport=websocket');
    await bare.next();
    bare.send('40');
    expect(sid(await bare.next())).toBe('40{"sid":"SID"}');
    expect(await bare.next()).toBe(frame('keyPath', '9.4.0.36 JWT off: no document key in the path', 2));
    expect(await bare.next()).toBe('41');
    bare.close();
    await ds.webSocketsClosed();
  });

  test('without Upgrade (a proxy that does not forward it): 400 with the body captured through nginx', async () => {
    const bodyOf = (title: string) => / body: (.*)$/.exec(exchange(captures.nginx, title).lines[0]!.text)![1]!;
    const v71 = await call((await sim('7.1')).url, '/doc/probe-key/c/000/abcdefgh/websocket', {
      headers: { 'Sec-WebSocket-Key': 'x', 'Sec-WebSocket-Version': '13' },
    });
    expect([v71.status, text(v71.body)]).toEqual([400, bodyOf('7.1.1.76 behind nginx WITHOUT')]);
    expect(text(v71.body)).toBe('Not a valid websocket request');
    const v75 = await call((await sim('7.5')).url, SOCKET_IO);
    expect([v75.status, text(v75.body)]).toEqual([400, '{"code":3,"message":"Bad request"}']);
  });
});
