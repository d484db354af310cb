import { createCrmMethods, createCrmState, type CrmState } from './crm/index.js';
import { startPortal, type PortalSandbox, type SandboxOptions } from './core.js';

export type { SandboxOptions, PortalSandbox, CrmModule } from './core.js';
export type { AutomationStep, WorkflowLogEntry, EventSendRecord } from './automation.js';
export type { RobotRegistration, RobotProperty } from './bizproc.js';
export type { AppTrigger } from './app-triggers.js';
export type { StageTrigger, TriggerExecution, TriggerOutcome } from './stage-triggers.js';
export type { FaultConfig } from './faults.js';
export type { RequestRecord } from './rest.js';
export type { TokenPair } from './tokens.js';

/** The in-memory Bitrix24 portal with its CRM, served on 127.0.0.1. */
export type Sandbox = PortalSandbox<CrmState>;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startPortal(opts, (clock) => {
    const state = createCrmState(clock);
    return { state, methods: createCrmMethods(state) };
  });
}
