/** `qrbill words 25000.00` — the amount in words, 1C style. */
import { parseMoney } from '../documents/money.js';
import { amountInWords } from '../documents/words.js';
import { EXIT_OK, EXIT_USAGE, reportError, UsageError, parseCommandArgs, type CommandIo } from './io.js';

const USAGE = 'Использование: qrbill words <сумма>   например: qrbill words 25000.00';

export async function wordsCommand(argv: string[], io: CommandIo): Promise<number> {
  let amount: string;
  // «-5» would otherwise be taken for an unknown option; the amount check gives the real reason.
  if (argv.length === 1 && /^-\d/.test(argv[0] ?? '')) return wordsOf(argv[0] ?? '', io);
  try {
    const { values, positionals } = parseCommandArgs(argv, { help: { type: 'boolean', short: 'h' } }, true);
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    // «25 000,00» arrives as two shell words when unquoted.
    amount = positionals.join(' ').trim();
    if (amount === '') throw new UsageError('не указана сумма');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`Ошибка: ${err.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  return wordsOf(amount, io);
}

function wordsOf(amount: string, io: CommandIo): number {
  try {
    io.stdout(amountInWords(parseMoney(amount, 'amount')));
    return EXIT_OK;
  } catch (err) {
    return reportError(io, err, 'Сумма записана неверно:');
  }
}
