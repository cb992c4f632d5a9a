import tlsEndpointsCollector, { TLS_ENDPOINT_METRICS } from '../../collectors/tls_endpoints.js';
import tlsFilesCollector, { TLS_FILE_METRICS } from '../../collectors/tls_files.js';
import type { CauseId } from '../causes.js';
import { DOCTOR_THRESHOLDS } from '../thresholds.js';
import type { HopContext } from './context.js';
import { minOf } from './format.js';
import type { HopCheck, HopWriter } from './hop.js';

/** The certificates served (tls.endpoints) and in files (tls.files): expiry, host name, trust, chain, key. */
export const certificates: HopCheck = {
  id: 'certificates',
  check(ctx, out) {
    const s = ctx.samples;
    const failed = [tlsEndpointsCollector.name, tlsFilesCollector.name].filter((c) => s.collector(c) === 0);
    for (const collector of failed) out.failedCollector(collector);
    const targets = new Set(s.all(TLS_ENDPOINT_METRICS.up).map((x) => x.labels.target ?? ''));
    const files = new Set(s.all(TLS_FILE_METRICS.readable).map((x) => x.labels.path ?? ''));
    if (targets.size === 0 && files.size === 0) {
      if (failed.length === 0) out.note('not_configured', { key: 'tls.endpoints / tls.files' });
      return;
    }
    const problem = problemOf(ctx, out);
    for (const target of [...targets].sort()) {
      if (s.one(TLS_ENDPOINT_METRICS.up, { target }) === 0) {
        problem(target, TLS_ENDPOINT_METRICS.up, { target }, 'unreachable', 'tls_handshake_failed');
        continue;
      }
      const expired = expiry(
        ctx,
        out,
        target,
        minOf(s.all(TLS_ENDPOINT_METRICS.notAfter, { target }).map((x) => x.value)),
      );
      problem(target, TLS_ENDPOINT_METRICS.hostnameMatch, { target }, 'hostname', 'cert_hostname_mismatch');
      if (!expired && s.one(TLS_ENDPOINT_METRICS.hostnameMatch, { target }) !== 0) {
        problem(target, TLS_ENDPOINT_METRICS.verified, { target }, 'untrusted', 'cert_untrusted');
      }
      problem(target, TLS_ENDPOINT_METRICS.chainComplete, { target }, 'chain_incomplete', 'cert_chain_incomplete');
    }
    for (const path of [...files].sort()) {
      if (s.one(TLS_FILE_METRICS.readable, { path }) === 0) {
        problem(path, TLS_FILE_METRICS.readable, { path }, 'unreadable', 'cert_file_unreadable');
        continue;
      }
      // The .key beside a certificate only reports readability.
      if (s.one(TLS_FILE_METRICS.notAfter, { path }) === undefined) continue;
      expiry(ctx, out, path, s.one(TLS_FILE_METRICS.notAfter, { path }));
      problem(path, TLS_FILE_METRICS.keyMatch, { path }, 'key_mismatch', 'cert_key_mismatch');
      problem(path, TLS_FILE_METRICS.chainComplete, { path }, 'chain_incomplete', 'cert_chain_incomplete');
    }
  },
};

/** A check that is 0 fails the hop with its finding and cause. */
function problemOf(ctx: HopContext, out: HopWriter) {
  return (target: string, metric: string, labels: Record<string, string>, kind: string, id: CauseId): void => {
    if (ctx.samples.one(metric, labels) !== 0) return;
    out.set('fail');
    out.note('cert_problem', {
      target,
      problem: kind,
      ...(kind === 'unreachable' ? ctx.errorOf(`${tlsEndpointsCollector.name}/${target}`) : {}),
    });
    out.cause(id, { target, path: target });
  };
}

/** The certificate's end against the alert rules' days; true when it has passed. */
function expiry(ctx: HopContext, out: HopWriter, target: string, notAfter: number | undefined): boolean {
  if (notAfter === undefined) return false;
  const { now } = ctx;
  const date = new Date(notAfter * 1000).toISOString().slice(0, 10);
  const days = Math.floor((notAfter * 1000 - now) / 86_400_000);
  if (notAfter * 1000 <= now) {
    out.set('fail');
    out.note('cert_problem', { target, problem: 'expired', date });
    out.cause('cert_expired', { target, date });
    return true;
  }
  out.note('cert_ok', { target, date, days });
  if (days < DOCTOR_THRESHOLDS.certWarnDays) {
    out.set(days < DOCTOR_THRESHOLDS.certFailDays ? 'fail' : 'warn');
    out.cause('cert_expiring', { target, date, days }, days >= DOCTOR_THRESHOLDS.certFailDays);
  } else {
    out.set('ok');
  }
  return false;
}
