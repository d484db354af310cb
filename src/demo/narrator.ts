import type { Sandbox } from '../sandbox/portal.js';
import type { WorkflowLogEntry } from '../sandbox/automation.js';

/** What the demo prints to: the CLI's streams (or a test's buffer). */
export interface DemoIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

export const stageName = (sb: Sandbox, id: string | null | undefined) => sb.crm.statuses.find((s) => s.STATUS_ID === id)?.NAME ?? id ?? '—';

/** One line of what the portal's automation did, as a manager would read it in the deal's log; undefined to skip. */
export function describeEntry(sb: Sandbox, e: WorkflowLogEntry): string | undefined {
  switch (e.type) {
    case 'stage_changed':
      return `  → стадия «${stageName(sb, e.toStageId)}»`;
    case 'robot_call':
      return `    робот ${e.robot}: вызван (HTTP ${e.httpStatus ?? 'нет ответа'})`;
    case 'answer': {
      const v = e.returnValues ?? {};
      const shown = Object.entries(v)
        .filter(([k, x]) => x !== '' && x !== 0 && !k.endsWith('_url'))
        .map(([k, x]) => `${k}=${String(x).length > 70 ? `${String(x).slice(0, 67)}…` : String(x)}`);
      return `    робот ${e.robot}: ответил ${shown.join(', ')}`;
    }
    case 'failed':
      return `    ошибка: ${e.error ?? e.message ?? ''}`;
    default:
      return undefined;
  }
}

/**
 * Prints the automation log from where it stopped last time. `label` prefixes each line with its deal (the lease
 * demo runs several deals at once).
 */
export function automationPrinter(sb: Sandbox, io: DemoIo, label?: (dealId: number) => string): () => void {
  let printed = 0;
  return () => {
    const entries = sb.workflowLog();
    for (; printed < entries.length; printed++) {
      const e = entries[printed]!;
      const line = describeEntry(sb, e);
      if (line) io.stdout(label ? `${label(e.dealId)}${line}` : line);
    }
  };
}

/** «Пётр Петров». */
export function userName(sb: Sandbox, id: number): string {
  const u = sb.crm.users.get(id);
  return [u?.NAME, u?.LAST_NAME].filter(Boolean).join(' ') || `пользователь ${id}`;
}
