/**
 * What the invoicing integration tests share: the rental pipeline's stages, automation set-ups as an
 * admin would drop the robots on a stage, and the ways a user looks at the result (the answer the
 * business process got, the documents behind the links, the QR a banking app reads).
 */
import { runMaintenance } from '../../src/worker.js';
import { expect } from 'vitest';
import type { Harness } from '../helpers/harness.js';
import type { AutomationStep, EventSendRecord } from '../../src/sandbox/portal.js';
import { parseGostPayload } from '../../src/qr/payload.js';
import { pdfText, scanPdfQr, scanQr } from '../helpers/pdfTools.js';

export const RENT = 1;
export const STAGE = {
  new: 'C1:NEW',
  issue: 'C1:PREPARATION', // «Выставить счет»
  sent: 'C1:PREPAYMENT_INVOICE', // «Счет отправлен»
  awaiting: 'C1:EXECUTING', // «Ожидание оплаты»
  paid: 'C1:FINAL_INVOICE', // «Оплачено»
  actSent: 'C1:1', // «Акт отправлен»
  won: 'C1:WON',
} as const;

export const robot = (code: string, properties: Record<string, string | string[]> = {}): AutomationStep => ({
  type: 'robot',
  code,
  properties,
});

/** Moves on only when the robot answered status=ok, as the admin sets it up. */
export const moveIfOk = (code: string, toStageId: string): AutomationStep => ({
  type: 'move',
  toStageId,
  when: { robot: code, returnValue: 'status', equals: 'ok' },
});

/** generate_invoice on «Выставить счет», then on to «Счет отправлен». */
export function invoiceOnIssueStage(h: Harness, properties: Record<string, string> = {}): void {
  h.sandbox.setStageAutomation(RENT, STAGE.issue, [robot('generate_invoice', properties), moveIfOk('generate_invoice', STAGE.sent)]);
}

export const answersFor = (h: Harness, token: string): EventSendRecord[] =>
  h.sandbox.eventSends().filter((e) => e.eventToken === token);

/** The single answer of a call; fails the test when there is none or more than one. */
export function onlyAnswer(h: Harness, token: string): Record<string, unknown> {
  const answers = answersFor(h, token);
  expect(answers, `answers to ${token}`).toHaveLength(1);
  return answers[0]!.returnValues;
}

/** The event tokens of the robot calls automation made for a deal, in order. */
export function callTokens(h: Harness, dealId: number, code: string): string[] {
  return h.sandbox
    .workflowLog()
    .filter((e) => e.type === 'robot_call' && e.dealId === dealId && e.robot === code)
    .map((e) => e.eventToken!);
}

/** One robot call outside automation, run to its answer. */
export async function runRobot(
  h: Harness,
  code: string,
  dealId: number,
  properties: Record<string, string | string[]> = {},
): Promise<{ payload: Record<string, unknown>; answer: Record<string, unknown> }> {
  const payload = await h.sandbox.deliverRobotCall(code, dealId, properties);
  await h.sandbox.runUntilIdle();
  return { payload, answer: onlyAnswer(h, String(payload.event_token)) };
}

/** HTTP requests the service made to the portal (a batch counts once, as the platform's limits do). */
export const httpRequests = (h: Harness) => h.sandbox.requests().filter((r) => !r.inBatch);

export interface FetchedFile {
  status: number;
  type: string | null;
  disposition: string | null;
  body: Buffer;
}

export async function fetchFile(url: string): Promise<FetchedFile> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** The file name a browser shows for a download (the RFC 5987 UTF-8 one). */
export function dispositionName(disposition: string | null): string {
  const m = /filename\*=UTF-8''([^;]+)/.exec(disposition ?? '');
  return m ? decodeURIComponent(m[1]!) : '';
}

/** A PDF link as a client opens it: must be a PDF; returns its text (`pdftotext -layout`). */
export async function pdfAt(url: string): Promise<{ text: string; file: FetchedFile }> {
  const file = await fetchFile(url);
  expect(file.status, url).toBe(200);
  expect(file.type).toBe('application/pdf');
  return { text: await pdfText(file.body), file };
}

/** What a banking app reads from the QR printed in a PDF (page 1 by default). */
export async function qrFieldsInPdf(pdf: Uint8Array, page = 1): Promise<Record<string, string>> {
  return parseGostPayload(await scanPdfQr(pdf, page)).fields;
}

export async function qrFieldsInPng(png: Uint8Array): Promise<Record<string, string>> {
  return parseGostPayload(await scanQr(png)).fields;
}

/** Text with whitespace runs collapsed (sentences wrap over lines in the PDF). */
export const flat = (s: string) => s.replace(/\s+/g, ' ');

/**
 * Until the service's worker has nothing pending or running and the portal's automation is idle. `ignoreWaiting`
 * names robots whose steps may stay parked (wait_for_payment waiting for its money is not a hang).
 */
export async function settle(h: Harness, ignoreWaiting: string[] = []): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const c = await h.server.deps.jobs.counts();
    if (c.pending === 0 && c.running === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await h.sandbox.runUntilIdle(ignoreWaiting.length ? { ignoreWaiting } : {});
}

/** Moves the clock to a Moscow wall time and runs maintenance twice (a second pass must find nothing to do). */
export async function atMoscow(h: Harness, wall: string): Promise<void> {
  h.clock.set(`${wall}+03:00`);
  await runMaintenance(h.server.deps);
  await runMaintenance(h.server.deps);
  await settle(h);
}
