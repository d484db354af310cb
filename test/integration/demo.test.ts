import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { demoCommand } from '../../src/demo/runDemo.js';

describe('qrbill demo', () => {
  it('runs the rental cycle to the end and leaves readable documents in the output folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qrbill-demo-test-'));
    const out: string[] = [];
    try {
      const code = await demoCommand(['--out', 'docs'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s), cwd: dir });
      const text = out.join('\n');
      expect(code, text).toBe(0);
      expect(text).toContain('робот ping: ответил');
      expect(text).toMatch(/generate_invoice: ответил status=ok, invoice_id=\d+, invoice_number=1/);
      // The money comes from a 1C statement: matched, the waiting robot answered, the trigger moves the deal.
      expect(text).toMatch(/п\/п 588 на 25000\.00 руб\. от ИНН 5027123457: paid/);
      expect(text).toContain('робот wait_for_payment: ответил status=paid');
      // The second tenant pays late: the ladder on the sandbox clock, then the payment stops it.
      expect(text).toMatch(/\d{2}\.\d{2}\.\d{4} 09:05: напоминание клиенту до срока: письмо/);
      expect(text).toContain('уведомление руководителю отдела');
      expect(text).toMatch(/\d{2}\.\d{2}\.\d{4} 09:05: напоминание клиенту о просрочке/);
      expect(text).toContain('лестница остановлена: просроченных счетов 0');
      expect(text).toContain('Стадия сейчас: «Акт отправлен»');
      const files = readdirSync(path.join(dir, 'docs')).sort();
      expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^Счет №1 от .*\.pdf$/), expect.stringMatching(/^Акт №1 от .*\.pdf$/)]));
      const act = files.find((f) => f.startsWith('Акт'))!;
      const actText = execFileSync('pdftotext', ['-layout', path.join(dir, 'docs', act), '-'], { encoding: 'utf8' });
      expect(actText).toContain('Вышеперечисленные услуги выполнены полностью и в срок');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--lease: a three-month lease bills itself — a deal per period on its control date, invoices, payments on time and late, acts, the end', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qrbill-demo-lease-'));
    const out: string[] = [];
    try {
      const code = await demoCommand(['--lease', '--out', 'docs'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s), cwd: dir });
      const text = out.join('\n');
      expect(code, text).toBe(0);
      // Exactly three period deals, each created on its control date (5 days before its period), for its own month.
      const created = [...text.matchAll(/^(\d{2}\.\d{2}\.\d{4}) 09:00 — контрольная дата периода «([^»]+)»[^\n]*\n {2}создана сделка №\d+ «[^\n]*»: период (\S+)–(\S+), «Арендная плата за ([^»]+)» 25\s000,00 ₽/gm)];
      expect(created).toHaveLength(3);
      const day = (ddmmyyyy: string) => Date.UTC(+ddmmyyyy.slice(6), +ddmmyyyy.slice(3, 5) - 1, +ddmmyyyy.slice(0, 2));
      for (const [, control, , from, to, rowName] of created) {
        expect((day(from!) - day(control!)) / 86_400_000).toBe(5);
        expect(from!.slice(0, 2)).toBe('01');
        expect(day(to!) + 86_400_000).toBe(Date.UTC(+from!.slice(6), +from!.slice(3, 5), 1)); // to the month's last day
        expect(rowName).toMatch(/^[а-я]+ \d{4} г\. \(помещение № 301\)$/);
      }
      expect(created.map((m) => m[3])).toEqual([...new Set(created.map((m) => m[3]))]);
      expect(text.match(/создана сделка №/g)).toHaveLength(3);
      // Three invoices issued and e-mailed; two paid on time, one late after reminders and the escalation.
      expect(text.match(/робот generate_invoice: ответил status=ok/g)).toHaveLength(3);
      expect(text.match(/: paid — Счёт № \d+ от [\d.]+ оплачен полностью/g)).toHaveLength(3);
      const summary = text.slice(text.indexOf('Итог: сделок периодов 3 (по договору — 3)'));
      expect(summary.match(/оплачен в срок/g)).toHaveLength(2);
      expect(summary).toMatch(/оплачен [\d.]+ с опозданием на 8 дн\. \(напоминаний клиенту: 2\)/);
      expect(text).toMatch(/напоминание клиенту до срока: письмо office@arendator\.example/);
      expect(text).toMatch(/напоминание клиенту о просрочке: письмо office@arendator\.example/);
      expect(text).toContain('уведомление руководителю отдела');
      expect(text).toContain('уведомление бухгалтеру');
      expect(text).toContain('робот wait_for_payment: ответил status=paid, paid_at');
      expect(text).toMatch(/days_overdue=8/);
      // An act per period on its last day, the signed originals back, every period deal closed.
      expect(text.match(/робот generate_act: ответил status=ok, act_id=\d+, act_number=\d+, act_date=\S+, act_state=issued/g)).toHaveLength(3);
      expect(summary.match(/подписанный оригинал получен/g)).toHaveLength(3);
      expect(summary.match(/стадия «Закрыта»/g)).toHaveLength(3);
      // The end: reported on the contract deal, the schedule ended, no fourth deal later.
      expect(text).toContain('выставление завершено — новых сделок по договору не будет');
      expect(text).toMatch(/периодов выставлено 3 из 3, состояние ended/);
      const files = readdirSync(path.join(dir, 'docs'));
      expect(files.filter((f) => /^Акт №\d+ от .*\.pdf$/.test(f))).toHaveLength(3);
      expect(files.filter((f) => /^Счет №\d+ от .*\(с QR-кодом\)\.pdf$/.test(f))).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
