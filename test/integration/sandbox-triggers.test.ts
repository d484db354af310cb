import { afterEach, describe, expect, it } from 'vitest';
import { seedDemoPortal } from '../../src/sandbox/crm/index.js';
import type { Sandbox } from '../../src/sandbox/portal.js';
import { rest, restForm, startReceiver, startTestSandbox, waitFor } from './sandbox-test-kit.js';

let sb: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
afterEach(async () => {
  await receiver?.close();
  await sb?.close();
});

const PAID = 'qrbill_invoice_paid';

/**
 * The rental pipeline (C1) of the demo portal, the app installed; the app's token is the one the install
 * callback delivered, as our service keeps it.
 */
async function setup() {
  sb = await startTestSandbox();
  receiver = await startReceiver();
  const seed = seedDemoPortal(sb.crm, { deals: false });
  expect((await sb.installApp(`${receiver.base}/install`)).status).toBe(200);
  const appToken: string = receiver.received[0]!.body.auth.access_token;
  const call = (method: string, params: Record<string, unknown> = {}, auth = appToken) => rest(sb, method, params, auth);
  const newDeal = async (stageId: string, categoryId = seed.rentalCategoryId): Promise<number> =>
    (await call('crm.deal.add', { fields: { TITLE: 'Аренда офиса, март', CATEGORY_ID: categoryId, STAGE_ID: stageId } })).body.result;
  return { seed, appToken, call, newDeal };
}

/** Robots of the act stage, to see that entering it by a trigger runs them. */
async function addActRobot(call: (m: string, p: Record<string, unknown>) => Promise<{ body: any }>) {
  const added = await call('bizproc.robot.add', {
    CODE: 'generate_act',
    HANDLER: `${receiver.base}/bitrix/robots/generate_act`,
    AUTH_USER_ID: 1,
    USE_SUBSCRIPTION: 'N',
    NAME: 'Сформировать акт',
  });
  expect(added.body.result).toBe(true);
  sb.setStageAutomation(1, 'C1:FINAL_INVOICE', [{ type: 'robot', code: 'generate_act' }]);
}

const robotCalls = (code: string) => receiver.received.filter((r) => r.url.endsWith(`/bitrix/robots/${code}`));
const stageOf = (dealId: number) => sb.crm.deals.get(dealId)?.STAGE_ID;

describe('sandbox application triggers (crm.automation.trigger.*)', () => {
  it('registers the app’s triggers, lists them, renames on a repeated CODE and deletes them', async () => {
    const { call } = await setup();
    expect((await call('crm.automation.trigger.list')).body.result).toEqual([]);

    for (const [CODE, NAME] of [
      [PAID, 'Счёт оплачен'],
      ['qrbill_invoice_partly_paid', 'Счёт оплачен частично'],
      ['qrbill_invoice_overdue', 'Счёт просрочен'],
    ]) {
      const added = await call('crm.automation.trigger.add', { CODE, NAME });
      expect(added).toMatchObject({ status: 200, body: { result: true } });
    }
    // A repeated CODE is not an error and not a second trigger: the platform renames the existing one.
    expect((await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен полностью' })).body.result).toBe(true);

    const listed = await call('crm.automation.trigger.list', { start: 1, filter: { CODE: PAID } });
    expect(listed.body.result).toEqual([
      { NAME: 'Счёт оплачен полностью', CODE: PAID },
      { NAME: 'Счёт оплачен частично', CODE: 'qrbill_invoice_partly_paid' },
      { NAME: 'Счёт просрочен', CODE: 'qrbill_invoice_overdue' },
    ]);
    expect(listed.body.total).toBeUndefined();

    expect((await call('crm.automation.trigger.delete', { CODE: 'qrbill_invoice_overdue' })).body.result).toBe(true);
    expect(await call('crm.automation.trigger.delete', { CODE: 'qrbill_invoice_overdue' })).toEqual({
      status: 400,
      body: { error: '', error_description: 'Trigger not found' },
    });
    expect(sb.appTriggers().map((t) => t.CODE)).toEqual([PAID, 'qrbill_invoice_partly_paid']);
  });

  it('refuses an empty or malformed CODE and an empty NAME with the documented texts', async () => {
    const { call } = await setup();
    const refused = async (params: Record<string, unknown>) => {
      const r = await call('crm.automation.trigger.add', params);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('');
      return r.body.error_description;
    };
    expect(await refused({ NAME: 'Счёт оплачен' })).toBe('Empty trigger code!');
    expect(await refused({ CODE: '0', NAME: 'Счёт оплачен' })).toBe('Empty trigger code!');
    expect(await refused({ CODE: 'счёт_оплачен', NAME: 'Счёт оплачен' })).toBe('Wrong trigger code!');
    expect(await refused({ CODE: 'invoice paid', NAME: 'Счёт оплачен' })).toBe('Wrong trigger code!');
    expect(await refused({ CODE: PAID })).toBe('Empty trigger name!');
    expect(await refused({ CODE: PAID, NAME: '' })).toBe('Empty trigger name!');
    // Latin letters of either case, digits, dot, hyphen and underscore are the whole alphabet.
    expect((await call('crm.automation.trigger.add', { code: 'QrBill.Paid-2_x', name: 'Счёт оплачен' })).body.result).toBe(true);
    expect(sb.appTriggers()).toEqual([{ NAME: 'Счёт оплачен', CODE: 'QrBill.Paid-2_x' }]);
  });

  it('is for administrators only: a manager’s token can neither register, list nor execute', async () => {
    const { seed, call, newDeal } = await setup();
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }]);
    const dealId = await newDeal('C1:EXECUTING');
    const manager = sb.issueTokens(seed.users.manager).access_token;

    const denied = { status: 403, body: { error: 'ACCESS_DENIED', error_description: 'Access denied! Admin permissions required' } };
    expect(await call('crm.automation.trigger.add', { CODE: 'qrbill_invoice_overdue', NAME: 'Счёт просрочен' }, manager)).toEqual(denied);
    expect(await call('crm.automation.trigger.list', {}, manager)).toEqual(denied);
    expect(await call('crm.automation.trigger.delete', { CODE: PAID }, manager)).toEqual(denied);
    expect(await call('crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: dealId }, manager)).toEqual(denied);

    expect(sb.appTriggers().map((t) => t.CODE)).toEqual([PAID]);
    expect(stageOf(dealId)).toBe('C1:EXECUTING');
    expect(sb.triggerExecutions()).toEqual([]);
  });

  it('moves a deal from an earlier stage to the bound stage and runs that stage’s robots', async () => {
    const { call, newDeal, appToken } = await setup();
    await addActRobot(call);
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }]);
    const dealId = await newDeal('C1:EXECUTING');
    await sb.runUntilIdle();

    // Form-encoded, as a PHP-style client would send it.
    const executed = await restForm(sb, 'crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: '2', OWNER_ID: String(dealId) }, appToken);
    expect(executed).toMatchObject({ status: 200, body: { result: true } });
    // The stage has changed by the time the call answers; the robots run after it.
    expect(stageOf(dealId)).toBe('C1:FINAL_INVOICE');
    await sb.runUntilIdle();

    const act = await waitFor(() => robotCalls('generate_act')[0]);
    expect(act.body.document_id).toEqual(['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`]);
    expect(sb.workflowLog().filter((e) => e.dealId === dealId && e.type === 'stage_changed').map((e) => [e.fromStageId, e.toStageId])).toEqual([
      [null, 'C1:EXECUTING'],
      ['C1:EXECUTING', 'C1:FINAL_INVOICE'],
    ]);
    expect(sb.triggerExecutions()).toEqual([
      {
        at: '2026-03-02T09:00:00.000Z',
        appId: sb.clientId,
        code: PAID,
        ownerTypeId: 2,
        ownerId: dealId,
        userId: 1,
        outcome: 'moved',
        fromStageId: 'C1:EXECUTING',
        toStageId: 'C1:FINAL_INVOICE',
      },
    ]);
  });

  it('abandons the robot still waiting in the stage the trigger moves the deal out of', async () => {
    const { call, newDeal } = await setup();
    await call('bizproc.robot.add', {
      CODE: 'wait_for_payment',
      HANDLER: `${receiver.base}/bitrix/robots/wait_for_payment`,
      USE_SUBSCRIPTION: 'Y',
      NAME: 'Ждать оплату',
    });
    sb.setStageAutomation(1, 'C1:EXECUTING', [{ type: 'robot', code: 'wait_for_payment' }]);
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }]);
    const dealId = await newDeal('C1:EXECUTING');
    await waitFor(() => robotCalls('wait_for_payment')[0]);

    await call('crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: dealId });
    await sb.runUntilIdle();
    expect(stageOf(dealId)).toBe('C1:FINAL_INVOICE');
    expect(sb.workflowLog().some((e) => e.dealId === dealId && e.type === 'abandoned' && e.stageId === 'C1:EXECUTING')).toBe(true);
  });

  it('never moves a deal back from the bound stage or beyond it, unless the binding allows moving back', async () => {
    const { call, newDeal } = await setup();
    await addActRobot(call);
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }]);
    const atStage = await newDeal('C1:FINAL_INVOICE');
    const beyond = await newDeal('C1:WON');
    await sb.runUntilIdle();
    const actsBefore = robotCalls('generate_act').length;

    for (const dealId of [atStage, beyond]) {
      // The answer is `true` even though nothing moves, exactly as documented.
      expect((await call('crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: dealId })).body.result).toBe(true);
    }
    await sb.runUntilIdle();
    expect([stageOf(atStage), stageOf(beyond)]).toEqual(['C1:FINAL_INVOICE', 'C1:WON']);
    expect(robotCalls('generate_act')).toHaveLength(actsBefore);
    expect(sb.triggerExecutions().map((e) => e.outcome)).toEqual(['not_moved', 'not_moved']);

    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID, allowBackwards: true }]);
    await call('crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: beyond });
    expect(stageOf(beyond)).toBe('C1:FINAL_INVOICE');
  });

  it('takes the earliest bound stage that is still ahead of the deal', async () => {
    const { call, newDeal } = await setup();
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    sb.setStageTriggers(1, 'C1:1', [{ code: PAID }]);
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }]);
    const early = await newDeal('C1:NEW');
    const later = await newDeal('C1:FINAL_INVOICE');
    for (const dealId of [early, later]) await call('crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: dealId });
    expect([stageOf(early), stageOf(later)]).toEqual(['C1:FINAL_INVOICE', 'C1:1']);
  });

  it('does nothing, and still answers true, for a deal of another pipeline, an unbound trigger or a missing deal', async () => {
    const { call, newDeal } = await setup();
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    await call('crm.automation.trigger.add', { CODE: 'qrbill_invoice_overdue', NAME: 'Счёт просрочен' });
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }]);
    const otherPipeline = await newDeal('NEW', 0);
    const rental = await newDeal('C1:EXECUTING');

    const fire = async (CODE: string, OWNER_ID: number, OWNER_TYPE_ID = 2) =>
      (await call('crm.automation.trigger.execute', { CODE, OWNER_TYPE_ID, OWNER_ID })).body.result;
    expect(await fire(PAID, otherPipeline)).toBe(true);
    expect(await fire('qrbill_invoice_overdue', rental)).toBe(true);
    expect(await fire(PAID, 999_999)).toBe(true);
    // A company is a valid owner type; the sandbox accepts it but runs triggers for deals only.
    expect(await fire(PAID, 1, 4)).toBe(true);

    expect([stageOf(otherPipeline), stageOf(rental)]).toEqual(['NEW', 'C1:EXECUTING']);
    expect(sb.triggerExecutions().map((e) => [e.code, e.ownerId, e.outcome])).toEqual([
      [PAID, otherPipeline, 'no_binding'],
      ['qrbill_invoice_overdue', rental, 'no_binding'],
      [PAID, 999_999, 'no_object'],
      [PAID, 1, 'not_modelled'],
    ]);
  });

  it('refuses an unregistered CODE, an unknown owner type and a missing or non-positive OWNER_ID', async () => {
    const { call, newDeal } = await setup();
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }, { code: 'qrbill_invoice_overdue' }]);
    const dealId = await newDeal('C1:EXECUTING');

    const refused = async (params: Record<string, unknown>) => {
      const r = await call('crm.automation.trigger.execute', params);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('');
      return r.body.error_description;
    };
    // Bound to a stage, but this app never registered it.
    expect(await refused({ CODE: 'qrbill_invoice_overdue', OWNER_TYPE_ID: 2, OWNER_ID: dealId })).toBe(
      'Trigger with code qrbill_invoice_overdue is not registered.',
    );
    expect(await refused({ OWNER_TYPE_ID: 2, OWNER_ID: dealId })).toBe('Empty trigger code!');
    expect(await refused({ CODE: PAID, OWNER_ID: dealId })).toBe('Incorrect parameter OWNER_TYPE_ID.');
    expect(await refused({ CODE: PAID, OWNER_TYPE_ID: 999, OWNER_ID: dealId })).toBe('Incorrect parameter OWNER_TYPE_ID.');
    expect(await refused({ CODE: PAID, OWNER_TYPE_ID: 2 })).toBe('Incorrect parameter OWNER_ID.');
    expect(await refused({ CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: 0 })).toBe('Incorrect parameter OWNER_ID.');
    expect(await refused({ CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: -5 })).toBe('Incorrect parameter OWNER_ID.');

    expect(stageOf(dealId)).toBe('C1:EXECUTING');
    expect(sb.triggerExecutions()).toEqual([]);
  });

  it('drops the app’s triggers on uninstall but keeps the bindings, which fire again once the app re-registers', async () => {
    const { call, newDeal } = await setup();
    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' });
    sb.setStageTriggers(1, 'C1:FINAL_INVOICE', [{ code: PAID }]);
    const dealId = await newDeal('C1:EXECUTING');

    expect((await sb.uninstallApp(`${receiver.base}/events`, { clean: false })).status).toBe(200);
    expect(sb.appTriggers()).toEqual([]);

    await sb.installApp(`${receiver.base}/install`);
    const fresh: string = receiver.received.filter((r) => r.url === '/install').at(-1)!.body.auth.access_token;
    expect((await call('crm.automation.trigger.list', {}, fresh)).body.result).toEqual([]);
    expect((await call('crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: dealId }, fresh)).body.error_description).toBe(
      `Trigger with code ${PAID} is not registered.`,
    );

    await call('crm.automation.trigger.add', { CODE: PAID, NAME: 'Счёт оплачен' }, fresh);
    await call('crm.automation.trigger.execute', { CODE: PAID, OWNER_TYPE_ID: 2, OWNER_ID: dealId }, fresh);
    expect(stageOf(dealId)).toBe('C1:FINAL_INVOICE');
  });
});

