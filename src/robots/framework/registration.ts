import { createHash } from 'node:crypto';
import type { AnyRobot, RobotProperty } from './types.js';

/**
 * Builds the bizproc.robot.add payload from a registry entry. The registry entry is the single
 * source of a robot's code, names, properties and return properties; nothing else describes them.
 */

/** Every robot answers with these two, so business processes can branch on failure (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-event-send.md). */
export const STANDARD_RETURN_PROPERTIES: Record<string, RobotProperty> = {
  status: {
    name: { ru: 'Статус', en: 'Status' },
    description: { ru: 'ok — успешно, error — ошибка (см. error_text)', en: 'ok or error (see error_text)' },
    type: 'select',
    options: { ok: 'ok', error: 'error' },
  },
  error_text: {
    name: { ru: 'Текст ошибки', en: 'Error text' },
    description: { ru: 'Что исправить, если статус error', en: 'What to fix when status is error' },
    type: 'text',
  },
};

export const DEAL_DOCUMENT_TYPE = ['crm', 'CCrmDocumentDeal', 'DEAL'] as const;

function propertyPayload(p: RobotProperty): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Name: p.name,
    Type: p.type,
    Required: p.required ? 'Y' : 'N',
    Multiple: p.multiple ? 'Y' : 'N',
  };
  if (p.description) out.Description = p.description;
  if (p.options) out.Options = p.options;
  if (p.default !== undefined) out.Default = p.default;
  return out;
}

function propertiesPayload(props: Record<string, RobotProperty>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).map(([k, p]) => [k, propertyPayload(p)]));
}

export function robotHandlerUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/bitrix/robots/${encodeURIComponent(code)}`;
}

/** Parameters of bizproc.robot.add (and FIELDS of bizproc.robot.update) for one robot. */
export function robotRegistrationParams(robot: AnyRobot, opts: { publicUrl: string; authUserId: number | null }) {
  return {
    CODE: robot.code,
    HANDLER: robotHandlerUrl(opts.publicUrl, robot.code),
    ...(opts.authUserId ? { AUTH_USER_ID: opts.authUserId } : {}),
    // Always explicit: docs and core disagree on what an empty value means (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md, USE_SUBSCRIPTION).
    USE_SUBSCRIPTION: robot.useSubscription ? 'Y' : 'N',
    NAME: robot.name,
    DESCRIPTION: robot.description,
    PROPERTIES: propertiesPayload(robot.properties),
    // A robot may declare its own `status` (wait_for_payment: paid, overdue, cancelled, error).
    RETURN_PROPERTIES: propertiesPayload({ ...STANDARD_RETURN_PROPERTIES, ...robot.returnProperties }),
    DOCUMENT_TYPE: [...DEAL_DOCUMENT_TYPE],
    FILTER: { INCLUDE: [['crm', 'CCrmDocumentDeal']] },
  };
}

/** Fingerprint of what we registered, so re-install updates only robots whose definition changed. */
export function registrationFingerprint(params: ReturnType<typeof robotRegistrationParams>): string {
  return createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 32);
}

/**
 * Every declared return value with an empty value of its type (0 for numbers, '' otherwise). A failed
 * run still sends all of them, so conditions in the business process that read a value never meet an
 * unset one — they branch on `status` instead.
 */
export function emptyReturnValues(robot: AnyRobot): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(robot.returnProperties).map(([key, p]) => [key, p.type === 'int' || p.type === 'double' ? 0 : '']),
  );
}
