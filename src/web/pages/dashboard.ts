import { DateTime } from 'luxon';
import { monthTotals } from '../../storage/billingTotals.js';
import type { Page } from './types.js';

/** The app's main page: this month at a glance. */
export const dashboardPage: Page = {
  template: 'dashboard',
  nav: 'dashboard',
  title: 'nav.dashboard',
  async load(deps, ctx) {
    const today = DateTime.fromJSDate(ctx.now, { zone: ctx.zone });
    const from = today.startOf('month').toISODate()!;
    const to = today.endOf('month').toISODate()!;
    const totals = await monthTotals(deps.database.db, ctx.portal.member_id, from, to, today.toISODate()!);
    return { month: today.toFormat('yyyy-MM'), totals };
  },
};
