import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { WEB_TEMPLATE_DIR } from './render.js';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/**
 * The pages' static files, read once: ours from templates/web/assets and the chart library from its npm package
 * (Chart.js's UMD build, so no bundler or download is needed to serve it).
 */
export function loadAssets(): Map<string, Asset> {
  const files = new Map<string, string>();
  const dir = path.join(WEB_TEMPLATE_DIR, 'assets');
  for (const f of readdirSync(dir)) files.set(f, path.join(dir, f));
  const chartMain = createRequire(import.meta.url).resolve('chart.js');
  files.set('chart.umd.min.js', path.join(path.dirname(chartMain), 'chart.umd.min.js'));
  const assets = new Map<string, Asset>();
  for (const [name, file] of files) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    // The library's source-map comment would make browsers ask for a file we do not serve.
    let body = readFileSync(file);
    if (name === 'chart.umd.min.js') body = Buffer.from(body.toString('utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, ''));
    assets.set(name, { body, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"` });
  }
  return assets;
}
