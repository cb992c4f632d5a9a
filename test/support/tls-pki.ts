import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate made by the openssl CLI, with the exact dates and serial asked for. */
export interface Issued {
  name: string;
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  /** Epoch seconds, as asked (whole seconds). */
  notBefore: number;
  notAfter: number;
  /** Hex, as given to openssl. */
  serial: string;
}

export interface IssueOptions {
  /** openssl -subj form, e.g. "/O=Test/CN=localhost". */
  subject: string;
  /** Omit for a self-signed certificate. */
  issuer?: Issued;
  notBefore: number;
  notAfter: number;
  /** Even number of hex digits. */
  serial: string;
  /** subjectAltName value, e.g. "DNS:localhost,IP:127.0.0.1". */
  san?: string;
  ca?: boolean;
}

const CA_CONFIG = `
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = DIR
database = DIR/index.txt
new_certs_dir = DIR/issued
serial = DIR/serial
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = yes
preserve = yes
[ anything ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
emailAddress = optional
`;

function asn1Time(epochSeconds: number): string {
  return new Date(epochSeconds * 1000)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** A throwaway PKI in a temp folder, driven through `openssl ca` so dates and serials are exact. */
export class TestPki {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'ooe-pki-'));
    mkdirSync(join(this.dir, 'issued'));
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'ca.cnf'), CA_CONFIG.replaceAll('DIR', this.dir));
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A fresh EC P-256 key, PEM (PKCS#8). */
  key(name: string): string {
    const keyPath = join(this.dir, `${name}.key`);
    this.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
    return keyPath;
  }

  issue(name: string, options: IssueOptions): Issued {
    const keyPath = this.key(name);
    const csrPath = join(this.dir, `${name}.csr`);
    const certPath = join(this.dir, `${name}.crt`);
    const extPath = join(this.dir, `${name}.ext`);
    const extensions = ['[ ext ]'];
    if (options.ca) {
      extensions.push(
        'basicConstraints = critical, CA:TRUE',
        'keyUsage = critical, keyCertSign, cRLSign',
        'subjectKeyIdentifier = hash',
      );
    } else {
      extensions.push(
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth',
        'subjectKeyIdentifier = hash',
      );
    }
    if (options.issuer) extensions.push('authorityKeyIdentifier = keyid:always');
    if (options.san) extensions.push(`subjectAltName = ${options.san}`);
    writeFileSync(extPath, `${extensions.join('\n')}\n`);
    writeFileSync(join(this.dir, 'serial'), `${options.serial}\n`);
    this.openssl(['req', '-new', '-key', keyPath, '-subj', options.subject, '-out', csrPath]);
    const signer = options.issuer
      ? ['-cert', options.issuer.certPath, '-keyfile', options.issuer.keyPath]
      : ['-selfsign', '-keyfile', keyPath];
    this.openssl([
      'ca',
      '-batch',
      '-notext',
      '-config',
      join(this.dir, 'ca.cnf'),
      ...signer,
      '-in',
      csrPath,
      '-out',
      certPath,
      '-startdate',
      asn1Time(options.notBefore),
      '-enddate',
      asn1Time(options.notAfter),
      '-extfile',
      extPath,
      '-extensions',
      'ext',
    ]);
    return {
      name,
      certPath,
      keyPath,
      certPem: readFileSync(certPath, 'utf8'),
      keyPem: readFileSync(keyPath, 'utf8'),
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      serial: options.serial,
    };
  }

  /** `openssl x509 -enddate` of a file, as epoch seconds: the figure the exporter must agree with. */
  opensslNotAfter(certPath: string): number {
    const out = execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-enddate'], { encoding: 'utf8' });
    return Date.parse(out.trim().replace(/^notAfter=/, '')) / 1000;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
