/** Prints the sha256 of a fixture rendered in a fresh process: `node --import tsx renderFixtureHash.ts <name>`. */
import { createHash } from 'node:crypto';
import { renderDocument } from '../../src/documents/pdf/render.js';
import { parseDocumentModel } from '../../src/documents/schema.js';
import { loadFixture } from './pdfTools.js';

const pdf = await renderDocument(parseDocumentModel(loadFixture(process.argv[2] ?? 'ooo-vat22-qr')));
process.stdout.write(createHash('sha256').update(pdf).digest('hex'));
