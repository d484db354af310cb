import type { AppDeps } from '../../deps.js';
import type { StoredDocument } from '../../storage/documents.js';
import { documentUrl, type LinkFile } from '../../documents/links.js';

/** Public signed links of one issued document, for return values, deal fields and e-mails. */
export function documentLinks(deps: AppDeps, doc: StoredDocument, files: LinkFile[]): Record<LinkFile, string> {
  const out = {} as Record<LinkFile, string>;
  for (const file of files) {
    out[file] = documentUrl(deps.config.PUBLIC_URL, deps.linkSecret, {
      memberId: doc.member_id,
      documentId: doc.id,
      version: doc.link_version,
      file,
    });
  }
  return out;
}
