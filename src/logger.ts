import pino, { type Logger } from 'pino';

// Secrets can only reach a log through these keys; pino censors them wherever they appear.
const REDACT = [
  'secret',
  '*.secret',
  '*.*.secret',
  'browser_secret',
  '*.browser_secret',
  '*.*.browser_secret',
  'password',
  '*.password',
  '*.*.password',
  'bearer_token',
  '*.bearer_token',
  '*.*.bearer_token',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[REDACTED]' }, base: { service: 'onlyoffice-exporter' } },
    destination,
  );
}

export type { Logger };
