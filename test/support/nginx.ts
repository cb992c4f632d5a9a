import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProgram } from './integration.js';
import { freePort } from './ports.js';
import { closer, LOOPBACK, serviceDir, spawnService } from './service-process.js';

export interface NginxOptions {
  /** docservice port on 127.0.0.1 (the upstream DS's nginx calls `docservice`). */
  backendPort: number;
  /** `deny all` on /info/ and /internal/, as a caller that is not 127.0.0.1 sees them through DS's nginx. */
  denyInfo?: boolean;
  /** proxy_read_timeout (nginx default 60 s, which DS's config does not override). */
  proxyReadTimeoutSeconds?: number;
  /** api.js missing from disk (a broken install or a proxy without DS's location): nginx's own 404 page for it. */
  apiJsMissing?: boolean;
  /**
   * Forward WebSocket upgrades (default true): `proxy_http_version 1.1`, the `$http_upgrade` map and Upgrade/Connection,
   * as DS's own nginx does (nginx/includes/http-common.conf) and as the block of real-docservice/websocket_behind_nginx.txt
   * "with". false: `Connection ""` and no Upgrade, so the upgrade is dropped as by the capture's plain proxy_pass block.
   */
  websocketUpgrade?: boolean;
}

export interface NginxProxy {
  readonly url: string;
  readonly port: number;
  readonly errorLog: string;
  /** PID of the nginx master process. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** What DS's nginx serves from disk at /web-apps/apps/api/documents/api.js (a stand-in script). */
export const API_JS =
  '/* ONLYOFFICE Docs API stand-in served by the test nginx */\nwindow.DocsAPI = window.DocsAPI || {};\n';

const NGINX = '/usr/sbin/nginx';
const STOP_TIMEOUT_MS = 5_000;

/**
 * Debian's nginx in a temp dir on a free loopback port, configured like DS's shipped
 * /etc/onlyoffice/documentserver/nginx/includes/ds-docservice.conf (ONLYOFFICE/document-server-package
 * common/documentserver/nginx/includes/ds-docservice.conf.m4).
 */
export async function startNginx(options: NginxOptions): Promise<NginxProxy> {
  const binary = findProgram(NGINX) ?? findProgram('nginx');
  if (!binary) throw new Error('nginx is not installed (run scripts/install-test-deps.sh as root)');
  const dir = serviceDir('nginx');
  // Workers run as nobody when the master is root: they must be able to read api.js.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const errorLog = join(dir, 'error.log');
  const apiJs = join(dir, 'api.js');
  if (options.apiJsMissing !== true) writeFileSync(apiJs, API_JS, { mode: 0o644 });
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, nginxConf({ dir, port, errorLog, apiJs, ...options }));

  const url = `http://${LOOPBACK}:${port}`;
  const probe = `${url}/web-apps/apps/api/documents/api.js`;
  const expected = options.apiJsMissing === true ? 404 : 200;
  let server;
  try {
    server = await spawnService({
      name: 'nginx',
      dir,
      command: binary,
      args: ['-p', `${dir}/`, '-e', errorLog, '-c', confPath],
      logs: [errorLog],
      // Ready once api.js answers as configured: 200, or nginx's own 404 when it is missing.
      ready: async () => {
        const response = await fetch(probe, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.status === expected;
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    errorLog,
    pid: server.pid,
    // SIGTERM is nginx's fast shutdown: it does not wait for hanging proxied requests.
    stop: closer(dir, () => server.stop('SIGTERM', STOP_TIMEOUT_MS)),
  };
}

function nginxConf(o: NginxOptions & { dir: string; port: number; errorLog: string; apiJs: string }): string {
  const timeout = o.proxyReadTimeoutSeconds !== undefined ? `proxy_read_timeout ${o.proxyReadTimeoutSeconds}s;` : '';
  const access = o.denyInfo ? 'deny all;' : 'allow 127.0.0.1;\n      deny all;';
  const user = process.getuid?.() === 0 ? 'user nobody nogroup;' : '';
  return `daemon off;
${user}
worker_processes 1;
pid ${o.dir}/nginx.pid;
error_log ${o.errorLog} info;
events { worker_connections 256; }
http {
  access_log ${o.dir}/access.log;
  client_body_temp_path ${o.dir}/client_body;
  proxy_temp_path ${o.dir}/proxy;
  fastcgi_temp_path ${o.dir}/fastcgi;
  uwsgi_temp_path ${o.dir}/uwsgi;
  scgi_temp_path ${o.dir}/scgi;
  types { application/javascript js; }
  default_type application/octet-stream;
  upstream docservice { server 127.0.0.1:${o.backendPort}; }
  map $http_upgrade $proxy_connection { default upgrade; "" close; }
  proxy_http_version 1.1;
  ${
    o.websocketUpgrade === false
      ? 'proxy_set_header Connection "";'
      : 'proxy_set_header Upgrade $http_upgrade;\n  proxy_set_header Connection $proxy_connection;'
  }
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-Proto $scheme;
  ${timeout}
  server {
    listen 127.0.0.1:${o.port};
    # Served from disk: answers 200 even when docservice is gone.
    location = /web-apps/apps/api/documents/api.js {
      expires -1;
      alias ${o.apiJs};
    }
    location ~* ^(\\/[\\d]+\\.[\\d]+\\.[\\d]+[\\.|-][\\d]+)?\\/(internal)(\\/.*)$ {
      ${access}
      proxy_pass http://docservice/$2$3$is_args$args;
    }
    location ~* ^(\\/[\\d]+\\.[\\d]+\\.[\\d]+[\\.|-][\\d]+)?\\/(info)(\\/.*)$ {
      ${access}
      proxy_pass http://docservice/$2$3$is_args$args;
    }
    location / {
      proxy_pass http://docservice;
    }
  }
}
`;
}
