/**
 * A deal named in a notification or a timeline comment, as a link Bitrix24 renders from its BB-code
 * (`[URL=…]text[/URL]`); the path is relative, so it opens on whatever address the user reached the portal by.
 */
export function dealRef(dealId: number, title: string): string {
  return `[URL=/crm/deal/details/${dealId}/]${title}[/URL]`;
}
