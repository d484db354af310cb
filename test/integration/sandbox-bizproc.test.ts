import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/portal.js';
import { rest, startReceiver, startTestSandbox } from './sandbox-test-kit.js';

let sb: Sandbox;
let closeReceiver: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeReceiver?.();
  closeReceiver = undefined;
  await sb?.close();
});

const robot = (over: Record<string, unknown> = {}) => ({
  CODE: 'generate_invoice',
  HANDLER: 'https://billing.example.ru/bitrix/robots/generate_invoice',
  AUTH_USER_ID: 1,
  USE_SUBSCRIPTION: 'Y',
  NAME: { ru: 'Сформировать счёт', en: 'Generate invoice' },
  PROPERTIES: { periodStart: { Name: 'Начало периода', Type: 'date', Required: 'Y' } },
  RETURN_PROPERTIES: {
    status: { Name: 'Статус', Type: 'select', Options: { ok: 'OK', error: 'Ошибка' } },
    error_text: { Name: 'Текст ошибки', Type: 'string' },
  },
  ...over,
});

describe('sandbox bizproc.robot.*', () => {
  it('validates robot.add like the platform', async () => {
    sb = await startTestSandbox();
    const admin = sb.issueTokens(1).access_token;
    const add = (params: Record<string, unknown>) => rest(sb, 'bizproc.robot.add', params, admin);
    const err = async (params: Record<string, unknown>) => {
      const a = await add(params);
      return [a.status, a.body.error, a.body.error_description];
    };
    expect(await err(robot({ CODE: 'bad code!' }))).toEqual([400, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Wrong activity code!']);
    expect(await err(robot({ CODE: '' }))).toEqual([400, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Empty activity code!']);
    expect(await err(robot({ NAME: '' }))).toEqual([400, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Empty activity NAME!']);
    expect(await err(robot({ PROPERTIES: { '1st': { Name: 'x' } } }))).toEqual([
      400,
      'ERROR_ACTIVITY_VALIDATION_FAILURE',
      'Wrong property key (1st)!',
    ]);
    expect(await err(robot({ RETURN_PROPERTIES: { status: { Type: 'string' } } }))).toEqual([
      400,
      'ERROR_ACTIVITY_VALIDATION_FAILURE',
      'Empty property NAME (status)!',
    ]);
    expect((await err(robot({ HANDLER: 'not a url' })))[1]).toBe('ERROR_WRONG_HANDLER_URL');
    expect((await err(robot({ HANDLER: 'ftp://billing.example.ru/x' })))[1]).toBe('ERROR_UNSUPPORTED_PROTOCOL');
    expect(sb.robots().size).toBe(0);

    // Property codes keep their case and are accepted case-insensitively; definition keys are upper-cased.
    expect((await add(robot({ PROPERTIES: { PeriodStart: { name: 'Начало' } } }))).body.result).toBe(true);
    expect(sb.robots().get('generate_invoice')?.PROPERTIES).toEqual({ PeriodStart: { NAME: 'Начало' } });
    expect(await err(robot())).toEqual([400, 'ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Robot already installed!']);

    const user2 = sb.issueTokens(2).access_token;
    const denied = await rest(sb, 'bizproc.robot.add', robot({ CODE: 'other' }), user2);
    expect(denied).toEqual({ status: 403, body: { error: 'ACCESS_DENIED', error_description: 'Access denied!' } });
    expect((await rest(sb, 'bizproc.robot.list', {}, user2)).status).toBe(403);
  });

  it('updates, lists and deletes robots', async () => {
    sb = await startTestSandbox();
    const admin = sb.issueTokens(1).access_token;
    await rest(sb, 'bizproc.robot.add', robot({ use_subscription: 'N', USE_SUBSCRIPTION: undefined }), admin);
    expect(sb.robots().get('generate_invoice')?.USE_SUBSCRIPTION).toBe('N');

    expect((await rest(sb, 'bizproc.robot.update', { CODE: 'generate_invoice', HANDLER: 'https://x.ru/h' }, admin)).body).toEqual({
      error: 'ERROR_ACTIVITY_VALIDATION_FAILURE',
      error_description: 'No fields to update',
    });
    expect((await rest(sb, 'bizproc.robot.update', { CODE: 'missing', FIELDS: { NAME: 'x' } }, admin)).body.error).toBe(
      'ERROR_ACTIVITY_NOT_FOUND',
    );
    const upd = await rest(sb, 'bizproc.robot.update', { code: 'generate_invoice', fields: { use_subscription: 'Y', handler: 'https://x.ru/h' } }, admin);
    expect(upd.body.result).toBe(true);
    expect(sb.robots().get('generate_invoice')).toMatchObject({ USE_SUBSCRIPTION: 'Y', HANDLER: 'https://x.ru/h' });

    expect((await rest(sb, 'bizproc.robot.list', {}, admin)).body.result).toEqual(['generate_invoice']);
    expect((await rest(sb, 'bizproc.robot.delete', { CODE: 'generate_invoice' }, admin)).body.result).toBe(true);
    expect((await rest(sb, 'bizproc.robot.delete', { CODE: 'generate_invoice' }, admin)).body.error).toBe('ERROR_ACTIVITY_NOT_FOUND');
    expect((await rest(sb, 'bizproc.robot.list', {}, admin)).body.result).toEqual([]);
  });
});

describe('sandbox bizproc.event.send', () => {
  it('closes the step on the first send only, keeps declared return values, and denies a tampered token', async () => {
    sb = await startTestSandbox();
    const receiver = await startReceiver();
    closeReceiver = receiver.close;
    const admin = sb.issueTokens(1).access_token;
    await rest(sb, 'bizproc.robot.add', robot({ HANDLER: `${receiver.base}/bitrix/robots/generate_invoice` }), admin);
    const dealId = (await rest(sb, 'crm.deal.add', { fields: { TITLE: 'Аренда' } }, admin)).body.result;

    const payload = await sb.deliverRobotCall('generate_invoice', dealId, { periodStart: '2026-03-01' });
    const token = String(payload.event_token);
    expect(token).toMatch(/^[0-9a-f]{14}\.\d{8}\|A\d{5}_\d{5}_\d{5}_\d{5}\|[A-Za-z0-9]{32}\.[0-9a-f]{64}$/);

    const tampered = token.replace('|', '%7C');
    expect(await rest(sb, 'bizproc.event.send', { EVENT_TOKEN: tampered, RETURN_VALUES: { status: 'ok' } })).toEqual({
      status: 401,
      body: expect.objectContaining({ error: 'NO_AUTH_FOUND' }),
    });
    const user2 = sb.issueTokens(2).access_token;
    expect(await rest(sb, 'bizproc.event.send', { EVENT_TOKEN: tampered, RETURN_VALUES: { status: 'ok' } }, user2)).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', error_description: 'Access denied!' },
    });

    // Any user may answer; keys match RETURN_PROPERTIES case-insensitively; undeclared keys are dropped.
    const first = await rest(
      sb,
      'bizproc.event.send',
      { event_token: token, return_values: { STATUS: 'ok', invoiceNumber: '17', error_text: '' }, log_message: 'Счёт 17' },
      user2,
    );
    expect(first.body.result).toBe(true);
    const second = await rest(sb, 'bizproc.event.send', { EVENT_TOKEN: token, RETURN_VALUES: { status: 'error' } }, user2);
    expect(second.body.result).toBe(true);

    expect(sb.eventSends().map((s) => [s.closedStep, s.error ?? null])).toEqual([
      [false, 'ACCESS_DENIED'],
      [true, null],
      [false, null],
    ]);
    const answers = sb.workflowLog().filter((e) => e.type === 'answer');
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ robot: 'generate_invoice', returnValues: { status: 'ok', error_text: '' }, message: 'Счёт 17' });
    await sb.runUntilIdle();

    expect((await rest(sb, 'bizproc.activity.log', { EVENT_TOKEN: token, LOG_MESSAGE: '' }, user2)).body.error).toBe(
      'ERROR_EMPTY_LOG_MESSAGE',
    );
  });
});
