/** `qrbill qr --input doc.json [--qr-encoding utf8|win1251]` — prints the payment QR payload of an invoice. */
import { documentTotals, gostFieldsFor } from '../documents/purpose.js';
import { buildGostPayload } from '../qr/payload.js';
import {
  EXIT_INPUT,
  EXIT_OK,
  EXIT_USAGE,
  loadDocument,
  parseCommandArgs,
  printWarnings,
  reportError,
  UsageError,
  type CommandIo,
} from './io.js';

const USAGE = `Использование: qrbill qr --input doc.json [--qr-encoding utf8|win1251]
  Печатает строку QR-кода ГОСТ Р 56042 счета (или ссылку банка для qr.mode = link).`;

export async function qrCommand(argv: string[], io: CommandIo): Promise<number> {
  let input: string;
  let encoding: 'utf8' | 'win1251';
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
    const enc = values['qr-encoding'] ?? values.encoding ?? 'utf8';
    if (enc !== 'utf8' && enc !== 'win1251') throw new UsageError('--qr-encoding: utf8 или win1251');
    input = values.input;
    encoding = enc;
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
    io.stdout(buildGostPayload(gostFieldsFor(model, documentTotals(model)), { encoding }).text);
    return EXIT_OK;
  } catch (err) {
    return reportError(io, err, `QR-код не построен (${input}):`);
  }
}
