import { openApiDocument } from './openapi.js';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A readable page of the OpenAPI document, self-contained (no scripts, no outside assets). */
export function apiDocsPage(): string {
  const parts: string[] = [];
  for (const [path, methods] of Object.entries(openApiDocument.paths)) {
    for (const [method, op] of Object.entries(methods) as Array<[string, { summary: string; requestBody: { description?: string; content: Record<string, { schema: unknown }> }; parameters?: Array<{ name: string; description: string }>; responses: Record<string, { description: string }> }]>) {
      parts.push(`<section><h2><code>${method.toUpperCase()} ${esc(path)}</code></h2><p>${esc(op.summary)}. Header <code>Authorization: Bearer &lt;key&gt;</code>.</p>`);
      for (const p of op.parameters ?? []) parts.push(`<p>Header <code>${esc(p.name)}</code>: ${esc(p.description)}</p>`);
      if (op.requestBody.description) parts.push(`<p>Body: ${esc(op.requestBody.description)}.</p>`);
      for (const [type, c] of Object.entries(op.requestBody.content)) {
        parts.push(`<p>Content-Type <code>${esc(type)}</code></p><pre>${esc(JSON.stringify(c.schema, null, 2))}</pre>`);
      }
      parts.push('<h3>Answers</h3><ul>');
      for (const [code, r] of Object.entries(op.responses)) parts.push(`<li><b>${code}</b> — ${esc(r.description)}</li>`);
      parts.push('</ul></section>');
    }
  }
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${esc(openApiDocument.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#222}pre{background:#f5f7f8;padding:.75rem;overflow:auto}code{background:#f5f7f8;padding:0 .2rem}</style></head>
<body><h1>${esc(openApiDocument.info.title)}</h1><p>${esc(openApiDocument.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>. Decision fields:</p>
<pre>${esc(JSON.stringify(openApiDocument.components.schemas.Decision, null, 2))}</pre>${parts.join('\n')}</body></html>`;
}
