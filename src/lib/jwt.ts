import { createHmac } from 'node:crypto';

const base64url = (input: string | Buffer) => Buffer.from(input).toString('base64url');

/** HS256 JWT as DocumentServer's inbox check expects (jsonwebtoken-compatible). */
export function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  lifetimeSeconds = 300,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify({ ...payload, iat, exp: iat + lifetimeSeconds }));
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}
