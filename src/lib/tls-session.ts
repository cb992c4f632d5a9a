/**
 * A serialized TLS client session (what Node's `session` event gives) without the peer certificate inside it.
 *
 * The session is OpenSSL's `i2d_SSL_SESSION` encoding: a DER SEQUENCE whose optional `[3]` element is the server's
 * certificate (`ASN1_EXP_OPT(SSL_SESSION_ASN1, peer, X509, 3)` in openssl/openssl ssl/ssl_asn1.c, the same from 1.1.0
 * to 3.x). Handing the session back with `setSession` decodes that certificate, and with OpenSSL 3 decoding its public
 * key is a walk over every loaded decoder: about a third of a resumed connection's CPU. A resumption does not use the
 * certificate (the keys come from the session's master secret), so a client that accepts a resumed session on its own
 * terms (the WebSocket client keeps only sessions of connections that were verified) can drop it.
 *
 * Anything that does not parse as expected comes back unchanged: the cost stays, nothing breaks.
 */
export function withoutPeerCertificate(session: Buffer): Buffer {
  const outer = element(session, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== session.length) return session;
  const kept: Buffer[] = [];
  let offset = outer.bodyStart;
  let dropped = false;
  while (offset < outer.end) {
    const item = element(session, offset);
    if (!item || item.end > outer.end) return session;
    if (item.tag === 0xa3) dropped = true;
    else kept.push(session.subarray(offset, item.end));
    offset = item.end;
  }
  if (!dropped) return session;
  const body = Buffer.concat(kept);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** One DER element at `offset`: its tag, where its contents start and where it ends; undefined when malformed. */
function element(der: Buffer, offset: number): { tag: number; bodyStart: number; end: number } | undefined {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset]!;
  // Single-byte tags only: every element of SSL_SESSION_ASN1 has one.
  if ((tag & 0x1f) === 0x1f) return undefined;
  const first = der[offset + 1]!;
  let length = first;
  let bodyStart = offset + 2;
  if (first & 0x80) {
    const bytes = first & 0x7f;
    if (bytes === 0 || bytes > 4 || offset + 2 + bytes > der.length) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[offset + 2 + i]!;
    bodyStart += bytes;
  }
  const end = bodyStart + length;
  return end <= der.length ? { tag, bodyStart, end } : undefined;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
