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
});
