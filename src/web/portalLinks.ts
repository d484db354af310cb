/**
 * Links from the app's pages back into the portal's CRM cards. They open in the portal itself (`target="_top"`), at
 * the origin the portal was installed from (its stored REST endpoint), the same origin the pages' CSP lets frame them.
 */
export const crmDealUrl = (portalOrigin: string, dealId: number | string) => `${portalOrigin}/crm/deal/details/${encodeURIComponent(String(dealId))}/`;

export const crmCompanyUrl = (portalOrigin: string, companyId: number | string) =>
  `${portalOrigin}/crm/company/details/${encodeURIComponent(String(companyId))}/`;
