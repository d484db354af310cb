/**
 * QR symbol for a payment payload: byte mode (the payload is already bytes in the declared charset, no ECI),
 * error correction M, quiet zone 4 modules. The matrix excludes the quiet zone; PNG and SVG include it.
 */
import QRCode from 'qrcode';
import { AppError } from '../errors.js';

export const QR_QUIET_ZONE = 4;
export const QR_ERROR_CORRECTION = 'M' as const;
/** 3 cm at 300 dpi — the smallest print size at which bank apps read a v13–v16 symbol reliably. */
export const QR_MIN_PNG_PX = 354;

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number;
  version: number;
  isDark(row: number, col: number): boolean;
}

export interface QrRun {
  row: number;
  col: number;
  length: number;
}

function segments(bytes: Uint8Array): QRCode.QRCodeSegment[] {
  return [{ data: Buffer.from(bytes), mode: 'byte' }];
}

export function qrMatrix(bytes: Uint8Array): QrMatrix {
  let code: QRCode.QRCode;
  try {
    code = QRCode.create(segments(bytes), { errorCorrectionLevel: QR_ERROR_CORRECTION });
  } catch (cause) {
    throw new AppError('QR_TOO_LARGE', 'Данные для QR-кода не помещаются в символ; сократите назначение платежа', {
      cause,
      details: { bytes: bytes.length },
    });
  }
  const { modules } = code;
  return {
    size: modules.size,
    version: code.version,
    isDark: (row, col) => modules.get(row, col) === 1,
  };
}

/** Dark modules merged into horizontal runs, row by row — one rectangle per run when drawing. */
export function qrDarkRuns(matrix: Pick<QrMatrix, 'size' | 'isDark'>): QrRun[] {
  const runs: QrRun[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (!matrix.isDark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < matrix.size && matrix.isDark(row, col)) col++;
      runs.push({ row, col: start, length: col - start });
    }
  }
  return runs;
}

/** Pixels per module so that the whole image, quiet zone included, is at least QR_MIN_PNG_PX wide. */
export function defaultQrScale(size: number): number {
  return Math.max(4, Math.ceil(QR_MIN_PNG_PX / (size + 2 * QR_QUIET_ZONE)));
}

export async function qrPng(bytes: Uint8Array, opts: { scale?: number } = {}): Promise<Buffer> {
  const matrix = qrMatrix(bytes); // validates capacity with a readable error before rendering
  return QRCode.toBuffer(segments(bytes), {
    type: 'png',
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    margin: QR_QUIET_ZONE,
    scale: opts.scale ?? defaultQrScale(matrix.size),
  });
}

/** Standalone SVG, one unit per module, quiet zone included; scales to any print size. */
export function qrSvg(bytes: Uint8Array): string {
  const matrix = qrMatrix(bytes);
  const side = matrix.size + 2 * QR_QUIET_ZONE;
  const path = qrDarkRuns(matrix)
    .map((r) => `M${r.col + QR_QUIET_ZONE} ${r.row + QR_QUIET_ZONE}h${r.length}v1h-${r.length}z`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<rect width="${side}" height="${side}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`
  );
}
