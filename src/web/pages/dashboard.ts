import { DateTime } from 'luxon';
import { crmDealUrl } from '../portalLinks.js';
import { monthTotals, monthlyFlow } from '../../storage/billingTotals.js';
import { overdueInvoices, paymentsOfInvoices, periodsControlledBetween } from '../../storage/dashboardLists.js';
import { stepsOf } from '../../storage/overdueSteps.js';
import { listSchedules } from '../../storage/leases.js';
import { getPortalSettings } from '../../settings/portalSettings.js';
import { parsePenaltySetting } from '../../overdue/penalty.js';
import { overdueLines } from '../dashboard/overdueLines.js';
import { upcomingLeaseDates, warmLeaseCalendars } from '../dashboard/leaseDates.js';
import { formatMoney, formatMonth } from '../format.js';
import { translate } from '../i18n/index.js';
import type { Page } from './types.js';

/** The overdue list shows the longest overdue first; the rest is counted under it (the totals card has them all). */
export const OVERDUE_SHOWN = 20;
/** How far ahead the lease control dates are listed, and how many of the soonest are shown (the rest counted). */
export const LEASE_DAYS_AHEAD = 30;
export const LEASES_SHOWN = 6;
/** Claimed lease periods this many days back still show while their deal is not created. */
const LEASE_DAYS_BACK = 60;

/** When a ladder step fires, counted from the due date: «за 3 дн. до срока», «в день срока», «5-й день просрочки». */
function stepWhen(day: number, lang: 'ru' | 'en'): string {
  if (day < 0) return translate(lang, 'dash.step.before', { n: -day });
  if (day === 0) return translate(lang, 'dash.step.onDue');
  return translate(lang, 'dash.step.after', { n: day });
}

/** The app's main page: this month at a glance, a year of billed against collected, who owes, what comes next. */
export const dashboardPage: Page = {
  template: 'dashboard',
  nav: 'dashboard',
  title: 'nav.dashboard',
  scripts: ['chart.umd.min.js', 'dashboard.js'],
  // Opening the app lands here: the lease calendars (the one costly part on a cold process) are worked out while
  // the portal's browser follows the redirect.
  async prepare(deps, ctx) {
    const today = DateTime.fromJSDate(ctx.now, { zone: ctx.zone }).startOf('day');
    const schedules = await listSchedules(deps.database.db, ctx.portal.member_id, 'active');
    await warmLeaseCalendars(schedules, ctx.zone, today.plus({ days: LEASE_DAYS_AHEAD }).toISODate()!);
  },
  async load(deps, ctx) {
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    const today = DateTime.fromJSDate(ctx.now, { zone: ctx.zone }).startOf('day');
    const todayIso = today.toISODate()!;

    const months = Array.from({ length: 12 }, (_, i) => today.startOf('month').minus({ months: 11 - i }).toFormat('yyyy-MM'));
    const until = today.plus({ days: LEASE_DAYS_AHEAD }).toISODate()!;
    // Independent reads at once: on PostgreSQL they run side by side on the pool.
    const [totals, flow, settings, invoices, schedules] = await Promise.all([
      monthTotals(db, memberId, today.startOf('month').toISODate()!, today.endOf('month').toISODate()!, todayIso),
      monthlyFlow(db, memberId, months),
      getPortalSettings(db, memberId),
      overdueInvoices(db, memberId, todayIso, OVERDUE_SHOWN),
      listSchedules(db, memberId, 'active'),
    ]);
    const chart = {
      lang: ctx.lang,
      labels: months.map((m) => formatMonth(m, ctx.lang)),
      series: [
        { label: translate(ctx.lang, 'dash.chart.billed'), kopecks: flow.map((f) => f.billedKopecks) },
        { label: translate(ctx.lang, 'dash.chart.collected'), kopecks: flow.map((f) => f.collectedKopecks) },
      ],
    };
    const billedYear = flow.reduce((s, f) => s + f.billedKopecks, 0);
    const collectedYear = flow.reduce((s, f) => s + f.collectedKopecks, 0);

    const ids = invoices.map((i) => i.id);
    const penalty = parsePenaltySetting(settings.penalty);
    const [paid, steps] = await Promise.all([paymentsOfInvoices(db, memberId, ids), stepsOf(db, memberId, ids)]);
    const overdue = overdueLines(invoices, paid, steps, penalty, ctx.now, ctx.zone);
    const shownOwed = overdue.reduce((s, o) => s + o.owedKopecks, 0);

    const known = await periodsControlledBetween(db, schedules.map((s) => s.id), today.minus({ days: LEASE_DAYS_BACK }).toISODate()!, until);
    const leases = upcomingLeaseDates(schedules, known, ctx.zone, todayIso, until);

    const dealUrl = (id: number) => crmDealUrl(ctx.portalOrigin, id);
    return {
      // «Итоги за ноябрь 2026»: the full name of the month (nominative reads right after «за»: all months are masculine).
      monthName: today.setLocale(ctx.lang === 'ru' ? 'ru' : 'en-GB').toFormat('LLLL yyyy'),
      totals,
      chart,
      hasFlow: billedYear > 0 || collectedYear > 0,
      chartSummary: translate(ctx.lang, 'dash.chart.summary', {
        from: formatMonth(months[0]!, ctx.lang),
        to: formatMonth(months[months.length - 1]!, ctx.lang),
        billed: formatMoney(billedYear, ctx.lang),
        collected: formatMoney(collectedYear, ctx.lang),
      }),
      flow: flow.map((f) => ({ ...f, label: DateTime.fromISO(`${f.month}-01`).setLocale(ctx.lang === 'ru' ? 'ru' : 'en-GB').toFormat('LLLL yyyy') })),
      overdue: overdue.map((o) => ({
        ...o,
        // Not `date`: a view field named like a helper would be called as that helper.
        invoiceDate: o.date,
        dealUrl: dealUrl(o.dealId),
        stepKey: o.step ? `dash.step.${o.step.action}` : null,
        stepWhen: o.step ? stepWhen(o.step.day, ctx.lang) : null,
      })),
      overdueMore: totals.overdueCount > overdue.length ? { count: totals.overdueCount - overdue.length, kopecks: totals.overdueKopecks - shownOwed } : null,
      penaltyOn: penalty !== null,
      leases: leases.slice(0, LEASES_SHOWN).map((l) => ({ ...l, dealUrl: dealUrl(l.contractDealId) })),
      leasesMore:
        leases.length > LEASES_SHOWN
          ? { count: leases.length - LEASES_SHOWN, kopecks: leases.slice(LEASES_SHOWN).reduce((s, l) => s + l.amountKopecks, 0) }
          : null,
      leaseDaysAhead: LEASE_DAYS_AHEAD,
    };
  },
};
