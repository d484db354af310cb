import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, lazyRequestLogger, requestLineLogger } from '../../src/log.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), cb()) });
  return { lines, log: createLogger('trace', sink) };
}

describe('request logging', () => {
  it('the request line keeps its fields and hides a secret put among them', () => {
    const { lines, log } = capture();
    requestLineLogger(log).info({ reqId: 'req-1', route: '/bitrix/robots/:code', status: 200, application_token: 'app-secret', accessToken: 'tok' }, 'request');
    expect(lines[0]).toMatchObject({ reqId: 'req-1', route: '/bitrix/robots/:code', status: 200, application_token: '[redacted]', accessToken: '[redacted]', msg: 'request' });
  });

  it("a request's own logger carries its id and the full redaction, made only when something logs", () => {
    const { lines, log } = capture();
    let children = 0;
    const parent = new Proxy(log, { get: (t, p, r) => (p === 'child' ? (...a: Parameters<typeof log.child>) => (children++, t.child(...a)) : Reflect.get(t, p, r)) });
    const reqLog = lazyRequestLogger(parent, { reqId: 'req-2' }, {});
    expect(reqLog.level).toBe('trace');
    expect(children).toBe(0);
    reqLog.warn({ portal: { access_token: 'deep-secret' } }, 'refresh failed');
    reqLog.error('again');
    expect(children).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ reqId: 'req-2', level: 40, msg: 'refresh failed', portal: { access_token: '[redacted]' } });
    expect(lines[1]).toMatchObject({ reqId: 'req-2', level: 50, msg: 'again' });
  });
});
