import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '../sandbox/portal.js';
import { stageName, type DemoIo } from './narrator.js';

/** Saves every document the robots linked to (their answers hold the links) into the output folder. */
export async function writeDocuments(sandbox: Sandbox, outDir: string, io: DemoIo): Promise<string[]> {
  const links = new Set<string>();
  for (const e of sandbox.workflowLog()) {
    for (const [k, v] of Object.entries(e.returnValues ?? {})) if (k.endsWith('_url') && typeof v === 'string' && v) links.add(v);
  }
  mkdirSync(outDir, { recursive: true });
  io.stdout(`\nДокументы сохранены в ${outDir}:`);
  const names: string[] = [];
  for (const link of links) {
    const res = await fetch(link);
    if (!res.ok) {
      io.stderr(`  не удалось скачать ${link}: HTTP ${res.status}`);
      continue;
    }
    const disposition = res.headers.get('content-disposition') ?? '';
    const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? path.basename(new URL(link).pathname));
    writeFileSync(path.join(outDir, name), Buffer.from(await res.arrayBuffer()));
    names.push(name);
    io.stdout(`  ${name}`);
  }
  return names;
}

/** The deal's timeline as the manager sees it: comments and e-mails in order, then the stage it is in. */
export function printTimeline(sandbox: Sandbox, dealId: number, io: DemoIo): void {
  io.stdout(`\nЛента сделки №${dealId}:`);
  const items = [
    ...sandbox.crm.commentsOf('deal', dealId).map((c) => ({ at: String(c.CREATED), text: `комментарий: ${String(c.COMMENT).split('\n')[0]}` })),
    ...sandbox.crm.activitiesOf(2, dealId).map((a) => ({
      at: String(a.CREATED),
      text: `письмо «${a.SUBJECT}» → ${a.COMMUNICATIONS.map((c) => c.VALUE).join(', ')} (вложений: ${a.FILE_IDS.length})`,
    })),
  ].sort((x, y) => x.at.localeCompare(y.at));
  for (const i of items) io.stdout(`  • ${i.text}`);
  const deal = sandbox.crm.deals.get(dealId)!;
  io.stdout(`Стадия сейчас: «${stageName(sandbox, deal.STAGE_ID)}»`);
}
