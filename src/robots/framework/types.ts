import type { z } from 'zod';
import type { Logger } from '../../log.js';
import type { Clock } from '../../clock.js';
import type { Portal } from '../../storage/schema.js';
import type { BitrixClient } from '../../bitrix/client.js';
import type { AppDeps } from '../../deps.js';
import type { RobotReturnValues } from '../../storage/robotCalls.js';
import type { Lang } from '../../lang.js';

export type { Lang };

/** One robot parameter or return value, as in the PROPERTIES object of bizproc.robot.add (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md). */
export interface RobotProperty {
  name: Lang;
  description?: Lang;
  type: 'bool' | 'date' | 'datetime' | 'double' | 'int' | 'select' | 'string' | 'text' | 'user';
  options?: Record<string, string>;
  required?: boolean;
  multiple?: boolean;
  default?: string | number;
}

/** Where the robot runs: parsed from `document_id` (`crm`, `CCrmDocumentDeal`, `DEAL_123`). */
export interface RobotDocument {
  module: string;
  documentClass: string;
  /** `DEAL_123` as sent. */
  raw: string;
  /** `DEAL`, `LEAD`, `CONTACT`, `COMPANY`, `SMART_INVOICE`, `DYNAMIC_<typeId>`… */
  entity: string;
  id: number;
}

export interface RobotRunContext {
  portal: Portal;
  call: {
    id: number;
    eventToken: string;
    workflowId: string;
    document: RobotDocument;
    /** User the robot runs as (`auth[user_id]`). */
    userId: number | null;
  };
  bitrix: BitrixClient;
  deps: AppDeps;
  clock: Clock;
  log: Logger;
  /**
   * Run an external effect at most once per robot call: a retried job gets the stored result
   * instead of doing it again (number reservation, e-mail, timeline comment…).
   */
  effect<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * The robot read its deal: should the run fail for a reason a manager must fix, the framework tells the deal's
   * responsible user, naming the deal, without reading it again.
   */
  noteDeal(deal: NotedDeal): void;
}

/** What the failure report needs of a deal. */
export interface NotedDeal {
  TITLE?: unknown;
  ASSIGNED_BY_ID?: unknown;
}

/**
 * Values a robot's run returns; `error_text` is added by the framework, and `status` too (`ok`) unless the robot
 * answers with a status of its own (wait_for_payment: paid, overdue, cancelled).
 */
export type RobotResult = Record<string, string | number>;

/**
 * A waiting robot whose answer comes later (e.g. when a payment arrives): the run parked the call somewhere that
 * will answer it through `answerParkedCall`, exactly once. The framework sends nothing now.
 */
export const PARKED: unique symbol = Symbol('parked');
export type Parked = typeof PARKED;

/** The full answer sent with bizproc.event.send: the robot's values, `status` and `error_text`. */
export type RobotAnswer = RobotReturnValues;

export interface RobotDefinition<P = Record<string, unknown>> {
  /** Bitrix24 CODE: `a-z A-Z 0-9 . - _`. */
  code: string;
  name: Lang;
  description: Lang;
  /** Whether the step waits for our answer (always sent explicitly as Y/N). */
  useSubscription: boolean;
  properties: Record<string, RobotProperty>;
  /** Declared return values; `status` and `error_text` are always added. */
  returnProperties: Record<string, RobotProperty>;
  /** Validates and converts the string values Bitrix24 sends in `properties[...]`. */
  schema: z.ZodType<P>;
  /** Entities the robot can run on (default: deals only). */
  documentEntities?: string[];
  run(ctx: RobotRunContext, props: P): Promise<RobotResult | Parked>;
}

// The registry holds robots of different property types; erase P at that boundary only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRobot = RobotDefinition<any>;
