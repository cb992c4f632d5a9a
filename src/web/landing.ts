import type { Generation } from '../runtime.js';
import { redactUrl } from '../lib/redact.js';
import { EXPORTER_VERSION } from '../version.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page at `/`: what this is and where everything is. Never shows a secret. */
export function landingPage(generation: Generation | undefined): string {
  const target = generation ? escape(redactUrl(generation.config.documentserver.url)) : 'not loaded';
  const collectors = generation ? generation.collectorsFor('metrics').map((c) => escape(c.name)).join(', ') : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ONLYOFFICE Docs exporter</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}</style>
</head><body>
<h1>ONLYOFFICE Docs exporter</h1>
<p>Version ${escape(EXPORTER_VERSION)}. Watching DocumentServer at <code>${target}</code>.</p>
<ul>
<li><a href="/metrics">/metrics</a>: everything about the configured DocumentServer</li>
<li><a href="/probe?target=">/probe?target=URL</a>: the same checks for a target listed in <code>probe.targets</code></li>
<li><a href="/-/healthy">/-/healthy</a> and <a href="/-/ready">/-/ready</a></li>
</ul>
<p>Collectors: ${collectors}</p>
</body></html>
`;
}
