import { afterEach, describe, expect, it } from 'vitest';
import { seedDemoPortal } from '../../src/sandbox/crm/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/portal.js';
import { rest, startReceiver, waitFor } from './sandbox-test-kit.js';

let sb: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
afterEach(async () => {
  await receiver?.close();
  await sb?.close();
});

describe('sandbox portal with the CRM', () => {
  it('runs rental-pipeline automation on a seeded deal moved through REST', async () => {
    sb = await startSandbox();
    const seed = seedDemoPortal(sb.crm);
    const dealId = seed.deals.tenant!;
    receiver = await startReceiver();
    const admin = sb.issueTokens(seed.users.admin).access_token;
    const added = await rest(
      sb,
      'bizproc.robot.add',
      {
        CODE: 'generate_invoice',
        HANDLER: `${receiver.base}/bitrix/robots/generate_invoice`,
        USE_SUBSCRIPTION: 'Y',
        NAME: 'Счёт',
        PROPERTIES: { title: { Name: 'Заголовок' } },
        RETURN_PROPERTIES: { status: { Name: 'Статус' } },
      },
      admin,
    );
    expect(added.body.result).toBe(true);
    const cat = seed.rentalCategoryId;
    sb.setStageAutomation(cat, `C${cat}:PREPARATION`, [
      { type: 'robot', code: 'generate_invoice', properties: { title: '{=Document:TITLE}' } },
      { type: 'move', toStageId: `C${cat}:PREPAYMENT_INVOICE`, when: { robot: 'generate_invoice', returnValue: 'status', equals: 'ok' } },
    ]);

    // A manager drags the deal (crm.item.update with the manager's token fires automation like the UI).
    const manager = sb.issueTokens(seed.users.manager).access_token;
    const moved = await rest(sb, 'crm.item.update', { entityTypeId: 2, id: dealId, fields: { stageId: `C${cat}:PREPARATION` } }, manager);
    expect(moved.status).toBe(200);

    const call = await waitFor(() => receiver.received[0]);
    const title = (await rest(sb, 'crm.deal.get', { id: dealId }, admin)).body.result.TITLE;
    expect(call.body).toMatchObject({ document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`], properties: { title } });

    await rest(sb, 'bizproc.event.send', { EVENT_TOKEN: call.body.event_token, RETURN_VALUES: { status: 'ok' } }, call.body.auth.access_token);
    await sb.runUntilIdle();
    expect((await rest(sb, 'crm.deal.get', { id: dealId }, admin)).body.result.STAGE_ID).toBe(`C${cat}:PREPAYMENT_INVOICE`);
  });
});
