/**
 * `qrbill render --input doc.json --out doc.pdf [--qr-png qr.png] [--qr-encoding auto|utf8|win1251]`.
 * Everything is validated and rendered in memory first; files are written only after that, each through
 * a temporary file renamed into place, so a failed run never leaves a half-written or stale-looking PDF.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { renderDocument, renderQrPng } from '../documents/render.js';
import type { QrEncodingChoice } from '../qr/payload.js';
import {
  EXIT_INPUT,
  EXIT_OK,
  EXIT_USAGE,
  loadDocument,
  parseCommandArgs,
  parseQrEncoding,
  printWarnings,
  reportError,
  UsageError,
  type CommandIo,
} from './io.js';

const USAGE = `Использование: qrbill render --input doc.json --out doc.pdf [--qr-png qr.png] [--qr-encoding auto|utf8|win1251]
  Строит PDF счета, счета с QR-кодом или акта из JSON-модели документа (файл в UTF-8).
  --qr-encoding auto (по умолчанию): UTF-8, а если получатель и банк не помещаются в 300 байт — Windows-1251.`;

interface RenderArgs {
  input: string;
  out: string;
  qrPng: string | undefined;
  encoding: QrEncodingChoice;
}

function parse(argv: string[]): RenderArgs | 'help' {
  const { values } = parseCommandArgs(argv, {
    input: { type: 'string', short: 'i' },
    out: { type: 'string', short: 'o' },
    'qr-png': { type: 'string' },
    'qr-encoding': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  if (!values.input) throw new UsageError('не указан --input');
  if (!values.out) throw new UsageError('не указан --out');
  const encoding = parseQrEncoding(values['qr-encoding']);
  return { input: values.input, out: values.out, qrPng: values['qr-png'], encoding };
}

/** Writes all files or none: temporaries first, then renames; temporaries are removed on failure. */
async function writeAll(files: { path: string; bytes: Uint8Array }[]): Promise<void> {
  const temps = files.map((f) => ({
    ...f,
    temp: join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`),
  }));
  try {
    for (const f of temps) await writeFile(f.temp, f.bytes);
    for (const f of temps) await rename(f.temp, f.path);
  } catch (err) {
    await Promise.all(temps.map((f) => rm(f.temp, { force: true })));
    throw err;
  }
}

export async function renderCommand(argv: string[], io: CommandIo): Promise<number> {
  let args: RenderArgs;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    args = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`Ошибка: ${err.message}\n${USAGE}`);
    return EXIT_USAGE;
  }

  try {
    const { model, warnings } = await loadDocument(io, args.input);
    printWarnings(io, warnings);
    const pdf = await renderDocument(model, { qrEncoding: args.encoding });
    const files = [{ path: resolve(io.cwd, args.out), bytes: pdf }];
    if (args.qrPng !== undefined) {
      const png = await renderQrPng(model, { qrEncoding: args.encoding });
      if (png === null) {
        io.stderr('В документе нет QR-кода (нужен kind qr_invoice и qr.mode gost или link); файлы не записаны.');
        return EXIT_INPUT;
      }
      files.push({ path: resolve(io.cwd, args.qrPng), bytes: png });
    }
    await writeAll(files);
    io.stdout(`Записан ${args.out} (${pdf.length} байт)`);
    if (args.qrPng !== undefined) io.stdout(`Записан ${args.qrPng}`);
    return EXIT_OK;
  } catch (err) {
    return reportError(io, err, `Документ не построен (${args.input}):`);
  }
}
