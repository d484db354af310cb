/**
 * Logo, signature and stamp images of the document model (PNG or JPEG, base64 or a data: URL).
 * The format is taken from the bytes, not from the data: prefix, which users get wrong.
 */
import type { PDFDocument, PDFImage } from 'pdf-lib';
import { ValidationError } from '../../errors.js';
import type { DocumentImages } from '../model.js';

export type ImageKind = 'png' | 'jpeg';

export interface DecodedImage {
  kind: ImageKind;
  bytes: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function badImage(path: string): ValidationError {
  return new ValidationError([
    {
      path,
      message: 'Изображение должно быть PNG или JPEG в base64',
      messageEn: 'Image must be a base64 PNG or JPEG',
    },
  ]);
}

export function decodeImage(data: string, path: string): DecodedImage {
  const base64 = data.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return { kind: 'png', bytes };
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { kind: 'jpeg', bytes };
  throw badImage(path);
}

export interface EmbeddedImages {
  logo?: PDFImage;
  signature?: PDFImage;
  stamp?: PDFImage;
}

export async function embedImages(doc: PDFDocument, images: DocumentImages | undefined): Promise<EmbeddedImages> {
  const out: EmbeddedImages = {};
  if (!images) return out;
  for (const key of ['logo', 'signature', 'stamp'] as const) {
    const data = images[key];
    if (data === undefined) continue;
    const path = `images.${key}`;
    const img = decodeImage(data, path);
    try {
      out[key] = img.kind === 'png' ? await doc.embedPng(img.bytes) : await doc.embedJpg(img.bytes);
    } catch (cause) {
      const err = badImage(path);
      (err as { cause?: unknown }).cause = cause;
      throw err;
    }
  }
  return out;
}

/** Size of `img` scaled to fit in maxW × maxH, keeping its proportions. */
export function fitImage(img: PDFImage, maxW: number, maxH: number): { width: number; height: number } {
  const scale = Math.min(maxW / img.width, maxH / img.height);
  return { width: img.width * scale, height: img.height * scale };
}
