import type { AnyRobot } from './framework/types.js';
import { ping } from './ping/index.js';
import { generateInvoice } from './generate_invoice/index.js';
import { generateAct } from './generate_act/index.js';
import { sendDocuments } from './send_documents/index.js';
import { waitForPayment } from './wait_for_payment/index.js';
import { startLeaseBilling } from './start_lease_billing/index.js';
import { stopLeaseBilling } from './stop_lease_billing/index.js';

/**
 * The static robot registry: install registers exactly these, the HTTP handler accepts exactly
 * these codes, and the worker runs them. Adding a robot = adding its folder and one line here.
 */
export const ROBOTS: readonly AnyRobot[] = [ping, generateInvoice, generateAct, sendDocuments, waitForPayment, startLeaseBilling, stopLeaseBilling];

const byCode = new Map(ROBOTS.map((r) => [r.code, r]));

export function findRobot(code: string): AnyRobot | undefined {
  return byCode.get(code);
}
