import type { AnyRobot } from './types.js';

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
      return `${label ? `«${label}» (${key})` : key || 'параметры'}: ${i.message}`;
    })
    .join('; ');
}
