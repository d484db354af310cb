import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { RobotRegistration, RobotRegistry } from './bizproc.js';
import { issueEventToken, verifyEventToken } from './event-token.js';
import type { EventAuth } from './install.js';
import { postForm, type PostOutcome } from './http-post.js';
import { activityName as newActivityName, workflowId as newWorkflowId } from './ids.js';
import { SandboxRestError, param, type MethodTable } from './types.js';

export type AutomationStep =
  | {
      type: 'robot';
      code: string;
      properties?: Record<string, string | string[]>;
      /** «Выполнять от имени»: the user an admin chose for this robot in the designer, over its AUTH_USER_ID. */
      runAs?: number;
    }
  | { type: 'move'; toStageId: string; when?: { robot: string; returnValue: string; equals: string } };

export interface WorkflowLogEntry {
  /** Sandbox clock, ISO. */
  at: string;
  workflowId: string;
  dealId: number;
  type:
    | 'started'
    | 'robot_call'
    | 'robot_missing'
    | 'answer'
    | 'log'
    | 'stage_changed'
    | 'move_skipped'
    | 'abandoned'
    | 'completed'
    | 'failed';
  stageId?: string;
  robot?: string;
  eventToken?: string;
  /** robot_call: the handler's HTTP status; absent when the delivery failed at the network level. */
  httpStatus?: number;
  /** robot_call: true for a 2xx answer. The platform never retries a failed delivery. */
  delivered?: boolean;
  redelivery?: boolean;
  payload?: Record<string, unknown>;
  error?: string;
  returnValues?: Record<string, unknown>;
  message?: string;
  fromStageId?: string | null;
  toStageId?: string;
}

export interface EventSendRecord {
  eventToken: string;
  /** RETURN_VALUES exactly as the caller sent them. */
  returnValues: Record<string, unknown>;
  /** True only for the send that closed a waiting step. */
  closedStep: boolean;
  at: string;
  error?: string;
}


export interface AutomationDeps {
  clock: Clock;
  log: Logger;
  robots: RobotRegistry;
  /** Signs event tokens; a token signed with another secret is rejected like a tampered one. */
  secret: string;
  /** Runs a REST method inside the portal as the given user (reads the deal, moves it). */
  call(method: string, params: Record<string, unknown>, userId: number): Promise<unknown>;
  /** The `auth[...]` block with fresh tokens of the user the robot runs as. */
  authFor(userId: number): EventAuth;
  deliveryTimeoutMs?: number;
  /** Aborted on close, so no delivery outlives the sandbox. */
  signal: AbortSignal;
}

interface Step {
  token: string;
  robotCode: string;
  /** Declared RETURN_PROPERTIES codes at call time; event.send keeps only these. */
  returnKeys: string[];
  /** Steps without a subscription are closed from the start: a send to them changes nothing. */
  closed: boolean;
  workflow: Workflow;
  release(): void;
}

interface Workflow {
  id: string;
  dealId: number;
  stageId: string | null;
  kind: 'automation' | 'manual';
  steps: AutomationStep[];
  state: 'running' | 'done' | 'abandoned' | 'failed';
  /** Set while this workflow's own move step changes the stage, so the change ends it instead of abandoning it. */
  moving: boolean;
  waiting: Step | null;
  returnValues: Map<string, Record<string, unknown>>;
  onDelivered?: (payload: Record<string, unknown>) => void;
  onFailed?: (err: Error) => void;
}

const TEMPLATE = /\{=Document:([A-Za-z0-9_]+)\}/g;

function lookupCi(obj: Record<string, unknown> | undefined, key: string): unknown {
  if (!obj) return undefined;
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(scalar).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `{=Document:FIELD}` from the deal as it is now; a lone template of a multiple field keeps the array. */
export function substituteDocument(value: string, deal: Record<string, unknown>): string | string[] {
  const lone = /^\{=Document:([A-Za-z0-9_]+)\}$/.exec(value);
  if (lone) {
    const v = lookupCi(deal, lone[1]!);
    if (Array.isArray(v)) return v.map(scalar);
  }
  return value.replace(TEMPLATE, (_m, field: string) => scalar(lookupCi(deal, field)));
}

function buildProperties(
  robot: RobotRegistration,
  given: Record<string, string | string[]> | undefined,
  deal: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [code, def] of Object.entries(robot.PROPERTIES)) {
    const raw = lookupCi(given, code) ?? def.DEFAULT ?? '';
    const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => substituteDocument(scalar(v), deal));
    out[code] = def.MULTIPLE === 'Y' ? values : values.length === 1 ? values[0] : values;
  }
  return out;
}

/**
 * Runs CRM automation like the platform: when a deal enters a stage, that stage's steps run in order;
 * a robot step POSTs the documented payload to the robot's HANDLER once (never retried) and, with
 * USE_SUBSCRIPTION=Y, waits for `bizproc.event.send`; a move step changes the stage, which starts the
 * next stage's automation. Leaving a stage abandons its pending workflow.
 */
export class AutomationEngine {
  private readonly stages = new Map<string, AutomationStep[]>();
  private readonly workflows = new Map<string, Workflow>();
  private readonly activeByDeal = new Map<number, Workflow>();
  private readonly steps = new Map<string, Step>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly log: WorkflowLogEntry[] = [];
  private readonly sends: EventSendRecord[] = [];

  constructor(private readonly deps: AutomationDeps) {}

  setStageAutomation(categoryId: number, stageId: string, steps: AutomationStep[]): void {
    this.stages.set(`${categoryId}|${stageId}`, structuredClone(steps));
  }

  workflowLog(): WorkflowLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  eventSends(): EventSendRecord[] {
    return this.sends.map((e) => ({ ...e }));
  }

  /** The CRM hook: a deal was created in, or moved into, a stage. */
  dealStageChanged(deal: { ID: string; STAGE_ID: string; CATEGORY_ID: string }, previousStageId: string | null): void {
    const dealId = Number(deal.ID);
    const current = this.activeByDeal.get(dealId);
    const byWorkflow = current?.state === 'running' && current.moving ? current : undefined;
    this.record({
      workflowId: byWorkflow?.id ?? '',
      dealId,
      type: 'stage_changed',
      fromStageId: previousStageId,
      toStageId: deal.STAGE_ID,
    });
    if (current && current.state === 'running') {
      if (current.moving) {
        this.finish(current, 'done');
        this.record({ workflowId: current.id, dealId, type: 'completed' });
      } else {
        this.finish(current, 'abandoned');
        this.record({ workflowId: current.id, dealId, type: 'abandoned', stageId: current.stageId ?? undefined });
      }
    }
    this.activeByDeal.delete(dealId);
    const categoryId = Number(deal.CATEGORY_ID) || 0;
    const steps = this.stages.get(`${categoryId}|${deal.STAGE_ID}`);
    if (!steps || steps.length === 0) return;
    const wf = this.createWorkflow(dealId, deal.STAGE_ID, 'automation', steps);
    this.activeByDeal.set(dealId, wf);
    this.start(wf);
  }

  /**
   * Delivers one robot call for a deal outside stage automation (as an admin re-running a robot would),
   * resolving with the payload once it was POSTed. Call it twice to simulate a duplicate delivery.
   */
  deliverRobotCall(
    code: string,
    dealId: number,
    properties?: Record<string, string | string[]>,
    opts: { runAs?: number } = {},
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const step: AutomationStep = { type: 'robot', code, ...(properties ? { properties } : {}), ...(opts.runAs ? { runAs: opts.runAs } : {}) };
      const wf = this.createWorkflow(dealId, null, 'manual', [step]);
      wf.onDelivered = resolve;
      wf.onFailed = reject;
      this.start(wf);
    });
  }

  /** POSTs an already delivered payload again, byte for byte (same event_token, same workflow_id). */
  async redeliver(payload: Record<string, unknown>): Promise<PostOutcome> {
    const code = String(payload.code ?? '');
    const robot = this.deps.robots.get(code);
    if (!robot) throw new Error(`robot ${code} is not registered`);
    const wf = this.stepOfToken(String(payload.event_token ?? ''))?.workflow;
    return this.deliver(robot, payload, wf?.id ?? String(payload.workflow_id ?? ''), wf?.dealId ?? 0, true);
  }

  /** Waits (real time) until no workflow is running or waiting and no delivery is in flight. */
  async runUntilIdle(opts: { timeoutMs?: number; ignoreWaiting?: string[] } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    const ignore = new Set(opts.ignoreWaiting ?? []);
    for (;;) {
      const busy = [...this.workflows.values()].filter(
        (wf) => wf.state === 'running' && !(wf.waiting && ignore.has(wf.waiting.robotCode)),
      );
      if (busy.length === 0 && this.inflight.size === 0) return;
      if (Date.now() >= deadline) {
        const what = busy.map((wf) =>
          wf.waiting ? `deal ${wf.dealId}: waiting for ${wf.waiting.robotCode}` : `deal ${wf.dealId}: running`,
        );
        throw new Error(`sandbox automation not idle: ${[...what, `${this.inflight.size} deliveries in flight`].join('; ')}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Ends every workflow (on close): nothing keeps waiting for answers that will never come. */
  stopAll(): void {
    for (const wf of this.workflows.values()) if (wf.state === 'running') this.finish(wf, 'abandoned');
  }

  methods(): MethodTable {
    return {
      'bizproc.event.send': (params) => this.eventSend(params),
      'bizproc.activity.log': (params) => this.activityLog(params),
    };
  }

  // --- bizproc.event.send / bizproc.activity.log ---

  private eventSend(params: Record<string, any>): true {
    const token = param(params, 'EVENT_TOKEN');
    const rv = param(params, 'RETURN_VALUES');
    const returnValues = rv && typeof rv === 'object' && !Array.isArray(rv) ? (rv as Record<string, unknown>) : {};
    const at = this.deps.clock.now().toISOString();
    const base = { eventToken: typeof token === 'string' ? token : String(token ?? ''), returnValues, at };
    const step = this.resolveToken(token, (error) => this.sends.push({ ...base, closedStep: false, error }));
    if (step.closed) {
      // The first send closed the step; later ones are silently accepted and change nothing.
      this.sends.push({ ...base, closedStep: false });
      return true;
    }
    const accepted: Record<string, unknown> = {};
    for (const key of step.returnKeys) {
      const v = lookupCi(returnValues, key);
      if (v !== undefined) accepted[key] = v;
    }
    step.closed = true;
    step.workflow.returnValues.set(step.robotCode, accepted);
    this.sends.push({ ...base, closedStep: true });
    const message = param<string>(params, 'LOG_MESSAGE');
    this.record({
      workflowId: step.workflow.id,
      dealId: step.workflow.dealId,
      type: 'answer',
      robot: step.robotCode,
      eventToken: step.token,
      returnValues: accepted,
      ...(message ? { message: String(message) } : {}),
    });
    step.release();
    return true;
  }

  private activityLog(params: Record<string, any>): true {
    const token = param(params, 'EVENT_TOKEN');
    const step = this.resolveToken(token, () => undefined);
    const message = param(params, 'LOG_MESSAGE');
    if (message === undefined || message === null || message === '') {
      throw new SandboxRestError('ERROR_EMPTY_LOG_MESSAGE', 'Empty log message!', 400);
    }
    this.record({
      workflowId: step.workflow.id,
      dealId: step.workflow.dealId,
      type: 'log',
      robot: step.robotCode,
      eventToken: step.token,
      message: String(message),
    });
    return true;
  }

  private stepOfToken(token: unknown): Step | undefined {
    const parts = verifyEventToken(this.deps.secret, token);
    return parts ? this.steps.get(token as string) : undefined;
  }

  private resolveToken(token: unknown, onError: (error: string) => void): Step {
    if (!verifyEventToken(this.deps.secret, token)) {
      onError('ACCESS_DENIED');
      throw new SandboxRestError('ACCESS_DENIED', 'Access denied!', 403);
    }
    const step = this.steps.get(token as string);
    // A step that is still open but whose workflow ended (the deal left the stage) no longer exists.
    if (!step || (!step.closed && step.workflow.state !== 'running')) {
      onError('ERROR_CORE');
      throw new SandboxRestError('ERROR_CORE', 'Workflow instance not found', 400);
    }
    return step;
  }

  // --- workflow execution ---

  private createWorkflow(dealId: number, stageId: string | null, kind: Workflow['kind'], steps: AutomationStep[]): Workflow {
    const wf: Workflow = {
      id: newWorkflowId(),
      dealId,
      stageId,
      kind,
      steps: structuredClone(steps),
      state: 'running',
      moving: false,
      waiting: null,
      returnValues: new Map(),
    };
    this.workflows.set(wf.id, wf);
    this.record({ workflowId: wf.id, dealId, type: 'started', ...(stageId ? { stageId } : {}) });
    return wf;
  }

  private start(wf: Workflow): void {
    // Run after the current REST call has answered, as the platform's automation does.
    setImmediate(() => {
      this.run(wf).catch((err: unknown) => {
        this.deps.log.error({ err, workflowId: wf.id }, 'sandbox workflow crashed');
      });
    });
  }

  private finish(wf: Workflow, state: Workflow['state']): void {
    wf.state = state;
    wf.moving = false;
    wf.waiting?.release();
    wf.waiting = null;
  }

  private async run(wf: Workflow): Promise<void> {
    try {
      for (const step of wf.steps) {
        if (wf.state !== 'running') return;
        if (step.type === 'robot') await this.runRobot(wf, step);
        else await this.runMove(wf, step);
      }
      if (wf.state === 'running') {
        this.finish(wf, 'done');
        this.record({ workflowId: wf.id, dealId: wf.dealId, type: 'completed' });
      }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (wf.state === 'running') this.finish(wf, 'failed');
      this.record({ workflowId: wf.id, dealId: wf.dealId, type: 'failed', error });
      wf.onFailed?.(err instanceof Error ? err : new Error(error));
    } finally {
      if (this.activeByDeal.get(wf.dealId) === wf && wf.state !== 'running') this.activeByDeal.delete(wf.dealId);
    }
  }

  private async runRobot(wf: Workflow, step: Extract<AutomationStep, { type: 'robot' }>): Promise<void> {
    const robot = this.deps.robots.get(step.code);
    if (!robot) {
      // A robot deleted from the app (or never registered) is skipped; the platform shows it as unavailable.
      this.record({ workflowId: wf.id, dealId: wf.dealId, type: 'robot_missing', robot: step.code });
      if (wf.onFailed) throw new Error(`robot ${step.code} is not registered`);
      return;
    }
    const deal = (await this.deps.call('crm.deal.get', { id: wf.dealId }, 1)) as Record<string, unknown>;
    if (wf.state !== 'running') return;

    const waits = robot.USE_SUBSCRIPTION === 'Y';
    const token = issueEventToken(this.deps.secret, wf.id, newActivityName());
    const payload: Record<string, unknown> = {
      workflow_id: wf.id,
      code: robot.CODE,
      document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${wf.dealId}`],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      event_token: token,
      ...(Object.keys(robot.PROPERTIES).length > 0 ? { properties: buildProperties(robot, step.properties, deal) } : {}),
      use_subscription: waits ? 'Y' : 'N',
      timeout_duration: '0',
      ts: String(Math.floor(this.deps.clock.now().getTime() / 1000)),
      // The tokens of the user the robot runs as: the designer's choice, else the registration's AUTH_USER_ID
      // (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md), else the admin.
      auth: this.deps.authFor(step.runAs || robot.AUTH_USER_ID || 1),
    };

    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    const record: Step = {
      token,
      robotCode: robot.CODE,
      returnKeys: Object.keys(robot.RETURN_PROPERTIES),
      closed: !waits,
      workflow: wf,
      release,
    };
    this.steps.set(token, record);
    if (waits) wf.waiting = record;

    const delivery = this.deliver(robot, payload, wf.id, wf.dealId, false);
    if (wf.onDelivered) {
      await delivery;
      wf.onDelivered(payload);
    }
    // Without a subscription the step closes as soon as the call is queued: later steps may run first.
    if (!waits) return;
    await answered;
    if (wf.waiting === record) wf.waiting = null;
  }

  private async runMove(wf: Workflow, step: Extract<AutomationStep, { type: 'move' }>): Promise<void> {
    if (step.when) {
      const got = lookupCi(wf.returnValues.get(step.when.robot), step.when.returnValue);
      if (scalar(got) !== step.when.equals) {
        this.record({ workflowId: wf.id, dealId: wf.dealId, type: 'move_skipped', toStageId: step.toStageId, robot: step.when.robot });
        return;
      }
    }
    wf.moving = true;
    try {
      await this.deps.call('crm.deal.update', { id: wf.dealId, fields: { STAGE_ID: step.toStageId } }, 1);
    } finally {
      wf.moving = false;
    }
  }

  private deliver(
    robot: RobotRegistration,
    payload: Record<string, unknown>,
    workflowId: string,
    dealId: number,
    redelivery: boolean,
  ): Promise<PostOutcome> {
    const p = postForm(robot.HANDLER, payload, {
      timeoutMs: this.deps.deliveryTimeoutMs ?? 10_000,
      signal: this.deps.signal,
    }).then((outcome) => {
      const delivered = 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
      this.record({
        workflowId,
        dealId,
        type: 'robot_call',
        robot: robot.CODE,
        eventToken: String(payload.event_token),
        delivered,
        ...('status' in outcome ? { httpStatus: outcome.status } : { error: outcome.error }),
        ...(redelivery ? { redelivery } : {}),
        payload,
      });
      if (!delivered) this.deps.log.warn({ robot: robot.CODE, outcome }, 'sandbox robot delivery failed; the platform never retries');
      return outcome;
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  private record(e: Omit<WorkflowLogEntry, 'at'>): void {
    this.log.push({ at: this.deps.clock.now().toISOString(), ...e });
  }
}
