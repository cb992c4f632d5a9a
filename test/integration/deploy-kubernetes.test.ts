import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_LISTEN } from '../../src/cli.js';
import { parseConfig } from '../../src/config/load.js';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { OUTPUT, prometheusRule, REPOSITORY, ruleFiles } from '../../deploy/kubernetes/generate-prometheusrule.js';
import { requirePrograms } from '../support/integration.js';
import { silentLogger } from '../support/scrape.js';

const DIR = join(REPOSITORY, 'deploy/kubernetes');

interface K8s {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed manifest's spec, read by path as kubectl would
  spec?: any;
  data?: Record<string, string>;
}

function resources(): K8s[] {
  const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8s;
    }),
  );
}

describe('deploy/kubernetes', () => {
  const all = resources();
  const one = (kind: string) => {
    const found = all.filter((r) => r.kind === kind);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  test('kustomization lists every manifest: ConfigMap, Deployment, Service, ServiceMonitor, PrometheusRule', () => {
    expect(all.map((r) => `${r.apiVersion} ${r.kind} ${r.metadata.name}`)).toEqual([
      'v1 ConfigMap onlyoffice-exporter-config',
      'apps/v1 Deployment onlyoffice-exporter',
      'v1 Service onlyoffice-exporter',
      'monitoring.coreos.com/v1 ServiceMonitor onlyoffice-exporter',
      'monitoring.coreos.com/v1 PrometheusRule onlyoffice-exporter',
    ]);
  });

  test('the Deployment runs the exporter as the image expects: port 9967, probes on /-/healthy and /-/ready, non-root, read-only', () => {
    const deployment = one('Deployment');
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    const [container] = pod.containers;
    expect(container.ports).toEqual([{ name: 'http-metrics', containerPort: Number(DEFAULT_LISTEN.slice(1)) }]);
    expect(container.ports[0].containerPort).toBe(9967);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'http-metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http-metrics' });
    expect(container.args).toEqual(['--config.file=/etc/onlyoffice-exporter/config.yml']);
    expect(container.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/onlyoffice-exporter', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes[0]).toEqual({ name: 'config', configMap: { name: one('ConfigMap').metadata.name } });
    // uid 1000 is the image's `node` user (Dockerfile USER node).
    expect(readFileSync(join(REPOSITORY, 'Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.env).toEqual([
      { name: 'DS_JWT_SECRET', valueFrom: { secretKeyRef: { name: 'onlyoffice-exporter', key: 'jwt-secret' } } },
    ]);
  });

  test("the ConfigMap is a valid configuration that takes the JWT secret from the Deployment's env", () => {
    const text = one('ConfigMap').data!['config.yml']!;
    const config = parseConfig(text, 'configmap', { DS_JWT_SECRET: 'from-the-secret' });
    expect(config.documentserver.jwt).toEqual({ secret: 'from-the-secret', header: 'Authorization' });
    expect(config.docker.enabled).toBe(false);
    expect(() => parseConfig(text, 'configmap', {})).toThrow(
      'documentserver.jwt.secret: environment variable DS_JWT_SECRET is not set',
    );
  });

  test('the Service and ServiceMonitor reach the container port and scrape /metrics', () => {
    const deployment = one('Deployment');
    const service = one('Service');
    const monitor = one('ServiceMonitor');
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(service.spec.ports).toEqual([{ name: 'http-metrics', port: 9967, targetPort: 'http-metrics' }]);
    expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
    expect(monitor.spec.endpoints).toEqual([
      { port: 'http-metrics', path: '/metrics', interval: '30s', scrapeTimeout: '15s' },
    ]);
    // The alert rules match jobs named onlyoffice*; the operator names the job after the Service.
    expect(service.metadata.name).toMatch(/^onlyoffice/);
  });

  test('the paths the manifests use are the ones the exporter serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ooe-k8s-'));
    const path = join(dir, 'config.yml');
    writeFileSync(path, one('ConfigMap').data!['config.yml']!);
    process.env.DS_JWT_SECRET = 'from-the-secret';
    const runtime = new Runtime(path, silentLogger);
    const app = buildServer({ runtime, logger: silentLogger, timeoutOffsetMs: 500, enableRemoteReload: false });
    try {
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const get = async (path: string) => {
        const response = await fetch(`${base}${path}`);
        return { status: response.status, body: await response.text() };
      };
      // Not ready until the configuration is loaded, then ready.
      expect(await get('/-/ready')).toEqual({ status: 503, body: 'not ready\n' });
      expect(await get('/-/healthy')).toEqual({ status: 200, body: 'OK\n' });
      await runtime.reload();
      expect(await get('/-/ready')).toEqual({ status: 200, body: 'OK\n' });
      expect(app.hasRoute({ method: 'GET', url: one('ServiceMonitor').spec.endpoints[0].path })).toBe(true);
    } finally {
      delete process.env.DS_JWT_SECRET;
      await app.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the PrometheusRule is generated from alerts/ and prometheus/recording-rules.yml, and is up to date', () => {
    const committed = readFileSync(OUTPUT, 'utf8');
    expect(committed).toBe(prometheusRule());
    const groups = ruleFiles().flatMap(
      (file) => (parse(readFileSync(join(REPOSITORY, file), 'utf8')) as { groups: unknown[] }).groups,
    );
    expect(groups.length).toBeGreaterThan(0);
    expect(one('PrometheusRule').spec).toEqual({ groups });
    expect(ruleFiles().filter((f) => f.startsWith('alerts/')).length).toBeGreaterThan(0);
  });
});

/**
 * `kubectl kustomize` of a copy of deploy/kubernetes, with the commented `components:` lines enabled as its comment
 * says, for the given components; `edit` changes the copy first (e.g. the namespace of docs-chart).
 */
function build(components: string[], edit: (dir: string) => void = () => {}): K8s[] {
  const dir = mkdtempSync(join(tmpdir(), 'ooe-kustomize-'));
  try {
    cpSync(DIR, join(dir, 'kubernetes'), { recursive: true });
    const path = join(dir, 'kubernetes/kustomization.yaml');
    const text = readFileSync(path, 'utf8');
    const tail = '\n# components:\n#   - web-config\n#   - docs-chart\n';
    expect(text.endsWith(tail)).toBe(true);
    if (components.length > 0) {
      writeFileSync(
        path,
        text.slice(0, -tail.length) + `\ncomponents:\n${components.map((c) => `  - ${c}\n`).join('')}`,
      );
    }
    edit(join(dir, 'kubernetes'));
    const out = execFileSync('kubectl', ['kustomize', join(dir, 'kubernetes')], { encoding: 'utf8' });
    return parseAllDocuments(out).map((doc) => doc.toJS() as K8s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

requirePrograms('kubectl').describe('deploy/kubernetes with the web-config component (kubectl kustomize)', () => {
  let base: K8s[];
  let web: K8s[];
  beforeAll(() => {
    base = build([]);
    web = build(['web-config']);
  });
  const find = (docs: K8s[], kind: string) => docs.find((d) => d.kind === kind)!;
  const container = (docs: K8s[]) => find(docs, 'Deployment').spec.template.spec.containers[0];

  test('without it, kustomize builds the same manifests the other tests read', () => {
    // kustomize orders by kind.
    const byKind = (docs: K8s[]) => [...docs].sort((a, b) => a.kind.localeCompare(b.kind));
    expect(byKind(base)).toEqual(byKind(resources()));
  });

  test("both probes run the image's health check, with the periods and timeouts of the default manifest", () => {
    const exporter = container(web);
    const exec = { exec: { command: ['/usr/local/bin/healthcheck'] } };
    expect(exporter.livenessProbe).toEqual({ ...exec, periodSeconds: 30, timeoutSeconds: 5 });
    expect(exporter.readinessProbe).toEqual({ ...exec, periodSeconds: 10, timeoutSeconds: 5 });
    // The image puts it there, and it gives up (3 s) before kubelet does (timeoutSeconds).
    expect(readFileSync(join(REPOSITORY, 'Dockerfile'), 'utf8')).toMatch(
      /^COPY .*deploy\/docker\/healthcheck \/usr\/local\/bin\/$/m,
    );
    const timeout = Number(
      /^const DEFAULT_TIMEOUT_MS = (\d+);$/m.exec(
        readFileSync(join(REPOSITORY, 'deploy/docker/healthcheck.mjs'), 'utf8'),
      )![1],
    );
    expect(timeout).toBe(3000);
    expect(timeout).toBeLessThan(exporter.livenessProbe.timeoutSeconds * 1000);
  });

  test('--web.config.file is web.yml in the Secret mounted read-only, which the scrape verifies against too', () => {
    const exporter = container(web);
    const pod = find(web, 'Deployment').spec.template.spec;
    expect(exporter.args).toEqual([
      '--config.file=/etc/onlyoffice-exporter/config.yml',
      '--web.config.file=/etc/onlyoffice-exporter-web/web.yml',
    ]);
    expect(exporter.volumeMounts).toContainEqual({
      name: 'web-config',
      mountPath: '/etc/onlyoffice-exporter-web',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({ name: 'web-config', secret: { secretName: 'onlyoffice-exporter-web' } });
    expect(find(web, 'ServiceMonitor').spec.endpoints).toEqual([
      {
        ...find(base, 'ServiceMonitor').spec.endpoints[0],
        scheme: 'https',
        tlsConfig: {
          serverName: 'onlyoffice-exporter',
          ca: { secret: { name: 'onlyoffice-exporter-web', key: 'ca.crt' } },
        },
        basicAuth: {
          username: { name: 'onlyoffice-exporter-scrape', key: 'username' },
          password: { name: 'onlyoffice-exporter-scrape', key: 'password' },
        },
      },
    ]);
  });

  test('nothing else changes', () => {
    const strip = (docs: K8s[]) =>
      docs.map((doc) => {
        const copy = structuredClone(doc);
        if (copy.kind === 'Deployment') {
          const pod = copy.spec.template.spec;
          const [exporter] = pod.containers;
          for (const key of ['args', 'livenessProbe', 'readinessProbe']) delete exporter[key];
          exporter.volumeMounts = exporter.volumeMounts.filter((m: { name: string }) => m.name !== 'web-config');
          pod.volumes = pod.volumes.filter((v: { name: string }) => v.name !== 'web-config');
        }
        if (copy.kind === 'ServiceMonitor') delete copy.spec.endpoints;
        return copy;
      });
    expect(strip(web)).toEqual(strip(base));
  });
});

requirePrograms('kubectl').describe(
  "deploy/kubernetes with the docs-chart component: beside ONLYOFFICE's Helm chart (kubectl kustomize)",
  () => {
    let base: K8s[];
    let chart: K8s[];
    let both: K8s[];
    beforeAll(() => {
      base = build([]);
      chart = build(['docs-chart']);
      both = build(['web-config', 'docs-chart']);
    });
    const find = (docs: K8s[], kind: string) => docs.find((d) => d.kind === kind)!;
    const container = (docs: K8s[]) => find(docs, 'Deployment').spec.template.spec.containers[0];
    const secrets = { DS_JWT_SECRET: 'chart-jwt', DS_AMQP_PASSWORD: 'amqp-pass', DS_REDIS_PASSWORD: 'redis-pass' };

    test("every check points at the chart's Services: the proxy, PostgreSQL, RabbitMQ (its login) and Redis", () => {
      // ONLYOFFICE/Kubernetes-Docs: Service documentserver (service.port 8888), connections.dbHost postgresql,
      // amqpHost rabbitmq with amqpUser user, redisHost redis-master.
      const config = parseConfig(find(chart, 'ConfigMap').data!['config.yml']!, 'docs-chart', secrets);
      expect(config.documentserver.url).toBe('http://documentserver:8888');
      expect(config.documentserver.jwt).toEqual({ secret: 'chart-jwt', header: 'Authorization' });
      expect(config.dependencies.postgresql).toEqual({
        dependency: 'postgresql',
        address: 'postgresql:5432',
        host: 'postgresql',
        port: 5432,
        tls: false,
      });
      expect(config.dependencies.rabbitmq).toEqual({
        dependency: 'rabbitmq',
        address: 'rabbitmq:5672',
        host: 'rabbitmq',
        port: 5672,
        tls: false,
        username: 'user',
        password: 'amqp-pass',
        vhost: '/',
      });
      expect(config.dependencies.redis).toEqual({
        dependency: 'redis',
        address: 'redis-master:6379',
        host: 'redis-master',
        port: 6379,
        tls: false,
        password: 'redis-pass',
      });
      expect(config.rabbitmq).toMatchObject({
        management_url: 'http://rabbitmq:15672',
        username: 'user',
        password: 'amqp-pass',
      });
      expect(config.docker.enabled).toBe(false);
      expect(config.disk.paths).toEqual([]);
    });

    test("the secrets come from the chart's own Secrets, each variable the configuration names", () => {
      expect(container(chart).env).toEqual([
        { name: 'DS_JWT_SECRET', valueFrom: { secretKeyRef: { name: 'jwt', key: 'JWT_SECRET' } } },
        { name: 'DS_AMQP_PASSWORD', valueFrom: { secretKeyRef: { name: 'rabbitmq', key: 'rabbitmq-password' } } },
        { name: 'DS_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'redis-password' } } },
      ]);
      const text = find(chart, 'ConfigMap').data!['config.yml']!;
      const named = [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
      expect(named).toEqual(
        container(chart)
          .env.map((e: { name: string }) => e.name)
          .sort(),
      );
      for (const name of named) {
        const { [name as keyof typeof secrets]: _, ...missing } = secrets;
        expect(() => parseConfig(text, 'docs-chart', missing)).toThrow(`environment variable ${name} is not set`);
      }
    });

    test('the namespace is one parameter, and every object lands in it', () => {
      expect(chart.map((doc) => doc.metadata.namespace)).toEqual(chart.map(() => 'default'));
      const moved = build(['docs-chart'], (dir) => {
        const path = join(dir, 'docs-chart/kustomization.yaml');
        const text = readFileSync(path, 'utf8');
        expect(text.match(/^namespace: .*$/gm)).toEqual(['namespace: default']);
        writeFileSync(path, text.replace(/^namespace: default$/m, 'namespace: onlyoffice-docs'));
      });
      expect(moved.map((doc) => `${doc.kind} ${doc.metadata.namespace}`)).toEqual(
        chart.map((doc) => `${doc.kind} onlyoffice-docs`),
      );
    });

    test('nothing else changes, and it goes with the web-config component', () => {
      const strip = (docs: K8s[]) =>
        docs.map((doc) => {
          const copy = structuredClone(doc);
          delete copy.metadata.namespace;
          if (copy.kind === 'ConfigMap') delete copy.data;
          if (copy.kind === 'Deployment') delete copy.spec.template.spec.containers[0].env;
          return copy;
        });
      expect(strip(chart)).toEqual(strip(base));
      expect(find(both, 'ConfigMap')).toEqual(find(chart, 'ConfigMap'));
      expect(container(both).env).toEqual(container(chart).env);
      expect(container(both).args).toContain('--web.config.file=/etc/onlyoffice-exporter-web/web.yml');
    });
  },
);
