import type { RobotDocument } from './types.js';
import { AppError } from '../errors.js';

/** The fields of a robot delivery (§2.2) we rely on, taken from the qs-parsed form body. */
export interface RobotCallPayload {
  eventToken: string;
  workflowId: string;
  document: RobotDocument;
  documentType: string;
  properties: Record<string, unknown>;
  useSubscription: boolean;
  userId: number | null;
}

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

export function parseRobotCall(body: Record<string, unknown>): RobotCallPayload {
  const eventToken = str(body.event_token);
  if (!eventToken) throw new AppError('ROBOT_PAYLOAD_INVALID', 'event_token is missing');
  const props = body.properties;
  const auth = (body.auth ?? {}) as Record<string, unknown>;
  return {
    eventToken,
    workflowId: str(body.workflow_id),
    document: parseDocumentId(body.document_id),
    documentType: Array.isArray(body.document_type) ? body.document_type.map(str).join(':') : '',
    properties: props && typeof props === 'object' && !Array.isArray(props) ? (props as Record<string, unknown>) : {},
    // The effective value for this run; only `Y` waits (§1.1 core behaviour).
    useSubscription: str(body.use_subscription).toUpperCase() === 'Y',
    userId: Number(str(auth.user_id)) || null,
  };
}
