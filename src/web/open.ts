import type { AppDeps } from '../deps.js';
import { getPortal } from '../storage/portals.js';
import type { Portal } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { parseFrameRequest, type FrameRequest } from './frameRequest.js';
import { verifyFrameUser, type FrameUser } from './frameAuth.js';
import type { SessionSigner, WebSession } from './session.js';
import type { WebContext } from './context.js';

/** A frame POST proven: the user, the placement and a fresh session for the pages that follow. */
export interface OpenedFrame {
  frame: FrameRequest;
  user: FrameUser;
  ctx: WebContext;
}

export async function openFrame(deps: AppDeps, signer: SessionSigner, body: unknown, query: unknown): Promise<OpenedFrame> {
  const frame = parseFrameRequest(body, query);
  const { user, portal } = await verifyFrameUser(deps, frame);
  const now = deps.clock.now();
  const token = signer.issue({ memberId: user.memberId, userId: user.userId, admin: user.admin, lang: frame.lang, name: user.name }, now.getTime());
  const session = signer.verify(token, now.getTime())!;
  return { frame, user, ctx: contextOf(deps, portal, session, token) };
}

/** The context of a request that carries a session token; AppError WEB_SESSION_INVALID when it proves nothing. */
export async function sessionContext(deps: AppDeps, signer: SessionSigner, token: unknown): Promise<WebContext> {
  const session = signer.verify(token, deps.clock.now().getTime());
  if (!session) throw new AppError('WEB_SESSION_INVALID', 'Session expired or invalid');
  return contextFor(deps, session, token as string);
}

async function contextFor(deps: AppDeps, session: WebSession, token: string): Promise<WebContext> {
  const portal = await getPortal(deps.database.db, session.memberId);
  // An uninstalled portal's sessions end with it.
  if (!portal || portal.status === 'uninstalled') throw new AppError('WEB_SESSION_INVALID', 'Portal is not installed');
  return contextOf(deps, portal, session, token);
}

function contextOf(deps: AppDeps, portal: Portal, session: WebSession, token: string): WebContext {
  return { session, token, portal, portalOrigin: new URL(portal.client_endpoint).origin, zone: portal.time_zone, lang: session.lang, now: deps.clock.now() };
}
