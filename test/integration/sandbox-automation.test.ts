import { afterEach, describe, expect, it } from 'vitest';
import { seedDemoPortal } from '../../src/sandbox/crm/index.js';
import type { Sandbox } from '../../src/sandbox/portal.js';
import { rest, startReceiver, startTestSandbox, waitFor } from './sandbox-test-kit.js';

let sb: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
afterEach(async () => {
  await receiver?.close();
  await sb?.close();
});

async function setup(replyStatus: (url: string) => number = () => 200) {
  sb = await startTestSandbox();
  receiver = await startReceiver((r) => replyStatus(r.url));
  const { users } = seedDemoPortal(sb.crm, { deals: false });
  const admin = sb.issueTokens(users.admin).access_token;
  for (const [name, multiple] of [['AMOUNT', 'N'], ['EMAIL', 'Y']] as const) {
    const uf = await rest(sb, 'crm.deal.userfield.add', { fields: { FIELD_NAME: name, USER_TYPE_ID: 'string', MULTIPLE: multiple } }, admin);
    expect(uf.status).toBe(200);
  }
  const add = async (params: Record<string, unknown>) =>
    expect((await rest(sb, 'bizproc.robot.add', params, admin)).body.result).toBe(true);
  await add({
    CODE: 'generate_invoice',
    HANDLER: `${receiver.base}/bitrix/robots/generate_invoice`,
    AUTH_USER_ID: 1,
    USE_SUBSCRIPTION: 'Y',
    NAME: 'Сформировать счёт',
    PROPERTIES: {
      title: { Name: 'Заголовок' },
      amount: { Name: 'Сумма', Type: 'double' },
      responsible: { Name: 'Ответственный', Type: 'user' },
      emails: { Name: 'Адреса', Multiple: 'Y' },
      format: { Name: 'Формат', Type: 'select', Default: 'pdf', Options: { pdf: 'PDF' } },
    },
    RETURN_PROPERTIES: { status: { Name: 'Статус' }, error_text: { Name: 'Ошибка' } },
  });
  await add({
    CODE: 'send_documents',
    HANDLER: `${receiver.base}/bitrix/robots/send_documents`,
    USE_SUBSCRIPTION: 'N',
    NAME: 'Отправить документы',
  });
  sb.setStageAutomation(0, 'PREPARATION', [
    {
      type: 'robot',
      code: 'generate_invoice',
      properties: {
        title: 'Счёт: {=Document:TITLE} (сделка {=Document:ID})',
        amount: '{=Document:UF_CRM_AMOUNT}',
        responsible: '{=Document:ASSIGNED_BY_ID}',
        emails: ['a@example.ru', '{=Document:UF_CRM_EMAIL}'],
      },
    },
    { type: 'move', toStageId: 'EXECUTING', when: { robot: 'generate_invoice', returnValue: 'status', equals: 'ok' } },
  ]);
  sb.setStageAutomation(0, 'EXECUTING', [{ type: 'robot', code: 'send_documents' }]);
  const dealId: number = (
    await rest(sb, 'crm.deal.add', { fields: { TITLE: 'Аренда офиса', UF_CRM_AMOUNT: '150000.50', UF_CRM_EMAIL: ['b@example.ru'], ASSIGNED_BY_ID: users.manager } }, admin)
  ).body.result;
  return { admin, dealId, users };
}

const callsTo = (code: string) => receiver.received.filter((r) => r.url.endsWith(`/${code}`));

describe('sandbox automation', () => {
  it('POSTs the documented form-encoded robot call and waits for event.send before the move step', async () => {
    const { dealId, users } = await setup();
    await sb.moveDeal(dealId, 'PREPARATION');
    const call = await waitFor(() => callsTo('generate_invoice')[0]);

    expect(call.contentType).toBe('application/x-www-form-urlencoded');
    expect(call.raw).toContain(`document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal&document_id%5B2%5D=DEAL_${dealId}`);
    const body = call.body;
    expect(body).toMatchObject({
      code: 'generate_invoice',
      document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      properties: {
        title: `Счёт: Аренда офиса (сделка ${dealId})`,
        amount: '150000.50',
        responsible: String(users.manager),
        emails: ['a@example.ru', 'b@example.ru'],
        format: 'pdf',
      },
      use_subscription: 'Y',
      timeout_duration: '0',
      ts: String(Date.parse('2026-03-02T09:00:00Z') / 1000),
      auth: {
        expires_in: '3600',
        scope: expect.stringContaining('bizproc'),
        domain: sb.domain,
        server_endpoint: sb.serverEndpoint,
        client_endpoint: sb.restUrl,
        status: 'L',
        member_id: sb.memberId,
        user_id: '1',
        application_token: sb.applicationToken,
      },
    });
    expect(body.workflow_id).toMatch(/^[0-9a-f]{14}\.\d{8}$/);
    expect(body.event_token.startsWith(`${body.workflow_id}|`)).toBe(true);
    expect(body.auth.access_token).toMatch(/^[0-9a-f]{70}$/);
    expect(body.auth.refresh_token).toMatch(/^[0-9a-f]{70}$/);

    // The step waits: nothing else happens until the app answers.
    await expect(sb.runUntilIdle({ timeoutMs: 200 })).rejects.toThrow(/waiting for generate_invoice/);
    expect(sb.crm.deals.get(dealId)?.STAGE_ID).toBe('PREPARATION');

    // The app answers with the token from the payload, as our service's worker does.
    const sent = await rest(
      sb,
      'bizproc.event.send',
      { EVENT_TOKEN: body.event_token, RETURN_VALUES: { status: 'ok', error_text: '' } },
      body.auth.access_token,
    );
    expect(sent.body.result).toBe(true);
    await sb.runUntilIdle();

    expect(sb.crm.deals.get(dealId)?.STAGE_ID).toBe('EXECUTING');
    const next = callsTo('send_documents');
    expect(next).toHaveLength(1);
    expect(next[0]!.body).toMatchObject({ code: 'send_documents', use_subscription: 'N' });
    expect(next[0]!.body.properties).toBeUndefined();
    expect(sb.workflowLog().filter((e) => e.type === 'stage_changed').map((e) => [e.fromStageId, e.toStageId])).toEqual([
      [null, 'NEW'],
      ['NEW', 'PREPARATION'],
      ['PREPARATION', 'EXECUTING'],
    ]);
  });

  it('does not move when the return value does not match', async () => {
    const { dealId } = await setup();
    await sb.moveDeal(dealId, 'PREPARATION');
    const call = await waitFor(() => callsTo('generate_invoice')[0]);
    await rest(sb, 'bizproc.event.send', { EVENT_TOKEN: call.body.event_token, RETURN_VALUES: { status: 'error', error_text: 'Нет реквизитов' } }, call.body.auth.access_token);
    await sb.runUntilIdle();
    expect(sb.crm.deals.get(dealId)?.STAGE_ID).toBe('PREPARATION');
    expect(sb.workflowLog().some((e) => e.type === 'move_skipped')).toBe(true);
  });

  it('abandons the waiting workflow when the deal leaves the stage; a late answer is an error', async () => {
    const { dealId, admin } = await setup();
    await sb.moveDeal(dealId, 'PREPARATION');
    const call = await waitFor(() => callsTo('generate_invoice')[0]);
    await rest(sb, 'crm.deal.update', { id: dealId, fields: { STAGE_ID: 'LOSE' } }, admin);
    await sb.runUntilIdle();
    const late = await rest(sb, 'bizproc.event.send', { EVENT_TOKEN: call.body.event_token, RETURN_VALUES: { status: 'ok' } }, admin);
    expect(late.status).toBe(400);
    expect(sb.crm.deals.get(dealId)?.STAGE_ID).toBe('LOSE');
    expect(sb.workflowLog().some((e) => e.type === 'abandoned')).toBe(true);
  });

  it('never retries a failed delivery, and can deliver the same call twice on request', async () => {
    const { dealId } = await setup((url) => (url.endsWith('/send_documents') ? 500 : 200));
    sb.setStageAutomation(0, 'WON', [{ type: 'robot', code: 'send_documents' }]);
    await sb.moveDeal(dealId, 'WON');
    await sb.runUntilIdle();
    expect(callsTo('send_documents')).toHaveLength(1);
    expect(sb.workflowLog().find((e) => e.type === 'robot_call')).toMatchObject({ robot: 'send_documents', httpStatus: 500, delivered: false });

    const payload = await sb.deliverRobotCall('generate_invoice', dealId, { title: '{=Document:TITLE}' });
    expect((await sb.redeliverRobotCall(payload)).status).toBe(200);
    const [a, b] = callsTo('generate_invoice');
    expect(a!.raw).toBe(b!.raw);
    expect(a!.body.properties.title).toBe('Аренда офиса');
  });
});
