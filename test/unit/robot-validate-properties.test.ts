import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { propertyProblems } from '../../src/robots/framework/validateProperties.js';
import { many, yesNo } from '../../src/robots/framework/props.js';
import type { AnyRobot } from '../../src/robots/framework/types.js';

const robot = {
  properties: {
    amount: { name: { ru: 'Сумма', en: 'Amount' }, type: 'double' },
    flag: { name: { ru: 'Флаг', en: 'Flag' }, type: 'bool' },
    docs: { name: { ru: 'Документы', en: 'Docs' }, type: 'select' },
  },
  schema: z.object({
    amount: z.number(),
    flag: yesNo(false),
    docs: many(z.number()),
  }),
} as unknown as AnyRobot;

describe('property problems of a wrong type', () => {
  it('say «не заполнено» only when the property was left empty or not sent', () => {
    expect(propertyProblems(robot, { flag: 'Y' })).toBe('«Сумма» (amount): не заполнено');
    expect(propertyProblems(robot, { amount: '', flag: 'Y' })).toBe('«Сумма» (amount): не заполнено');
  });

  it('say the format is wrong when a value was sent', () => {
    expect(propertyProblems(robot, { amount: 'сто рублей', flag: 'Y' })).toBe('«Сумма» (amount): неверный формат значения');
    expect(propertyProblems(robot, { amount: 1, docs: ['x'] })).toBe('«Документы» (docs): неверный формат значения');
  });

  it('keep a Russian message the schema wrote for the manager', () => {
    expect(propertyProblems(robot, { amount: 1, flag: 'maybe' })).toBe('«Флаг» (flag): ожидается Y (да) или N (нет)');
  });
});
