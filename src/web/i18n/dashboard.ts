/** The overview page. */
export const dashboard = {
  ru: {
    'dash.month': 'Итоги за {month}',
    'dash.issued': 'Выставлено',
    'dash.paid': 'Оплачено',
    'dash.overdue': 'Просрочено',
    'dash.invoicesCount': 'счетов: {n}',
  },
  en: {
    'dash.month': 'Totals for {month}',
    'dash.issued': 'Invoiced',
    'dash.paid': 'Collected',
    'dash.overdue': 'Overdue',
    'dash.invoicesCount': 'invoices: {n}',
  },
} as const;
