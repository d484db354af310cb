import type { z } from 'zod';
import type { AnyRobot } from './types.js';

/** zod's generic messages are English; the manager reads Russian. Custom messages pass through. */
function russian(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `допустимые значения: ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      return `не больше ${String(issue.maximum)}`;
    case 'too_small':
      return `не меньше ${String(issue.minimum)}`;
    case 'invalid_type':
      return issue.input === undefined ? 'не заполнено' : 'неверный формат значения';
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
      return `${label ? `«${label}» (${key})` : key || 'параметры'}: ${russian(i)}`;
    })
    .join('; ');
}
