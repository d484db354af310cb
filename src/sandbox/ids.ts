import { randomBytes, randomInt } from 'node:crypto';

/** Random identifiers shaped like the ones the platform hands out, so code that logs or stores them sees realistic values. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

/** PHP `uniqid('', true)`: 14 hex digits, a dot, 8 digits — the platform's workflow id format. */
export function workflowId(): string {
  return `${randomHex(7)}.${String(randomInt(100_000_000)).padStart(8, '0')}`;
}

/** Activity names inside an automation template look like `A40364_79843_85254_57332`. */
export function activityName(): string {
  const part = () => String(randomInt(10_000, 100_000));
  return `A${part()}_${part()}_${part()}_${part()}`;
}

export function localClientId(): string {
  return `local.${randomHex(7)}.${String(randomInt(100_000_000)).padStart(8, '0')}`;
}
