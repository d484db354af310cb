/**
 * `npm run bench`: every benchmark of the project, printing measured figures (never asserting them:
 * speed targets are read by people, not by the unit tests).
 */
import { paymentsBench } from './payments.js';
import { paymentsImportBench } from './paymentsImport.js';
import { renderBench } from './render.js';
import { robotsBench } from './robots.js';
import { acceptBench } from './accept.js';
import { pagesBench } from './pages.js';

const benches: Array<[string, () => Promise<void>]> = [
  ['render', renderBench],
  ['robots', robotsBench],
  ['accept', acceptBench],
  ['payments', paymentsBench],
  ['payments-import', paymentsImportBench],
  ['pages', pagesBench],
];

const only = process.argv[2];
for (const [name, run] of benches) {
  if (only && only !== name) continue;
  console.log(`\n== ${name} ==`);
  await run();
}
