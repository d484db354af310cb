/**
 * Checksums of Russian requisites (reference §3). Every code is a string: leading zeros are significant.
 * These answer "is it well-formed"; only the CBR BIC directory can say whether a bank really exists.
 */
const digitsOf = (s: string): number[] => [...s].map(Number);

function weightedSum(digits: number[], weights: number[]): number {
  return weights.reduce((sum, w, i) => sum + w * (digits[i] ?? 0), 0);
}

const INN10_W = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN11_W = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_W = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/** 10 or 12 digits, ignoring the checksum. */
export function isInnFormat(s: string): boolean {
  return /^(\d{10}|\d{12})$/.test(s);
}

/** `0000000000` passes the weighted sum (every product is 0) but no tax office ever issues it. */
export function isZeroInn(s: string): boolean {
  return /^0+$/.test(s);
}

export function isValidInn(s: string): boolean {
  if (!isInnFormat(s) || isZeroInn(s)) return false;
  const d = digitsOf(s);
  const check = (w: number[]) => (weightedSum(d, w) % 11) % 10;
  if (d.length === 10) return check(INN10_W) === d[9];
  return check(INN11_W) === d[10] && check(INN12_W) === d[11];
}

/** `NNNNPPXXX`: the reason code may hold Latin capitals since 2013; no checksum exists. */
export function isValidKpp(s: string): boolean {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(s) && !/^(.)\1{8}$/.test(s);
}

/** ОГРН: 13 digits, first 1 or 5, last digit = (first 12 mod 11) mod 10. */
export function isValidOgrn(s: string): boolean {
  if (!/^[15]\d{12}$/.test(s)) return false;
  return Number((BigInt(s.slice(0, 12)) % 11n) % 10n) === Number(s[12]);
}

/** ОГРНИП: 15 digits, first 3 or 4, last digit = (first 14 mod 13) mod 10. */
export function isValidOgrnip(s: string): boolean {
  if (!/^[34]\d{14}$/.test(s)) return false;
  return Number((BigInt(s.slice(0, 14)) % 13n) % 10n) === Number(s[14]);
}

/** 9 digits starting with 0: `04…` banks and CBR divisions, `01…` treasury (ТОФК). No checksum. */
export function isValidBic(s: string): boolean {
  return /^0\d{8}$/.test(s);
}

const KEY_W = [7, 1, 3];

function keyOk(prefix3: string, account: string): boolean {
  const d = digitsOf(prefix3 + account);
  const sum = d.reduce((acc, digit, i) => acc + ((digit * (KEY_W[i % 3] ?? 0)) % 10), 0);
  return sum % 10 === 0;
}

const isAccountFormat = (s: string) => /^\d{20}$/.test(s);

/** True for a BIC of a Bank of Russia settlement centre (РКЦ): digits 7–8 are `00`. */
export function isRkcBic(bic: string): boolean {
  return bic.slice(6, 8) === '00';
}

/**
 * Settlement account against its BIC (7-1-3 key over the BIC's last 3 digits + account; for an РКЦ
 * `"0"` + BIC digits 5–6). Treasury accounts `03…` carry no key and pass on format alone.
 */
export function isValidAccountForBic(account: string, bic: string): boolean {
  if (!isAccountFormat(account) || !isValidBic(bic)) return false;
  if (account.startsWith('03')) return true;
  const prefix = isRkcBic(bic) ? `0${bic.slice(4, 6)}` : bic.slice(6, 9);
  return keyOk(prefix, account);
}

/** True for a BIC of a territorial body of the Federal Treasury (ТОФК): since the 2021 reform they start with `01`. */
export function isTreasuryBic(bic: string): boolean {
  return bic.startsWith('01');
}

/**
 * What a correspondent account must start with for its BIC: a bank's corr. account in the Bank of Russia
 * is `30101…`; a treasury payee's «corr. account» is the single treasury account (ЕКС) `40102…`.
 */
export function corrAccountPrefixFor(bic: string): '30101' | '40102' {
  return isTreasuryBic(bic) ? '40102' : '30101';
}

/** Bank's correspondent account against its BIC: the `30101`/`40102` prefix, then the key over `"0"` + BIC digits 5–6 + account. */
export function isValidCorrAccountForBic(corr: string, bic: string): boolean {
  if (!isAccountFormat(corr) || !isValidBic(bic)) return false;
  if (!corr.startsWith(corrAccountPrefixFor(bic))) return false;
  return keyOk(`0${bic.slice(4, 6)}`, corr);
}
