import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.js';
import { parseConvertAnswer, probeKey } from '../../src/documentserver/convert-service.js';
import { configProblems as problemsOf } from '../support/scrape.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/docservice/${path}`, import.meta.url), 'utf8');

describe('ConvertService answers, as captured from DS 7.1 / 7.5 and the documented samples', () => {
  test.each([
    ['real-docservice/nojwt_convert_async_json.json', { kind: 'pending' }],
    ['real-docservice/nojwt_convert_async_xml.xml', { kind: 'pending' }],
    ['real-docservice/v75_nojwt_convert_async.xml', { kind: 'pending' }],
    ['real-docservice/fc_jwt_convert_async_new_poll_after2s.json', { kind: 'error', code: -3 }],
    ['real-docservice/fc_jwt_convert_async_new_poll_after2s.xml', { kind: 'error', code: -3 }],
    ['real-docservice/fc_jwt_convert_async_404src_poll.json', { kind: 'error', code: -4 }],
    ['real-docservice/nojwt_convert_badparams.json', { kind: 'error', code: -7 }],
    ['real-docservice/jwt_convert_async_notoken.json', { kind: 'error', code: -8 }],
    ['real-docservice/jwt_convert_async_notoken.xml', { kind: 'error', code: -8 }],
    ['real-docservice/fault3b_postgres_down_noidle_convert_async.json', { kind: 'error', code: -1 }],
    [
      'samples/convert-done.json',
      {
        kind: 'done',
        fileUrl:
          'https://docs.example.com/cache/files/conv_probe-1732470000_pdf/output.pdf/probe.pdf?md5=J6Vh3c8cQmWQ8p2kqg-3Yw&expires=1732473600&filename=probe.pdf',
      },
    ],
    // The XML form escapes & in the link.
    [
      'samples/convert-done.xml',
      {
        kind: 'done',
        fileUrl:
          'https://docs.example.com/cache/files/conv_probe-1732470000_pdf/output.pdf/probe.pdf?md5=J6Vh3c8cQmWQ8p2kqg-3Yw&expires=1732473600&filename=probe.pdf',
      },
    ],
  ])('%s', (path, expected) => {
    expect(parseConvertAnswer(fixture(path))).toEqual(expected);
  });

  test.each([
    ['an nginx 502 page', '<html><head><title>502 Bad Gateway</title></head></html>'],
    ['garbage', '{"error":'],
    ['done without a link', '{"endConvert":true,"percent":100}'],
    ['an empty object', '{}'],
    ['JSON that is not an object', '"true"'],
  ])('%s is not a conversion answer', (_what, body) => {
    expect(parseConvertAnswer(body)).toEqual({ kind: 'unparsable' });
  });

  test('keys are fresh and fit DS document keys', () => {
    const keys = new Set(Array.from({ length: 100 }, () => probeKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^[0-9A-Za-z._=-]{1,128}$/);
  });
});

describe('conversion_probe configuration', () => {
  test('off by default, with 5m / 60s', () => {
    expect(parseConfig('', 't', {}).conversion_probe).toEqual({
      enabled: false,
      interval: 300_000,
      timeout: 60_000,
      poll_interval: 1000,
      source_listen: '127.0.0.1:0',
      outputtype: 'docx',
    });
  });

  test('the shape from the issue, and a configured source', () => {
    expect(
      parseConfig('conversion_probe: { enabled: true, interval: 5m, timeout: 60s }', 't', {}).conversion_probe,
    ).toMatchObject({ enabled: true, interval: 300_000, timeout: 60_000 });
    expect(
      parseConfig(
        'conversion_probe: { enabled: true, source_url: "http://files.internal/probe.DOCX?v=1", outputtype: pdf }',
        't',
        {},
      ).conversion_probe,
    ).toMatchObject({ source_url: 'http://files.internal/probe.DOCX?v=1', outputtype: 'pdf' });
  });

  test.each([
    [
      'conversion_probe: { interval: 1m, timeout: 2m }',
      'conversion_probe.timeout: must not be longer than conversion_probe.interval (runs never overlap)',
    ],
    [
      'conversion_probe: { timeout: 1s, poll_interval: 1s }',
      'conversion_probe.poll_interval: must be shorter than conversion_probe.timeout',
    ],
    [
      'conversion_probe: { source_url: "http://f/a.txt", source_base_url: "http://me:9877" }',
      'conversion_probe.source_base_url: give either source_url (a file DS fetches) or source_base_url (the built-in file), not both',
    ],
    [
      'conversion_probe: { source_url: "http://f/download?id=3" }',
      'conversion_probe.filetype: cannot be told from source_url: set it (e.g. docx)',
    ],
    [
      'conversion_probe: { source_url: "ftp://f/a.txt" }',
      'conversion_probe.source_url: must be an http:// or https:// URL, not ftp://',
    ],
    [
      'conversion_probe: { outputtype: ".docx" }',
      'conversion_probe.outputtype: must be a file extension such as txt, docx or pdf',
    ],
    [
      'conversion_probe: { source_listen: "9877" }',
      'conversion_probe.source_listen: must be host:port, e.g. 127.0.0.1:5432 or [::1]:443',
    ],
    ['conversion_probe: { enabled: yes please }', 'conversion_probe.enabled: expected boolean, got string'],
    [
      'conversion_probe: { interval: often }',
      'conversion_probe.interval: "often" is not a positive duration such as 10s, 1m30s or 500ms',
    ],
    ['conversion_probe: { url: "http://ds" }', 'conversion_probe.url: unknown key'],
  ])('%s', (yaml, problem) => {
    expect(problemsOf(yaml)).toEqual([problem]);
  });
});
