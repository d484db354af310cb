/**
 * Whether repeating a REST method is harmless. Only these may be retried after a timeout, a dropped
 * connection or a 5xx, because the first attempt may already have run on the portal.
 * `bizproc.event.send` is safe: the platform closes the step on the first send and ignores repeats.
 */
const IDEMPOTENT_SUFFIXES = ['.get', '.list', '.fields'];
const IDEMPOTENT_METHODS = new Set([
  'user.current',
  'bizproc.robot.list',
  'bizproc.activity.list',
  'bizproc.event.send',
  'profile',
  'app.info',
  'server.time',
  'scope',
  'methods',
  'method.get',
  'feature.get',
]);

export function isIdempotentMethod(method: string): boolean {
  const m = method.trim().toLowerCase().replace(/\.json$/, '');
  if (IDEMPOTENT_METHODS.has(m)) return true;
  return IDEMPOTENT_SUFFIXES.some((s) => m.endsWith(s));
}
