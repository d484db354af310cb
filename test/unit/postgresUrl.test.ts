import { describe, expect, it } from 'vitest';
import { isPostgresUrl, parsePostgresUrl } from '../../src/storage/db.js';

describe('DATABASE_URL handling', () => {
  it('selects PostgreSQL only for postgres:// and postgresql:// URLs', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl(undefined)).toBe(false);
    expect(isPostgresUrl('')).toBe(false);
    expect(isPostgresUrl('sqlite:///data/x.sqlite')).toBe(false);
  });

  it('takes ?schema= off the URL given to the driver and keeps other parameters', () => {
    const parsed = parsePostgresUrl('postgres://app:secret@db:5432/billing?schema=tenant_a&sslmode=require');
    expect(parsed.schema).toBe('tenant_a');
    expect(parsed.connectionString).toBe('postgres://app:secret@db:5432/billing?sslmode=require');
  });

  it('passes a URL without ?schema= through untouched', () => {
    const url = 'postgres://db/billing?options=-c%20search_path%3Dtenant_b';
    expect(parsePostgresUrl(url)).toEqual({ connectionString: url });
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => parsePostgresUrl('postgres://db/x?schema=a";drop')).toThrow(
      expect.objectContaining({ code: 'DATABASE_URL_INVALID' }),
    );
  });
});
