import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('loadDockerode', () => {
  test('loads neither ssh2 nor gRPC nor protobufjs for a local engine; an ssh:// engine loads ssh2 on first use', () => {
    // A fresh process, where the require cache is Node's own rather than jest's.
    const script = `
      import { createRequire } from 'node:module';
      import { createServer } from 'node:net';
      const cache = () => Object.keys(createRequire(import.meta.url).cache);
      const { loadDockerode } = await import('./src/docker/load-dockerode.ts');
      const Docker = loadDockerode();
      new Docker({ socketPath: '/nonexistent/docker.sock' });
      const heavyAtStart = cache().filter((file) => /\\/node_modules\\/(ssh2|@grpc|protobufjs)\\//.test(file)).length;
      const closed = createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => closed.once('listening', resolve));
      const port = closed.address().port;
      await new Promise((resolve) => closed.close(resolve));
      const ssh = new Docker({ protocol: 'ssh', host: '127.0.0.1', port, username: 'nobody' });
      const error = await ssh.ping().then(() => 'answered', (e) => e.code ?? e.message);
      console.log(JSON.stringify({ heavyAtStart, error, ssh2AfterUse: cache().some((file) => file.includes('/node_modules/ssh2/')) }));
    `;
    const out = execFileSync(
      process.execPath,
      ['--no-deprecation', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    );
    expect(JSON.parse(out)).toEqual({ heavyAtStart: 0, error: 'ECONNREFUSED', ssh2AfterUse: true });
  });
});
