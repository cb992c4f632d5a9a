import type { Thresholds } from '../thresholds.js';
import { num } from './common.js';
import { duration, enDuration, minutes, zhDuration, type AlertFile, type TestGroup } from './model.js';

const DAY = 86400;

/**
 * The warning from the earliest certificate of a chain, then the critical alone for a file. Days left lie halfway
 * between the thresholds and stay there: promtool's time() runs from 0 and each not-after rises by 60 s a minute,
 * so a `for:` longer than the gap between the thresholds still fits.
 */
function expiringTests(t: Thresholds): TestGroup[] {
  const { warning_days: w, critical_days: c } = t.certificates;
  const [fw, fc] = [minutes(t.certificates.warning_for), minutes(t.certificates.critical_for)];
  const leaf = Math.round(((w + c) / 2) * DAY);
  const file = Math.round((c / 2) * DAY);
  const steady = (notAfter: number, minutes: number) => `${notAfter}+60x${minutes}`;
  const renewed = (w + 365) * DAY;
  const endpoint = (position: string, subject: string) =>
    `onlyoffice_tls_cert_not_after_timestamp_seconds{target="docs.example.com:443", position="${position}", subject="${subject}", ` +
    'instance="127.0.0.1:9967", job="onlyoffice"}';
  return [
    {
      name: "OnlyofficeDocsCertificateExpiring warning from the earliest certificate of an endpoint's chain, resolved by renewal",
      interval: '1m',
      series: [
        {
          comment: [`leaf ${num((w + c) / 2)} days, intermediate ${w + 730} days; renewed at ${fw + 30}m`],
          series: endpoint('0', 'CN=docs.example.com'),
          values: `${steady(leaf, fw + 29)} ${steady(renewed + (fw + 30) * 60, 20)}`,
        },
        { series: endpoint('1', 'CN=Example CA R1'), values: steady((w + 730) * DAY, fw + 50) },
        {
          comment: [`a file with ${w + 10} days left: nothing`],
          series:
            'onlyoffice_tls_cert_file_not_after_timestamp_seconds{path="/var/www/onlyoffice/Data/certs/tls.crt", ' +
            'instance="127.0.0.1:9967", job="onlyoffice"}',
          values: steady((w + 10) * DAY, fw + 50),
        },
      ],
      checks: [
        { at: duration(fw - 1), alert: 'OnlyofficeDocsCertificateExpiring', fires: [] },
        {
          at: duration(fw),
          alert: 'OnlyofficeDocsCertificateExpiring',
          fires: [
            {
              labels: {
                severity: 'warning',
                target: 'docs.example.com:443',
                instance: '127.0.0.1:9967',
                job: 'onlyoffice',
              },
              value: leaf / DAY,
            },
          ],
        },
        { at: duration(fw + 35), alert: 'OnlyofficeDocsCertificateExpiring', fires: [] },
      ],
    },
    {
      name: `OnlyofficeDocsCertificateExpiring critical (only) within ${c} days, for a file, resolved by replacing it`,
      interval: '1m',
      series: [
        {
          series:
            'onlyoffice_tls_cert_file_not_after_timestamp_seconds{path="/var/www/onlyoffice/Data/certs/onlyoffice.crt", ' +
            'instance="https://docs.example.com", job="onlyoffice-probe"}',
          values: `${steady(file, fc + 9)} ${steady(renewed + (fc + 10) * 60, 10)}`,
        },
      ],
      checks: [
        { at: duration(fc - 1), alert: 'OnlyofficeDocsCertificateExpiring', fires: [] },
        {
          at: duration(fc),
          alert: 'OnlyofficeDocsCertificateExpiring',
          fires: [
            {
              labels: {
                severity: 'critical',
                path: '/var/www/onlyoffice/Data/certs/onlyoffice.crt',
                instance: 'https://docs.example.com',
                job: 'onlyoffice-probe',
              },
              value: file / DAY,
            },
          ],
        },
        { at: duration(fc + 15), alert: 'OnlyofficeDocsCertificateExpiring', fires: [] },
      ],
    },
  ];
}

export const tls = (t: Thresholds): AlertFile => {
  const [w, c] = [t.certificates.warning_days, t.certificates.critical_days];
  const td = minutes(t.availability.tls_endpoint_down_for);
  const [xp, ut] = [minutes(t.certificates.expired_for), minutes(t.certificates.untrusted_for)];
  const c0 = t.certificates;
  const [ci, fp, hm] = [
    minutes(c0.chain_incomplete_for),
    minutes(c0.file_problem_for),
    minutes(c0.hostname_mismatch_for),
  ];
  return {
    file: 'tls',
    header: [
      'Certificates: served on the HTTPS endpoints (tls_endpoints: tls.endpoints and an https public_url; on /probe the',
      "https target) and in the files DS's nginx loads (tls_files). Endpoint alerts carry `target`, file alerts `path`.",
    ],
    group: 'onlyoffice-docs.tls',
    rules: [
      {
        comment: ['The value is the days left of the earliest-expiring certificate of the chain (or of the file).'],
        alert: 'OnlyofficeDocsCertificateExpiring',
        expr: `${c} <= (min without (position, subject) (onlyoffice_tls_cert_not_after_timestamp_seconds) - time()) / 86400 < ${w}
or
${c} <= (onlyoffice_tls_cert_file_not_after_timestamp_seconds - time()) / 86400 < ${w}
`,
        for: t.certificates.warning_for,
        severity: 'warning',
        summary: `证书将在 ${w} 天内过期`,
        description:
          '{{ $labels.instance }} 上 {{ $labels.target }}{{ $labels.path }} 的证书将在 {{ printf "%.1f" $value }} 天后过期。',
        summary_en: `A certificate expires within ${w} days`,
        description_en:
          'The certificate of {{ $labels.target }}{{ $labels.path }} on {{ $labels.instance }} expires in {{ printf "%.1f" $value }} days.',
      },
      {
        alert: 'OnlyofficeDocsCertificateExpiring',
        expr: `0 < (min without (position, subject) (onlyoffice_tls_cert_not_after_timestamp_seconds) - time()) / 86400 < ${c}
or
0 < (onlyoffice_tls_cert_file_not_after_timestamp_seconds - time()) / 86400 < ${c}
`,
        for: t.certificates.critical_for,
        severity: 'critical',
        summary: `证书将在 ${c} 天内过期`,
        description:
          '{{ $labels.instance }} 上 {{ $labels.target }}{{ $labels.path }} 的证书将在 {{ printf "%.1f" $value }} 天后过期。',
        summary_en: `A certificate expires within ${c} days`,
        description_en:
          'The certificate of {{ $labels.target }}{{ $labels.path }} on {{ $labels.instance }} expires in {{ printf "%.1f" $value }} days.',
      },
      {
        alert: 'OnlyofficeDocsCertificateExpired',
        expr: `min without (position, subject) (onlyoffice_tls_cert_not_after_timestamp_seconds) <= time()
or
onlyoffice_tls_cert_file_not_after_timestamp_seconds <= time()
`,
        for: t.certificates.expired_for,
        severity: 'critical',
        summary: '证书已过期',
        description:
          '{{ $labels.instance }} 上 {{ $labels.target }}{{ $labels.path }} 的证书链中有证书已过期，浏览器和集成会拒绝连接。',
        summary_en: 'A certificate has expired',
        description_en:
          'A certificate in the chain of {{ $labels.target }}{{ $labels.path }} on {{ $labels.instance }} has expired; ' +
          'browsers and integrations refuse the connection.',
      },
      {
        alert: 'OnlyofficeDocsCertificateChainIncomplete',
        expr: 'onlyoffice_tls_cert_chain_complete == 0 or onlyoffice_tls_cert_file_chain_complete == 0',
        for: t.certificates.chain_incomplete_for,
        severity: 'critical',
        summary: '证书链不完整',
        description:
          '{{ $labels.instance }} 上 {{ $labels.target }}{{ $labels.path }} 没有包含到达受信根证书所需的全部中间证书；不会自行补全证书链的客户端（集成的服务器、部分浏览器和移动应用）会拒绝连接。',
        summary_en: 'The certificate chain is incomplete',
        description_en:
          '{{ $labels.target }}{{ $labels.path }} on {{ $labels.instance }} lacks intermediates needed to reach a trusted root; ' +
          'clients that do not complete chains themselves (integration servers, some browsers and mobile apps) refuse the connection.',
      },
      {
        alert: 'OnlyofficeDocsCertificateUnreadable',
        expr: 'onlyoffice_tls_cert_file_readable == 0',
        for: t.certificates.file_problem_for,
        severity: 'critical',
        summary: '证书或私钥文件无法读取',
        description:
          '{{ $labels.instance }} 上的 {{ $labels.path }} 无法读取或不是 PEM 证书；DS 的 nginx 会因此不启用 HTTPS 或启动失败。',
        summary_en: 'A certificate or key file cannot be read',
        description_en:
          '{{ $labels.path }} on {{ $labels.instance }} cannot be read or holds no PEM certificate; ' +
          "DS's nginx then serves no HTTPS or fails to start.",
      },
      {
        alert: 'OnlyofficeDocsCertificateKeyMismatch',
        expr: 'onlyoffice_tls_cert_file_key_match == 0',
        for: t.certificates.file_problem_for,
        severity: 'critical',
        summary: '私钥与证书不匹配',
        description:
          '{{ $labels.instance }} 上 {{ $labels.path }} 旁边的 .key 不是这张证书的私钥（或已加密、无法读取）；nginx 加载时会失败。',
        summary_en: 'The private key does not match the certificate',
        description_en:
          "The .key beside {{ $labels.path }} on {{ $labels.instance }} is not this certificate's private key (or is encrypted or unreadable); " +
          'nginx fails to load it.',
      },
      {
        alert: 'OnlyofficeDocsCertificateHostnameMismatch',
        expr: 'onlyoffice_tls_cert_hostname_match == 0',
        for: t.certificates.hostname_mismatch_for,
        severity: 'critical',
        summary: '证书与访问的主机名不符',
        description:
          '{{ $labels.instance }}：{{ $labels.target }} 提供的证书不适用于这个主机名，浏览器会拒绝打开编辑器。',
        summary_en: 'The certificate does not match the host name',
        description_en:
          '{{ $labels.instance }}: the certificate {{ $labels.target }} serves is not valid for that host name; ' +
          'browsers refuse to open the editor.',
      },
      {
        comment: [
          'Not verified for another reason than an incomplete chain or an expired certificate (alerts of their own):',
          'self-signed, a private root missing from tls.ca_file, or not valid yet.',
        ],
        alert: 'OnlyofficeDocsCertificateUntrusted',
        expr: `onlyoffice_tls_cert_verified == 0
unless on (instance, job, target) (onlyoffice_tls_cert_chain_complete == 0)
unless on (instance, job, target) (min without (position, subject) (onlyoffice_tls_cert_not_after_timestamp_seconds) <= time())
`,
        for: t.certificates.untrusted_for,
        severity: 'warning',
        summary: '证书不受信任',
        description:
          '{{ $labels.instance }}：{{ $labels.target }} 的证书链无法验证到受信任的根证书（自签名、私有 CA 未加入 tls.ca_file，或尚未生效）。',
        summary_en: 'The certificate is not trusted',
        description_en:
          '{{ $labels.instance }}: the chain of {{ $labels.target }} does not verify to a trusted root (self-signed, ' +
          'a private CA missing from tls.ca_file, or not valid yet).',
      },
      {
        alert: 'OnlyofficeDocsTlsEndpointDown',
        expr: 'onlyoffice_tls_up == 0',
        for: t.availability.tls_endpoint_down_for,
        severity: 'critical',
        summary: 'HTTPS 端口无法完成 TLS 握手',
        description:
          `{{ $labels.instance }}：{{ $labels.target }} 已超过 ${zhDuration(t.availability.tls_endpoint_down_for)}无法完成 TLS 握手` +
          '（连接被拒绝、被重置、不是 TLS 或超时）。常见原因是证书或私钥缺失、不可读，nginx 没有启用 HTTPS。',
        summary_en: 'The HTTPS port does not complete a TLS handshake',
        description_en:
          '{{ $labels.instance }}: {{ $labels.target }} has not completed a TLS handshake ' +
          `for more than ${enDuration(t.availability.tls_endpoint_down_for)} ` +
          '(refused, reset, ' +
          'not TLS, or timeout). Usually the certificate or key is missing or unreadable, so nginx serves no HTTPS.',
      },
    ],
    testHeader: [
      'promtool test rules alerts/tests/tls.test.yml',
      'promtool starts at the epoch: time() is the eval time in seconds (1 day = 86400).',
    ],
    tests: [
      ...expiringTests(t),
      {
        name: 'OnlyofficeDocsCertificateExpired once a certificate of the chain is past its date',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_tls_cert_not_after_timestamp_seconds{target="docs.example.com:443", ' +
              'position="0", subject="CN=docs.example.com", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `600x${xp + 18} 31536000x10`,
          },
          {
            series:
              'onlyoffice_tls_cert_not_after_timestamp_seconds{target="docs.example.com:443", ' +
              'position="1", subject="CN=Example CA R1", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `63072000x${xp + 29}`,
          },
        ],
        checks: [
          { at: '10m', note: 'expired at 10m, pending', alert: 'OnlyofficeDocsCertificateExpired', fires: [] },
          {
            at: `${xp + 10}m`,
            alert: 'OnlyofficeDocsCertificateExpired',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  target: 'docs.example.com:443',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: `${xp + 20}m`, alert: 'OnlyofficeDocsCertificateExpired', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsCertificateExpired for a file',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_tls_cert_file_not_after_timestamp_seconds{path="/certs/tls.crt", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${xp + 4}`,
          },
        ],
        checks: [
          {
            at: `${xp}m`,
            alert: 'OnlyofficeDocsCertificateExpired',
            fires: [
              {
                labels: { severity: 'critical', path: '/certs/tls.crt', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
        ],
      },
      {
        name: 'OnlyofficeDocsCertificateChainIncomplete for an endpoint and a file; a complete chain stays quiet',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_tls_cert_chain_complete{target="docs.example.com:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${ci + 2} 1x5`,
          },
          {
            series:
              'onlyoffice_tls_cert_file_chain_complete{path="/certs/tls.crt", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${ci + 2} 1x5`,
          },
          {
            series:
              'onlyoffice_tls_cert_chain_complete{target="other.example.com:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${ci + 8}`,
          },
        ],
        checks: [
          { at: duration(ci), alert: 'OnlyofficeDocsCertificateChainIncomplete', fires: [] },
          {
            at: duration(ci + 1),
            alert: 'OnlyofficeDocsCertificateChainIncomplete',
            fires: [
              {
                labels: { severity: 'critical', path: '/certs/tls.crt', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
              {
                labels: {
                  severity: 'critical',
                  target: 'docs.example.com:443',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: duration(ci + 5), alert: 'OnlyofficeDocsCertificateChainIncomplete', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsCertificateUnreadable and OnlyofficeDocsCertificateKeyMismatch',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_tls_cert_file_readable{path="/certs/tls.crt", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${fp + 7}`,
          },
          {
            series:
              'onlyoffice_tls_cert_file_readable{path="/certs/tls.key", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${fp + 3} 1x3`,
          },
          {
            series:
              'onlyoffice_tls_cert_file_key_match{path="/certs/tls.crt", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${fp + 3} 1x3`,
          },
        ],
        checks: [
          { at: duration(fp), alert: 'OnlyofficeDocsCertificateUnreadable', fires: [] },
          {
            at: duration(fp + 1),
            alert: 'OnlyofficeDocsCertificateUnreadable',
            fires: [
              {
                labels: { severity: 'critical', path: '/certs/tls.key', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          { at: duration(fp + 5), alert: 'OnlyofficeDocsCertificateUnreadable', fires: [] },
          { at: duration(fp), alert: 'OnlyofficeDocsCertificateKeyMismatch', fires: [] },
          {
            at: duration(fp + 1),
            alert: 'OnlyofficeDocsCertificateKeyMismatch',
            fires: [
              {
                labels: { severity: 'critical', path: '/certs/tls.crt', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          { at: duration(fp + 5), alert: 'OnlyofficeDocsCertificateKeyMismatch', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsCertificateHostnameMismatch',
        interval: '1m',
        series: [
          {
            series:
              'onlyoffice_tls_cert_hostname_match{target="docs.example.com:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${hm + 2} 1x3`,
          },
        ],
        checks: [
          { at: duration(hm), alert: 'OnlyofficeDocsCertificateHostnameMismatch', fires: [] },
          {
            at: duration(hm + 1),
            alert: 'OnlyofficeDocsCertificateHostnameMismatch',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  target: 'docs.example.com:443',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: duration(hm + 5), alert: 'OnlyofficeDocsCertificateHostnameMismatch', fires: [] },
        ],
      },
      {
        name: 'OnlyofficeDocsCertificateUntrusted only when neither an incomplete chain nor an expired certificate explains it',
        interval: '1m',
        series: [
          {
            comment: [`a: self-signed, chain complete, dates fine; trusted again at ${ut + 5}m (ca_file fixed)`],
            series: 'onlyoffice_tls_cert_verified{target="a:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${ut + 3} 1x3`,
          },
          {
            series: 'onlyoffice_tls_cert_chain_complete{target="a:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${ut + 7}`,
          },
          {
            series:
              'onlyoffice_tls_cert_not_after_timestamp_seconds{target="a:443", position="0", subject="CN=a", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `31536000x${ut + 7}`,
          },
          {
            comment: ['b: incomplete chain'],
            series: 'onlyoffice_tls_cert_verified{target="b:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${ut + 7}`,
          },
          {
            series: 'onlyoffice_tls_cert_chain_complete{target="b:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${ut + 7}`,
          },
          {
            series:
              'onlyoffice_tls_cert_not_after_timestamp_seconds{target="b:443", position="0", subject="CN=b", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `31536000x${ut + 7}`,
          },
          {
            comment: ['c: expired'],
            series: 'onlyoffice_tls_cert_verified{target="c:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${ut + 7}`,
          },
          {
            series: 'onlyoffice_tls_cert_chain_complete{target="c:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${ut + 7}`,
          },
          {
            series:
              'onlyoffice_tls_cert_not_after_timestamp_seconds{target="c:443", position="0", subject="CN=c", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `0x${ut + 7}`,
          },
        ],
        checks: [
          { at: `${ut}m`, alert: 'OnlyofficeDocsCertificateUntrusted', fires: [] },
          {
            at: `${ut + 1}m`,
            alert: 'OnlyofficeDocsCertificateUntrusted',
            fires: [
              {
                labels: { severity: 'warning', target: 'a:443', instance: '127.0.0.1:9967', job: 'onlyoffice' },
                value: 0,
              },
            ],
          },
          { at: `${ut + 6}m`, alert: 'OnlyofficeDocsCertificateUntrusted', fires: [] },
        ],
      },
      {
        name: `OnlyofficeDocsTlsEndpointDown after ${enDuration(t.availability.tls_endpoint_down_for)} without a handshake`,
        interval: '1m',
        series: [
          {
            series: 'onlyoffice_tls_up{target="docs.example.com:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1 0x${td + 1} 1 1`,
          },
          {
            series: 'onlyoffice_tls_up{target="other.example.com:443", instance="127.0.0.1:9967", job="onlyoffice"}',
            values: `1x${td + 4}`,
          },
        ],
        checks: [
          { at: duration(td), alert: 'OnlyofficeDocsTlsEndpointDown', fires: [] },
          {
            at: duration(td + 1),
            alert: 'OnlyofficeDocsTlsEndpointDown',
            fires: [
              {
                labels: {
                  severity: 'critical',
                  target: 'docs.example.com:443',
                  instance: '127.0.0.1:9967',
                  job: 'onlyoffice',
                },
                value: 0,
              },
            ],
          },
          { at: duration(td + 3), alert: 'OnlyofficeDocsTlsEndpointDown', fires: [] },
        ],
      },
    ],
  };
};
