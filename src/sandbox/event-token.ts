import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomAlnum } from './ids.js';

export interface EventTokenParts {
  workflowId: string;
  activityName: string;
  eventId: string;
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** `<workflowId>|<activityName>|<32-char eventId>.<hmac>`, the shape robots receive as `event_token`. */
export function issueEventToken(secret: string, workflowId: string, activityName: string): string {
  const body = `${workflowId}|${activityName}|${randomAlnum(32)}`;
  return `${body}.${sign(secret, body)}`;
}

/** The parts of a token whose signature holds, or null for a corrupted or foreign token. */
export function verifyEventToken(secret: string, token: unknown): EventTokenParts | null {
  if (typeof token !== 'string') return null;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(secret, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [workflowId, activityName, eventId, ...rest] = body.split('|');
  if (!workflowId || !activityName || !eventId || rest.length > 0) return null;
  return { workflowId, activityName, eventId };
}
