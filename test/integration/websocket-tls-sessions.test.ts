import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createServer as createTlsServer, type Server, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { answerUpgrade } from '../support/ds-websocket.js';
import { TestPki, type Issued } from '../support/tls-pki.js';

// The WebSocket client keeps TLS sessions without the server's certificate and accepts a resumption itself
// (src/lib/websocket-client.ts, src/lib/tls-session.ts). These tests hold it to what Node's own verification gives:
// resumption where the server takes the session, and the same refusal as a fresh verifying connection everywhere else.
// The client runs in a child process that trusts the test CA through NODE_EXTRA_CA_CERTS (read once, at start), as an
// operator's exporter would; it keeps its sessions between the steps each test sends it.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 86_400;

interface Result {
  upgraded: boolean;
  status: number;
  message: string;
}

/** The client: one line in (a URL), one line out (what openWebSocket gave, after DS's first frame and a close). */
class Client {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private stderr = '';

  constructor(caFile: string) {
    const script = `
      import { createInterface } from 'node:readline';
      const { openWebSocket } = await import('./src/lib/websocket-client.ts');
      for await (const url of createInterface({ input: process.stdin })) {
        const open = await openWebSocket({ url, timeoutMs: 20000, maxPayloadBytes: 1024 });
        if (open.upgraded) {
          const first = await open.connection.next().catch((error) => error.message);
          open.connection.close();
          console.log(JSON.stringify({ upgraded: true, status: open.status, message: first }));
        } else {
          console.log(JSON.stringify({ upgraded: false, status: open.status, message: open.message }));
        }
      }
    `;
    this.child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    });
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (this.waiter) {
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter.resolve(line);
      } else this.lines.push(line);
    });
    this.child.once('exit', (code) => this.waiter?.reject(new Error(`client exited with ${code}: ${this.stderr}`)));
  }

  async open(url: string): Promise<Result> {
    if (this.child.exitCode !== null) throw new Error(`client exited with ${this.child.exitCode}: ${this.stderr}`);
    this.child.stdin.write(`${url}\n`);
    const line =
      this.lines.shift() ?? (await new Promise<string>((resolve, reject) => (this.waiter = { resolve, reject })));
    return JSON.parse(line) as Result;
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    if (this.child.exitCode === null) await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

/** A TLS WebSocket server that upgrades every request and records whether each connection resumed a session. */
interface WssServer {
  url: string;
  reused: boolean[];
  server: Server;
  stop(): Promise<void>;
}

async function wssServer(cert: Issued, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<WssServer> {
  const reused: boolean[] = [];
  const server = createTlsServer({ cert: cert.certPem, key: cert.keyPem, maxVersion }, (socket: TLSSocket) => {
    reused.push(socket.isSessionReused());
    socket.on('error', () => undefined);
    answerUpgrade(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}/doc/k/c/000/abcdefgh/websocket`,
    reused,
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('TLS sessions of the WebSocket client', () => {
  const pki = new TestPki();
  const now = Math.floor(Date.now() / 1000);
  let root: Issued;
  let trusted: Issued;
  let otherName: Issued;
  let selfSigned: Issued;
  let client: Client;
  const servers: WssServer[] = [];

  beforeAll(() => {
    root = pki.issue('root', {
      subject: '/CN=sessions root',
      notBefore: now - DAY,
      notAfter: now + DAY,
      serial: '01',
      ca: true,
    });
    trusted = pki.issue('trusted', {
      subject: '/CN=127.0.0.1',
      issuer: root,
      notBefore: now - DAY,
      notAfter: now + DAY,
      serial: '02',
      san: 'IP:127.0.0.1',
    });
    otherName = pki.issue('other-name', {
      subject: '/CN=127.0.0.2',
      issuer: root,
      notBefore: now - DAY,
      notAfter: now + DAY,
      serial: '03',
      san: 'IP:127.0.0.2',
    });
    selfSigned = pki.issue('self-signed', {
      subject: '/CN=127.0.0.1',
      notBefore: now - DAY,
      notAfter: now + DAY,
      serial: '04',
      san: 'IP:127.0.0.1',
    });
    client = new Client(root.certPath);
  });
  afterAll(async () => {
    await client.stop();
    await Promise.all(servers.map((s) => s.stop()));
    pki.remove();
  });
  async function server(cert: Issued, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<WssServer> {
    const started = await wssServer(cert, maxVersion);
    servers.push(started);
    return started;
  }
  const upgraded: Result = { upgraded: true, status: 101, message: 'o' };

  test.each(['TLSv1.2', 'TLSv1.3'] as const)(
    '%s, a verified server: the second and third checks resume the first one’s session',
    async (version) => {
      const wss = await server(trusted, version);
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await client.open(wss.url));
      expect(results).toEqual([upgraded, upgraded, upgraded]);
      expect(wss.reused).toEqual([false, true, true]);
    },
    60_000,
  );

  test.each<[string, () => Issued, string]>([
    ['a self-signed certificate', () => selfSigned, 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate'],
    [
      'a certificate for another address',
      () => otherName,
      "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: 127.0.0.2",
    ],
  ])(
    'TLS 1.2 (its ticket arrives before the handshake ends), %s: refused every time, never resumed',
    async (_name, cert, message) => {
      const wss = await server(cert(), 'TLSv1.2');
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await client.open(wss.url));
      expect(results).toEqual(Array(3).fill({ upgraded: false, status: 0, message }));
      expect(wss.reused).toEqual([false, false, false]);
    },
    60_000,
  );

  test('the server drops the session and now shows an untrusted certificate: refused as a fresh check is, with its message', async () => {
    const wss = await server(trusted, 'TLSv1.2');
    expect(await client.open(wss.url)).toEqual(upgraded);
    expect(await client.open(wss.url)).toEqual(upgraded);
    // New ticket keys (a restarted server) and a certificate no trusted root signed.
    wss.server.setTicketKeys(randomBytes(48));
    wss.server.setSecureContext({ cert: selfSigned.certPem, key: selfSigned.keyPem, maxVersion: 'TLSv1.2' });
    const refused = { upgraded: false, status: 0, message: 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate' };
    expect(await client.open(wss.url)).toEqual(refused);
    expect(await client.open(wss.url)).toEqual(refused);
    // The second check resumed; after the change, the resumption offered was refused (false), then the check asked
    // afresh (false), and the next one had no session left (false).
    expect(wss.reused).toEqual([false, true, false, false, false]);
  }, 60_000);
});
