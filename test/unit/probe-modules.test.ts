import { collectorDefinitions } from '../../src/collectors/index.js';
import { parseConfig } from '../../src/config/load.js';
import { PROBE_COLLECTORS } from '../../src/config/sections/probe.js';
import { configProblems as problemsOf } from '../support/scrape.js';

describe('probe.modules', () => {
  test('the module vocabulary is exactly the collectors that run on /probe', () => {
    expect([...PROBE_COLLECTORS].sort()).toEqual(
      collectorDefinitions
        .filter((d) => d.scopes.includes('probe'))
        .map((d) => d.name)
        .sort(),
    );
  });

  test('built-in modules without configuration', () => {
    expect(parseConfig('{}', 't').probe.modules).toEqual({
      documentserver: ['healthcheck', 'endpoints', 'websocket', 'build_info', 'commands', 'license', 'tls_endpoints'],
      healthcheck: ['healthcheck', 'tls_endpoints'],
      websocket: ['websocket'],
    });
  });

  test('configured modules are added, and may replace a built-in one', () => {
    const config = parseConfig(
      'probe: { modules: { healthcheck: [healthcheck], expiry: [tls_endpoints, license] } }',
      't',
    );
    expect(config.probe.modules).toEqual({
      documentserver: ['healthcheck', 'endpoints', 'websocket', 'build_info', 'commands', 'license', 'tls_endpoints'],
      healthcheck: ['healthcheck'],
      websocket: ['websocket'],
      expiry: ['tls_endpoints', 'license'],
    });
  });

  test('bad modules name the key', () => {
    expect(problemsOf('probe: { modules: { quick: [healthcheck, docker] } }')).toEqual([
      "probe.modules.quick.1: Invalid enum value. Expected 'healthcheck' | 'endpoints' | 'websocket' | 'build_info' | 'commands' | 'license' | 'tls_endpoints', received 'docker'",
    ]);
    expect(problemsOf('probe: { modules: { quick: [] } }')).toEqual([
      'probe.modules.quick: a module runs at least one collector',
    ]);
    expect(problemsOf('probe: { modules: { "a b": [healthcheck] } }')).toEqual([
      'probe.modules.a b: module names are letters, digits, "_", "." and "-"',
    ]);
  });
});
