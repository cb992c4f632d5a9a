import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDsSimulator, type DsSimulator } from '../support/ds-simulator.js';
import { startExporter, type ExporterProcess } from '../support/exporter-process.js';
import { requirePrograms } from '../support/integration.js';
import { startNginx, type NginxProxy } from '../support/nginx.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/status-page/', import.meta.url));
const SECRET = 'status-page-jwt-secret-value';

const { describe: withBrowser } = requirePrograms(CHROMIUM, '/usr/sbin/nginx');

/** The landing page as a person sees it in a real headless Chromium: the daemon against the simulator behind real nginx. */
withBrowser('status page / in headless Chromium', () => {
  let ds: DsSimulator;
  let nginx: NginxProxy;
  let exporter: ExporterProcess;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'ooe-status-'));
    ds = await startDsSimulator({ version: '7.5', jwtSecret: SECRET });
    nginx = await startNginx({ backendPort: ds.port });
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      `
documentserver:
  url: ${ds.url}
  public_url: ${nginx.url}
  jwt: { secret: "\${STATUS_JWT_SECRET}" }
  timeout: 2s
dependencies: { postgresql: false, rabbitmq: false, redis: false }
docker: { enabled: false }
disk: { paths: [] }
`,
    );
    exporter = await startExporter([`--config.file=${config}`], { STATUS_JWT_SECRET: SECRET });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await exporter?.stop();
    await Promise.all([nginx?.stop(), ds?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every request the page makes: only the page itself may be fetched (no external asset, no script). */
  async function open(locale: string, path: string): Promise<{ page: Page; requests: string[] }> {
    const context = await browser.newContext({ locale, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${exporter.url}${path}`);
    return { page, requests };
  }

  const row = (page: Page, hop: string) => page.locator(`tr[data-hop="${hop}"]`);

  test('healthy, in Chinese (the default), then it turns red by itself when docservice stops', async () => {
    const { page, requests } = await open('zh-CN', '/?refresh=2');
    expect(await page.title()).toBe('正常 · ONLYOFFICE Docs 状态');
    await expect(page.locator('#verdict').innerText()).resolves.toBe('正常 · 所有检查都通过');
    expect(await row(page, 'docservice').locator('.badge').innerText()).toBe('正常');
    expect(await row(page, 'proxy').locator('td').nth(1).innerText()).toBe('公开地址（经反向代理）');
    expect(await row(page, 'jwt').locator('li').first().innerText()).toBe(
      'version 命令执行成功（错误码 0），DS 版本 7.5.1.35，请求带 JWT 签名',
    );
    expect(await row(page, 'rabbitmq').locator('.badge').innerText()).toBe('未配置');
    // Times as the robots show them: notify.timezone (Asia/Shanghai by default), with the offset.
    expect(await page.locator('.meta time').innerText()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00$/);
    expect(await page.locator('h2').allInnerTexts()).toEqual(['链路逐段检查', '接口']);
    expect(await page.locator('.cause').count()).toBe(0);
    expect(await page.content()).not.toContain(SECRET);
    await page.screenshot({ path: join(ARTIFACTS, 'healthy.zh-CN.png'), fullPage: true });

    await ds.stop();
    try {
      // No reload from the test: the page refreshes itself (?refresh=2) and shows the broken hop.
      await page.locator('#verdict.fail').waitFor({ timeout: 20_000 });
      expect(await page.locator('#verdict').innerText()).toBe('故障 · 有环节不可用');
      expect(await page.title()).toBe('故障 · ONLYOFFICE Docs 状态');
      const cause = page.locator('.cause').first();
      expect(await cause.locator('strong').innerText()).toBe('docservice：docservice 没有在监听');
      // No Docker view here: the package form.
      expect(await cause.locator('pre').innerText()).toContain('systemctl status ds-docservice');
      expect(await row(page, 'docservice').locator('.badge').innerText()).toBe('故障');
      expect(await row(page, 'proxy').locator('.because').innerText()).toBe('→ 问题出在：docservice');
      expect(await row(page, 'proxy').innerText()).toContain(
        `${nginx.url}/healthcheck：HTTP 502，但响应不是 DocumentServer 发出的`,
      );
      expect(await page.content()).not.toContain(SECRET);
      await page.screenshot({ path: join(ARTIFACTS, 'broken.zh-CN.png'), fullPage: true });
      expect(new Set(requests.map((u) => new URL(u).origin))).toEqual(new Set([exporter.url]));

      // The same diagnosis in English, for a browser that asks for it; the language link switches back.
      const english = await open('en-US', '/');
      expect(await english.page.locator('#verdict').innerText()).toBe('FAIL · Something is broken');
      expect(await english.page.locator('.cause strong').first().innerText()).toBe(
        'docservice: docservice is not listening',
      );
      expect(await row(english.page, 'healthcheck').innerText()).toContain('→ caused by: docservice');
      await english.page.screenshot({ path: join(ARTIFACTS, 'broken.en.png'), fullPage: true });
      await english.page.getByRole('link', { name: '中文' }).click();
      await expect(english.page.locator('#verdict').innerText()).resolves.toBe('故障 · 有环节不可用');

      const json = (await (await fetch(`${exporter.url}/status.json?lang=en`)).json()) as {
        verdict: string;
        exitCode: number;
        causes: { id: string }[];
      };
      expect(json).toMatchObject({ verdict: 'fail', exitCode: 2 });
      expect(json.causes.map((c) => c.id)).toEqual(['docservice_down']);
    } finally {
      await ds.start();
    }
  }, 60_000);
});
