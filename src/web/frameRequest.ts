import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * The POST a portal sends when it opens the app or one of its placements in a frame
 * (b24restdocs: api-reference/widgets/_includes/widget_data.md): the user's OAuth pair in the body,
 * DOMAIN/PROTOCOL/LANG in the query. Nothing here is trusted until `verifyFrameUser` has asked the portal
 * stored for `member_id` who owns `AUTH_ID`.
 */
export interface FrameRequest {
  memberId: string;
  authId: string;
  lang: 'ru' | 'en';
  placement: string;
  /** PLACEMENT_OPTIONS parsed; `{}` when absent or not JSON. */
  options: Record<string, unknown>;
}

const body = z.object({
  AUTH_ID: z.string().min(1).max(512),
  member_id: z.string().min(1).max(64),
  PLACEMENT: z.string().max(64).optional(),
  PLACEMENT_OPTIONS: z.string().max(10_000).optional(),
  LANG: z.string().max(8).optional(),
});

export function parseFrameRequest(rawBody: unknown, rawQuery: unknown): FrameRequest {
  const parsed = body.safeParse(rawBody);
  if (!parsed.success) throw new AppError('FRAME_REQUEST_INVALID', 'Откройте приложение из Битрикс24: запрос не похож на открытие из портала.');
  const query = (rawQuery ?? {}) as Record<string, unknown>;
  const lang = String(parsed.data.LANG ?? query.LANG ?? 'ru').toLowerCase() === 'en' ? 'en' : 'ru';
  return {
    memberId: parsed.data.member_id,
    authId: parsed.data.AUTH_ID,
    lang,
    placement: (parsed.data.PLACEMENT ?? 'DEFAULT').toUpperCase(),
    options: parseOptions(parsed.data.PLACEMENT_OPTIONS),
  };
}

function parseOptions(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
