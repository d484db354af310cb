import { describe, expect, it } from 'vitest';
import { AppError, ValidationError } from '../../src/errors.js';
import { describeJobError } from '../../src/jobs/failure.js';
import { isPermanent as isPermanentJobError } from '../../src/errors.js';

describe('job error classification', () => {
  it('treats only AppErrors that say retryable=false as permanent', () => {
    expect(isPermanentJobError(new AppError('DEAL_NOT_FOUND', 'Сделка не найдена'))).toBe(true);
    expect(isPermanentJobError(new ValidationError([{ path: 'inn', message: 'неверный ИНН' }]))).toBe(true);
    expect(isPermanentJobError(new AppError('BITRIX_UNAVAILABLE', 'Bitrix24 недоступен', { retryable: true }))).toBe(false);
    expect(isPermanentJobError(new Error('socket hang up'))).toBe(false);
    expect(isPermanentJobError('a string')).toBe(false);
  });

  it('records the code and the message', () => {
    expect(describeJobError(new AppError('DEAL_NOT_FOUND', 'Сделка не найдена'))).toBe('DEAL_NOT_FOUND: Сделка не найдена');
    const net = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(describeJobError(net)).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:443');
    expect(describeJobError(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
    expect(describeJobError('boom')).toBe('ERROR: boom');
  });

  it('truncates huge messages', () => {
    expect(describeJobError(new Error('x'.repeat(10_000))).length).toBeLessThanOrEqual(2_001);
  });
});
