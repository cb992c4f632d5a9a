import { createHash, X509Certificate } from 'node:crypto';
import { splitPemCertificates } from '../lib/pem.js';

/**
 * Certificate facts read straight from the DER, so they never depend on verification and match what
 * blackbox_exporter (Go crypto/x509) prints: subject/issuer as pkix.Name.String(), serial as `%x` of its bytes.
 */
export interface CertificateFacts {
  notBefore: number;
  /** Epoch seconds. */
  notAfter: number;
  subject: string;
  issuer: string;
  /** dNSName entries of subjectAltName, comma-joined (blackbox `subjectalternative`). */
  dnsNames: string;
  serialNumber: string;
  fingerprintSha256: string;
}

export { splitPemCertificates };

/** Parses the PEM certificates of a text; throws on a block that is not a certificate. */
export function parsePemCertificates(text: string): X509Certificate[] {
  return splitPemCertificates(text).map((pem) => new X509Certificate(pem));
}

/** `child` was issued and signed by `parent` (names, key identifiers and the signature). */
export function isIssuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** Signed by its own key under its own name (a root, or a self-signed leaf, which need not be allowed to sign certificates). */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** DER element: tag byte, content bounds, end. */
interface Element {
  tag: number;
  /** Where the tag byte is. */
  offset: number;
  start: number;
  end: number;
}

function readElement(der: Uint8Array, offset: number): Element {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) throw new Error('truncated DER');
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  const end = start + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, offset, start, end };
}

function children(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const element = readElement(der, offset);
    out.push(element);
    offset = element.end;
  }
  return out;
}

function oidText(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  bytes.forEach((byte) => {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) return;
    if (parts.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      parts.push(first, value - first * 40);
    } else {
      parts.push(value);
    }
    value = 0;
  });
  return parts.join('.');
}

/** ASN.1 string types Go decodes into a Go string (crypto/x509 parseName). */
function decodeString(tag: number, bytes: Uint8Array): string | undefined {
  switch (tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
      return Buffer.from(bytes).toString('utf8');
    case 0x14: // T61String (Go reads it as Latin-1)
      return Buffer.from(bytes).toString('latin1');
    case 0x1e: {
      // BMPString, UTF-16BE
      const swapped = Buffer.from(bytes);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    default:
      return undefined;
  }
}

const GO_ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
};
// pkix.Name.ToRDNSequence order; the string form prints it reversed.
const GO_FIELD_ORDER = [
  '2.5.4.6',
  '2.5.4.8',
  '2.5.4.7',
  '2.5.4.9',
  '2.5.4.17',
  '2.5.4.10',
  '2.5.4.11',
  '2.5.4.3',
  '2.5.4.5',
];
const GO_SINGLE_VALUED = new Set(['2.5.4.3', '2.5.4.5']);

interface Attribute {
  oid: string;
  value: string | undefined;
  /** The value's DER, for attributes Go cannot read as a string. */
  der: Uint8Array;
}

function parseName(der: Uint8Array, name: Element): Attribute[] {
  const attributes: Attribute[] = [];
  for (const set of children(der, name)) {
    for (const sequence of children(der, set)) {
      const [type, value] = children(der, sequence);
      if (!type || !value) continue;
      attributes.push({
        oid: oidText(der.subarray(type.start, type.end)),
        value: decodeString(value.tag, der.subarray(value.start, value.end)),
        der: der.subarray(value.offset, value.end),
      });
    }
  }
  return attributes;
}

function goEscape(value: string): string {
  let out = '';
  const last = value.length - 1;
  for (let k = 0; k < value.length; k++) {
    const c = value[k]!;
    const escape = ',+"\\<>;'.includes(c) || (c === ' ' && (k === 0 || k === last)) || (c === '#' && k === 0);
    out += escape ? `\\${c}` : c;
  }
  return out;
}

function isGoPrintable(c: string): boolean {
  return /[A-Za-z0-9 '()+,\-./:=?]/.test(c);
}

/** asn1.Marshal of a Go string: PrintableString when it can be, UTF8String otherwise. */
function goMarshalString(value: string): Buffer {
  const body = Buffer.from(value, 'utf8');
  const tag = [...value].every(isGoPrintable) ? 0x13 : 0x0c;
  const length =
    body.length < 128
      ? Buffer.from([body.length])
      : body.length < 256
        ? Buffer.from([0x81, body.length])
        : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

/** Go's pkix.Name.String() (RFC 2253-like, most specific first), as blackbox_exporter puts in labels. */
export function goNameString(attributes: Attribute[]): string {
  const rdns: Attribute[][] = [];
  // Attributes Go has no field for come first in the sequence, so last in the string.
  for (const attribute of attributes) {
    if (!GO_FIELD_ORDER.includes(attribute.oid)) rdns.push([attribute]);
  }
  for (const oid of GO_FIELD_ORDER) {
    let values = attributes.filter((attribute) => attribute.oid === oid);
    if (GO_SINGLE_VALUED.has(oid)) values = values.slice(-1);
    if (values.length > 0) rdns.push(values);
  }
  return rdns
    .reverse()
    .map((rdn) =>
      rdn
        .map((attribute) => {
          const name = GO_ATTRIBUTE_NAMES[attribute.oid];
          if (name === undefined) {
            const der = attribute.value === undefined ? Buffer.from(attribute.der) : goMarshalString(attribute.value);
            return `${attribute.oid}=#${der.toString('hex')}`;
          }
          return `${name}=${goEscape(attribute.value ?? '')}`;
        })
        .join('+'),
    )
    .join(',');
}

function parseTime(der: Uint8Array, element: Element): number {
  const text = Buffer.from(der.subarray(element.start, element.end)).toString('latin1');
  const match =
    element.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw new Error(`unsupported certificate time ${text}`);
  let year = Number(match[1]);
  if (element.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return (
    Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])) / 1000
  );
}

const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/**
 * Reads the facts of one certificate from its DER. A certificate this small reader cannot follow still gets
 * OpenSSL's view (dates, names in OpenSSL's spelling) rather than failing the whole collector.
 */
// Certificates are immutable and a probed server sends the same objects back (Trust.walk keeps them): parse each once.
const factsOf = new WeakMap<X509Certificate, CertificateFacts>();

export function certificateFacts(cert: X509Certificate): CertificateFacts {
  let facts = factsOf.get(cert);
  if (facts === undefined) {
    facts = Object.freeze(computeFacts(cert));
    factsOf.set(cert, facts);
  }
  return facts;
}

function computeFacts(cert: X509Certificate): CertificateFacts {
  try {
    return readFacts(cert);
  } catch {
    return {
      notBefore: Date.parse(cert.validFrom) / 1000,
      notAfter: Date.parse(cert.validTo) / 1000,
      subject: cert.subject.split('\n').reverse().join(','),
      issuer: cert.issuer.split('\n').reverse().join(','),
      dnsNames: (cert.subjectAltName ?? '')
        .split(', ')
        .filter((name) => name.startsWith('DNS:'))
        .map((name) => name.slice(4))
        .join(','),
      serialNumber: cert.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ''),
      fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
    };
  }
}

function readFacts(cert: X509Certificate): CertificateFacts {
  const der = new Uint8Array(cert.raw);
  const certificate = readElement(der, 0);
  const tbs = children(der, certificate)[0];
  if (!tbs) throw new Error('not a certificate');
  const fields = children(der, tbs);
  let index = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version
  const serial = fields[index++]!;
  index++; // signature algorithm
  const issuer = fields[index++]!;
  const validity = fields[index++]!;
  const subject = fields[index++]!;
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) throw new Error('certificate without validity');

  let dnsNames: string[] = [];
  const extensions = fields.find((field) => field.tag === 0xa3);
  if (extensions) {
    const list = children(der, extensions)[0];
    for (const extension of list ? children(der, list) : []) {
      const parts = children(der, extension);
      if (!parts[0] || oidText(der.subarray(parts[0].start, parts[0].end)) !== OID_SUBJECT_ALT_NAME) continue;
      const octets = parts[parts.length - 1]!;
      const names = readElement(der, octets.start);
      dnsNames = children(der, names)
        .filter((name) => name.tag === 0x82)
        .map((name) => Buffer.from(der.subarray(name.start, name.end)).toString('latin1'));
    }
  }

  // Go prints big.Int.Bytes() in hex: no sign byte, no leading zero bytes.
  let serialBytes = der.subarray(serial.start, serial.end);
  while (serialBytes.length > 0 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);

  return {
    notBefore: parseTime(der, notBefore),
    notAfter: parseTime(der, notAfter),
    subject: goNameString(parseName(der, subject)),
    issuer: goNameString(parseName(der, issuer)),
    dnsNames: dnsNames.join(','),
    serialNumber: Buffer.from(serialBytes).toString('hex'),
    fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
  };
}

export interface ChainWalk {
  /** Leaf first, each next one the issuer of the previous. */
  chain: X509Certificate[];
  /** The walk ended at a self-signed certificate or at one issued by a trust anchor. */
  complete: boolean;
}

/**
 * Builds the chain from `leaf` through `candidates` (the other certificates sent or stored with it) and
 * ends at a self-signed one or at a trust anchor. Incomplete means an issuer is missing from what was given.
 */
export function walkChain(leaf: X509Certificate, candidates: X509Certificate[], anchors: TrustAnchors): ChainWalk {
  const chain = [leaf];
  let current = leaf;
  for (;;) {
    if (isSelfSigned(current)) return { chain, complete: true };
    const next = candidates.find((candidate) => !chain.includes(candidate) && isIssuedBy(current, candidate));
    if (next) {
      chain.push(next);
      current = next;
      continue;
    }
    const anchor = anchors.issuerOf(current);
    if (anchor) {
      chain.push(anchor);
      return { chain, complete: true };
    }
    return { chain, complete: false };
  }
}

/** Self-signed trusted roots, indexed by subject. */
export class TrustAnchors {
  private readonly bySubject = new Map<string, X509Certificate[]>();
  readonly pem: string[] = [];
  /** Certificates given as trust that are not self-signed (intermediates): not used as anchors. */
  readonly skipped: number;

  constructor(pemBlocks: Iterable<string>) {
    const seen = new Set<string>();
    let skipped = 0;
    for (const pem of pemBlocks) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch {
        skipped++;
        continue;
      }
      if (seen.has(cert.fingerprint256)) continue;
      seen.add(cert.fingerprint256);
      if (!isSelfSigned(cert)) {
        skipped++;
        continue;
      }
      const list = this.bySubject.get(cert.subject) ?? [];
      list.push(cert);
      this.bySubject.set(cert.subject, list);
      this.pem.push(pem);
    }
    this.skipped = skipped;
  }

  get size(): number {
    return this.pem.length;
  }

  issuerOf(cert: X509Certificate): X509Certificate | undefined {
    return this.bySubject.get(cert.issuer)?.find((anchor) => isIssuedBy(cert, anchor));
  }

  has(cert: X509Certificate): boolean {
    return this.bySubject.get(cert.subject)?.some((anchor) => anchor.fingerprint256 === cert.fingerprint256) ?? false;
  }
}
