/**
 * Trigger bindings of the automation designer («Роботы и триггеры» of a pipeline) and what an executed
 * application trigger does to a deal. An admin binds an app trigger to a stage; when the app executes it
 * for a deal of that pipeline, the deal moves to the bound stage — forward only, unless the binding allows
 * moving back — and entering the stage runs its robots like any other stage change
 * (b24restdocs: api-reference/crm/automation/triggers/index.md,
 * api-reference/crm/automation/triggers/crm-automation-trigger-execute.md).
 */
import type { Clock } from '../clock.js';
import type { TriggerFiring } from './app-triggers.js';
import { DEAL, stageEntityId } from './crm/stages.js';
import { SandboxRestError } from './types.js';

/** One trigger bound to a stage, as an admin sets it in the designer. */
export interface StageTrigger {
  /** CODE the application registered with crm.automation.trigger.add. */
  code: string;
  /** «Разрешить переход на предыдущий статус»; off by default, as in the designer. */
  allowBackwards?: boolean;
}

/** What the portal did with an accepted execute. The REST answer is `true` whatever happened. */
export type TriggerOutcome =
  /** The deal moved to the bound stage. */
  | 'moved'
  /** No binding of this app's trigger in the deal's pipeline. */
  | 'no_binding'
  /** Bound only to the deal's current stage or to earlier ones (without «allow moving back»). */
  | 'not_moved'
  /** No deal with this OWNER_ID. */
  | 'no_object'
  /** A lead, contact, company, quote or invoice: accepted, but the sandbox runs triggers for deals only. */
  | 'not_modelled';

export interface TriggerExecution {
  /** Sandbox clock, ISO. */
  at: string;
  appId: string;
  code: string;
  ownerTypeId: number;
  ownerId: number;
  userId: number;
  outcome: TriggerOutcome;
  fromStageId?: string;
  toStageId?: string;
}

interface Binding extends StageTrigger {
  appId: string;
  categoryId: number;
  stageId: string;
}

export interface StageTriggerDeps {
  clock: Clock;
  /** Runs a REST method inside the portal as the given user (reads the deal and its pipeline, moves it). */
  call(method: string, params: Record<string, unknown>, userId: number): Promise<unknown>;
}

export class StageTriggers {
  private bindings: Binding[] = [];
  private readonly executions: TriggerExecution[] = [];

  constructor(private readonly deps: StageTriggerDeps) {}

  /**
   * Replaces the triggers bound to one stage. Bindings name the app's trigger, not a registration: they
   * survive crm.automation.trigger.delete and the app's removal, and fire again once the same app registers
   * the same CODE (b24restdocs: api-reference/crm/automation/triggers/index.md).
   */
  set(appId: string, categoryId: number, stageId: string, triggers: StageTrigger[]): void {
    this.bindings = this.bindings.filter((b) => !(b.categoryId === categoryId && b.stageId === stageId));
    for (const t of triggers) this.bindings.push({ ...t, appId, categoryId, stageId });
  }

  list(): TriggerExecution[] {
    return this.executions.map((e) => ({ ...e }));
  }

  async fire(firing: TriggerFiring): Promise<TriggerExecution> {
    const outcome = await this.apply(firing);
    const record: TriggerExecution = { at: this.deps.clock.now().toISOString(), ...firing, ...outcome };
    this.executions.push(record);
    return { ...record };
  }

  private async apply(f: TriggerFiring): Promise<Pick<TriggerExecution, 'outcome' | 'fromStageId' | 'toStageId'>> {
    if (f.ownerTypeId !== DEAL) return { outcome: 'not_modelled' };
    let deal: { STAGE_ID: string; CATEGORY_ID: string | number };
    try {
      deal = (await this.deps.call('crm.deal.get', { id: f.ownerId }, f.userId)) as typeof deal;
    } catch (err) {
      if (err instanceof SandboxRestError) return { outcome: 'no_object' };
      throw err;
    }
    const fromStageId = deal.STAGE_ID;
    const categoryId = Number(deal.CATEGORY_ID) || 0;
    const stages = (await this.deps.call(
      'crm.status.list',
      { filter: { ENTITY_ID: stageEntityId(DEAL, categoryId) }, order: { SORT: 'ASC' } },
      f.userId,
    )) as Array<{ STATUS_ID: string; SORT: string | number }>;
    const sortOf = new Map(stages.map((s) => [s.STATUS_ID, Number(s.SORT)]));
    const candidates = this.bindings
      .filter((b) => b.appId === f.appId && b.code === f.code && b.categoryId === categoryId && sortOf.has(b.stageId))
      .sort((a, b) => sortOf.get(a.stageId)! - sortOf.get(b.stageId)!);
    if (candidates.length === 0) return { outcome: 'no_binding', fromStageId };
    const current = sortOf.get(fromStageId) ?? Number.NEGATIVE_INFINITY;
    // Several stages may bind the same trigger: the earliest one that applies wins
    // (b24restdocs: api-reference/crm/automation/crm-automation-trigger.md).
    const target = candidates.find(
      (b) => b.stageId !== fromStageId && (sortOf.get(b.stageId)! > current || b.allowBackwards === true),
    );
    if (!target) return { outcome: 'not_moved', fromStageId };
    await this.deps.call('crm.deal.update', { id: f.ownerId, fields: { STAGE_ID: target.stageId } }, f.userId);
    return { outcome: 'moved', fromStageId, toStageId: target.stageId };
  }
}
