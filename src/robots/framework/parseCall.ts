import type { RobotDocument } from './types.js';
import { AppError } from '../../errors.js';
import { userIdOf } from '../../bitrix/authPayload.js';

/** The fields of a robot delivery (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md, «handler») we rely on, taken from the qs-parsed form body. */
export interface RobotCallPayload {
  eventToken: string;
  workflowId: string;
  /**
   * `document_id[2]` as sent (`DEAL_123`). Not checked here: a call that cannot run on its document is
   * still recorded, so the worker can close the waiting step with an error instead of leaving it hanging.
   */
  documentId: string;
  documentType: string;
  properties: Record<string, unknown>;
  useSubscription: boolean;
  userId: number | null;
}

/** Real tokens are ~100 characters; the bound keeps one delivery from bloating the unique index. */
export const MAX_EVENT_TOKEN_LENGTH = 1000;
const MAX_ID_LENGTH = 200;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function parseDocumentId(parts: unknown): RobotDocument {
  const arr = Array.isArray(parts) ? parts.map(str) : [];
  const raw = arr[2] ?? '';
  const m = /^([A-Z_]+?(?:_\d+)?)_(\d+)$/.exec(raw);
  if (arr.length !== 3 || !m) {
    throw new AppError('ROBOT_PAYLOAD_INVALID', `document_id must be [module, class, ENTITY_<id>], got ${JSON.stringify(arr)}`);
  }
  return { module: arr[0]!, documentClass: arr[1]!, raw, entity: m[1]!, id: Number(m[2]) };
}

/**
 * Throws only when the call cannot be answered at all (no usable `event_token`); everything else is
 * judged by the worker, which answers a waiting step with `status=error`.
 */
export function parseRobotCall(body: Record<string, unknown>): RobotCallPayload {
  const eventToken = str(body.event_token);
  if (!eventToken) throw new AppError('ROBOT_PAYLOAD_INVALID', 'event_token is missing');
  if (eventToken.length > MAX_EVENT_TOKEN_LENGTH) {
    throw new AppError('ROBOT_PAYLOAD_INVALID', `event_token is longer than ${MAX_EVENT_TOKEN_LENGTH} characters`);
  }
  const props = body.properties;
  const auth = (body.auth ?? {}) as Record<string, unknown>;
  const documentId = Array.isArray(body.document_id) ? str(body.document_id[2]) : '';
  return {
    eventToken,
    workflowId: str(body.workflow_id).slice(0, MAX_ID_LENGTH),
    documentId: documentId.slice(0, MAX_ID_LENGTH),
    documentType: Array.isArray(body.document_type) ? body.document_type.map(str).join(':').slice(0, MAX_ID_LENGTH) : '',
    properties: props && typeof props === 'object' && !Array.isArray(props) ? (props as Record<string, unknown>) : {},
    // The effective value for this run; only `Y` waits (the platform's core behaviour, b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md).
    useSubscription: str(body.use_subscription).toUpperCase() === 'Y',
    userId: userIdOf(str(auth.user_id)),
  };
}
