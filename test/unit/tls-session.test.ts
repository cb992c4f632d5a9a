import { withoutPeerCertificate } from '../../src/lib/tls-session.js';

/** A DER element: tag, definite length (short or long form), contents. */
function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : body.length < 0x100
        ? Buffer.from([0x81, body.length])
        : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const integer = (n: number) => der(0x02, Buffer.from([n]));
const octets = (size: number, fill: number) => der(0x04, Buffer.alloc(size, fill));

describe('withoutPeerCertificate', () => {
  // The shape of OpenSSL's SSL_SESSION_ASN1: version, ssl_version, cipher, id, master key, [1] time, [2] timeout,
  // [3] the peer certificate, [4] the session id context, ... (openssl ssl/ssl_asn1.c).
  const head = [integer(1), der(0x02, Buffer.from([0x03, 0x03])), octets(2, 0xc0), octets(32, 1), octets(48, 2)];
  const times = [der(0xa1, integer(9)), der(0xa2, integer(7))];
  const tail = [der(0xa4, octets(0, 0)), der(0xa5, integer(0))];

  test.each([
    ['short lengths', 20],
    ['a certificate over 255 bytes (two-byte lengths)', 700],
  ])('drops the [3] element and nothing else (%s)', (_name, certificateBytes) => {
    const certificate = der(0xa3, der(0x30, octets(certificateBytes, 9)));
    const session = der(0x30, ...head, ...times, certificate, ...tail);
    expect(withoutPeerCertificate(session)).toEqual(der(0x30, ...head, ...times, ...tail));
  });

  test('a session without a certificate comes back as it is', () => {
    const session = der(0x30, ...head, ...times, ...tail);
    expect(withoutPeerCertificate(session)).toBe(session);
  });

  test.each<[string, Buffer]>([
    ['empty', Buffer.alloc(0)],
    ['not a SEQUENCE', der(0x31, integer(1), der(0xa3, octets(4, 9)))],
    ['a length past the end', Buffer.concat([Buffer.from([0x30, 0x20]), integer(1), der(0xa3, octets(4, 9))])],
    ['bytes after the SEQUENCE', Buffer.concat([der(0x30, integer(1), der(0xa3, octets(4, 9))), Buffer.from([0])])],
    ['an inner length past the SEQUENCE', Buffer.from([0x30, 0x05, 0xa3, 0x10, 0x04, 0x01, 0x00])],
    ['an indefinite length', Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00])],
    ['a multi-byte tag', Buffer.from([0x30, 0x05, 0xbf, 0x81, 0x01, 0x01, 0x00])],
  ])('anything else comes back unchanged: %s', (_name, input) => {
    expect(withoutPeerCertificate(input)).toBe(input);
  });
});
