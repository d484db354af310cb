/**
 * `qrbill apikey <member_id> [list] [--json]`, `… create [label]`, `… revoke <id>`: the keys 1C (or a bank
 * integration) sends as `Authorization: Bearer <key>` to the payments API. A key is shown once, when made; only its
 * hash is stored.
 */
import { loadConfig } from '../config.js';
import { clockFor } from '../clock.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../storage/apiKeys.js';
import { apiKeyLabelIssues } from '../settings/rules.js';
import { withDatabase, knownPortal } from './admin.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';

const USAGE = `Usage: qrbill apikey <member_id> [list] [--json]
       qrbill apikey <member_id> create [label]
       qrbill apikey <member_id> revoke <id>`;

export async function apikeyCommand(argv: string[], io: CommandIo): Promise<number> {
  const json = argv.includes('--json');
  const [memberId, action = 'list', ...rest] = argv.filter((a) => a !== '--json');
  if (!memberId || !['list', 'create', 'revoke'].includes(action)) {
    io.stderr(USAGE);
    return EXIT_USAGE;
  }
  const now = clockFor(loadConfig()).now();
  return withDatabase(async ({ db }) => {
    if (!(await knownPortal(db, memberId, io))) return EXIT_INPUT;
    if (action === 'create') {
      const label = rest.join(' ').trim() || '1C';
      const bad = apiKeyLabelIssues(label)[0];
      if (bad) {
        io.stderr(bad.messageEn ?? bad.message);
        return EXIT_USAGE;
      }
      const { key, info } = await createApiKey(db, memberId, label, now);
      if (json) io.stdout(JSON.stringify({ ...info, key }, null, 2));
      else {
        io.stdout(`API key ${info.id} («${info.label}») created. It is shown only now — store it where 1C keeps secrets:`);
        io.stdout(key);
        io.stdout(`Send it as: Authorization: Bearer ${key.slice(0, 12)}…`);
      }
      return EXIT_OK;
    }
    if (action === 'revoke') {
      const id = Number(rest[0]);
      if (!/^\d+$/.test(rest[0] ?? '')) {
        io.stderr(`revoke: expected a key id (see qrbill apikey ${memberId}), got "${rest[0] ?? ''}"`);
        return EXIT_USAGE;
      }
      if (!(await revokeApiKey(db, memberId, id, now))) {
        io.stderr(`No active API key ${id} for portal ${memberId}.`);
        return EXIT_INPUT;
      }
      io.stdout(`API key ${id} revoked: requests with it are refused from now on.`);
      return EXIT_OK;
    }
    const keys = await listApiKeys(db, memberId);
    if (json) io.stdout(JSON.stringify(keys, null, 2));
    else if (!keys.length) io.stdout(`No API keys yet: qrbill apikey ${memberId} create "1C"`);
    else {
      io.stdout('id  key starts     label                 created               last used             state');
      for (const k of keys) {
        io.stdout(
          `${String(k.id).padEnd(3)} ${k.prefix}…  ${k.label.padEnd(20).slice(0, 20)}  ${k.createdAt.slice(0, 19)}   ${(k.lastUsedAt ?? '—').slice(0, 19).padEnd(19)}   ${k.revokedAt ? `revoked ${k.revokedAt.slice(0, 10)}` : 'active'}`,
        );
      }
    }
    return EXIT_OK;
  });
}
