import type { z } from 'zod';
import type { AnyRobot } from './types.js';

/** A message written for the manager (Cyrillic) is kept; zod's own generic texts are English. */
const RUSSIAN_TEXT = /[А-Яа-яЁё]/;

/** Bitrix24 sends an unset property as '' or leaves it out; both read as «не заполнено». */
function isUnset(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * The value the portal sent at an issue's path. zod 4 does not put the input on an issue unless asked
 * (`reportInput`), so `issue.input` is undefined for every failure and cannot tell «missing» from «wrong».
 */
function sentValue(properties: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let v: unknown = properties;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * zod's generic messages are English; the manager reads Russian. A schema's own Russian text for a wrong
 * type («ожидается Y (да) или N (нет)») is kept; bounds keep the generic text because a schema-level
 * `error` also lands on its `.max()` issues and would hide the bound.
 */
function russian(issue: z.core.$ZodIssue, sent: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `допустимые значения: ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      return `не больше ${String(issue.maximum)}`;
    case 'too_small':
      return `не меньше ${String(issue.minimum)}`;
    case 'invalid_type':
      if (isUnset(sent)) return 'не заполнено';
      return RUSSIAN_TEXT.test(issue.message) ? issue.message : 'неверный формат значения';
    default:
      return issue.message;
  }
}

/**
 * Validates a delivery's properties against the robot's schema. Returns a message a manager can act
 * on (naming the property by its Russian label) or undefined when valid.
 */
export function propertyProblems(robot: AnyRobot, properties: Record<string, unknown>): string | undefined {
  const parsed = robot.schema.safeParse(properties);
  if (parsed.success) return undefined;
  return parsed.error.issues
    .map((i) => {
      const key = String(i.path[0] ?? '');
      const label = robot.properties[key]?.name.ru;
      return `${label ? `«${label}» (${key})` : key || 'параметры'}: ${russian(i, sentValue(properties, i.path))}`;
    })
    .join('; ');
}
