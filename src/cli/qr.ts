/**
 * `qrbill qr --input doc.json [--qr-encoding auto|utf8|win1251]` — prints the payment QR payload of an
 * invoice as the bytes the QR code holds: in the charset its header declares, so `ST00011` is followed by
 * Windows-1251 bytes, not by UTF-8 text.
 */
import { documentTotals, gostFieldsFor } from '../documents/purpose.js';
import { buildGostPayload, type QrEncodingChoice } from '../qr/payload.js';
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

const USAGE = `Использование: qrbill qr --input doc.json [--qr-encoding auto|utf8|win1251]
  Печатает строку QR-кода ГОСТ Р 56042 счета (или ссылку банка для qr.mode = link) байтами той кодировки,
  что объявлена в заголовке: ST00012 — UTF-8, ST00011 — Windows-1251. По умолчанию auto: UTF-8, а если
  получатель и банк не помещаются в 300 байт — Windows-1251.`;

export async function qrCommand(argv: string[], io: CommandIo): Promise<number> {
  let input: string;
  let encoding: QrEncodingChoice;
  try {
    const { values } = parseCommandArgs(argv, {
      input: { type: 'string', short: 'i' },
      'qr-encoding': { type: 'string' },
      // The earlier spelling, kept so scripts that use it go on working.
      encoding: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (!values.input) throw new UsageError('не указан --input');
    input = values.input;
    encoding = parseQrEncoding(values['qr-encoding'] ?? values.encoding);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`Ошибка: ${err.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    const { model, warnings } = await loadDocument(io, input);
    printWarnings(io, warnings);
    if (model.kind === 'act') {
      io.stderr('В акте нет QR-кода для оплаты: укажите счет (kind invoice или qr_invoice).');
      return EXIT_INPUT;
    }
    if (model.qr?.mode === 'link' && model.qr.link) {
      io.stdout(model.qr.link);
      return EXIT_OK;
    }
    const payload = buildGostPayload(gostFieldsFor(model, documentTotals(model)), { encoding });
    if (io.stdoutBytes) io.stdoutBytes(new Uint8Array([...payload.bytes, 0x0a]));
    // An io without a byte channel (a caller collecting text) gets the payload as text.
    else io.stdout(payload.text);
    return EXIT_OK;
  } catch (err) {
    return reportError(io, err, `QR-код не построен (${input}):`);
  }
}
