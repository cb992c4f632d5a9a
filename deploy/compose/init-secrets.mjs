// Writes the stack's secrets once (a volume keeps them across restarts); prints no secret.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';

function once(path, value) {
  if (existsSync(path)) return;
  writeFileSync(path, value, { mode: 0o444 });
  chmodSync(path, 0o444); // read by DS (root), PostgreSQL, the exporter (uid 1000) and Alertmanager (nobody)
  console.log(`created ${path}`);
}

once('/secrets/ds/jwt-secret', process.env.JWT_SECRET || randomBytes(24).toString('hex'));
once('/secrets/ds/db-password', randomBytes(24).toString('hex'));
once('/secrets/notify/onlyoffice-exporter-notify-token', randomBytes(24).toString('hex'));
