import type { AppDatabase } from '../../storage/db.js';
import { transaction } from '../../storage/db.js';
import type { Clock } from '../../clock.js';
import type { JobStore } from '../../jobs/store.js';
import type { Portal } from '../../storage/schema.js';
import type { Logger } from '../../log.js';
import type { CarriedPair } from '../../bitrix/authPayload.js';
import { adoptCarriedPair } from '../../storage/portals.js';
import { GroupCommit } from '../../storage/groupCommit.js';
import { insertRobotCalls, type NewRobotCall } from '../../storage/robotCalls.js';
import type { RobotCallPayload } from './parseCall.js';
import { findRobot } from '../registry.js';
import { propertyProblems } from './validateProperties.js';
import { ROBOT_JOB, robotJobKey, type RobotJobPayload } from './jobKinds.js';

export interface AcceptedCall {
  /** False for a repeated delivery of a call already recorded: nothing new was enqueued. */
  created: boolean;
  /** Why the properties are invalid; the job answers the step with it. */
  invalid?: string;
}

interface Pending {
  call: NewRobotCall;
  job: RobotJobPayload;
  /** The OAuth pair the delivery carried (of the user the robot runs as). */
  pair: CarriedPair | undefined;
}

export interface AcceptorDeps {
  database: AppDatabase;
  jobs: JobStore;
  clock: Clock;
  log: Logger;
  /** Tells an idle worker there is work, so it does not wait for its next poll. */
  wake(): void;
}

/**
 * Records robot calls and enqueues their jobs, keyed by the event token, before the delivery is answered. Calls
 * arriving together share one transaction (group commit): each is answered only after its transaction committed,
 * and a repeated delivery — of an earlier call, or twice in one batch — finds the call recorded and enqueues
 * nothing new. A call for a robot code this version does not know is recorded too: its job answers the waiting
 * step (after giving a newer instance sharing the queue a bounded chance to run it).
 */
export class RobotCallAcceptor {
  private readonly group: GroupCommit<Pending, boolean>;

  constructor(private readonly deps: AcceptorDeps) {
    this.group = new GroupCommit((batch) => this.commit(batch));
  }

  /** Records the call (and adopts the pair it carried, see `adoptCarriedPair`); resolves once committed. */
  async accept(portal: Portal, robotCode: string, call: RobotCallPayload, pair: CarriedPair | undefined): Promise<AcceptedCall> {
    const robot = findRobot(robotCode);
    const invalid = robot ? propertyProblems(robot, call.properties) : undefined;
    const created = await this.group.submit({
      call: {
        member_id: portal.member_id,
        robot_code: robotCode,
        event_token: call.eventToken,
        workflow_id: call.workflowId,
        document_id: call.documentId,
        document_type: call.documentType,
        properties: call.properties,
        use_subscription: call.useSubscription ? 'Y' : 'N',
        auth_user_id: call.userId,
        received_at: this.deps.clock.now().toISOString(),
      },
      job: { eventToken: call.eventToken, ...(invalid ? { invalid } : {}) },
      // The pair we already hold (a repeated token, as within one run of a process) has nothing to adopt.
      pair: pair && !(portal.status === 'active' && pair.accessToken === portal.access_token) ? pair : undefined,
    });
    if (created) this.deps.wake();
    return { created, ...(invalid ? { invalid } : {}) };
  }

  private async commit(batch: Pending[]): Promise<boolean[]> {
    return transaction(this.deps.database, async (trx) => {
      const recorded = await insertRobotCalls(
        trx,
        batch.map((p) => p.call),
      );
      const claimed = new Set<string>();
      const results = batch.map((p) => {
        const token = p.call.event_token;
        const first = recorded.has(token) && !claimed.has(token);
        claimed.add(token);
        return first;
      });
      await this.deps.jobs.enqueueMany(
        ROBOT_JOB,
        batch.filter((_, i) => results[i]).map((p) => ({ key: robotJobKey(p.job.eventToken), payload: p.job })),
        trx,
      );
      // One pair per portal and batch: the one that lives longest.
      const freshest = new Map<string, CarriedPair>();
      for (const p of batch) {
        const have = freshest.get(p.call.member_id);
        if (p.pair && (!have || p.pair.expiresAt > have.expiresAt)) freshest.set(p.call.member_id, p.pair);
      }
      const now = this.deps.clock.now();
      for (const [memberId, pair] of freshest) {
        if ((await adoptCarriedPair(trx, memberId, pair, now)) === 'revived') {
          this.deps.log.warn({ memberId, tokensOfUser: pair.userId }, 'portal revived with the OAuth pair of a robot call (its own pair was dead)');
        }
      }
      return results;
    });
  }
}
