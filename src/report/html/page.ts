/**
 * The shell of a self-contained report page: inline CSS, the data as inert
 * JSON, d3-hierarchy (read from its package, bundled into the page) and the
 * client code. No external resources, so it opens offline.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLIENT_CSS, CLIENT_JS } from './client.js';
import { escapeHtml, inlineScript, jsonForScript } from './escape.js';

let d3Source: string | undefined;

/** d3-hierarchy's UMD build (defines the `d3` global). */
function d3HierarchySource(): string {
  if (d3Source === undefined) {
    const entry = createRequire(import.meta.url).resolve('d3-hierarchy');
    d3Source = readFileSync(join(dirname(entry), 'd3-hierarchy.min.js'), 'utf8');
  }
  return d3Source;
}

export interface PageParts {
  title: string;
  /** Trusted markup of the body (build it with escapeHtml). */
  body: string;
  data: unknown;
  /** Page-specific client code (trusted, pare's own), run after the shared client code. */
  script?: string;
}

export function renderPage(parts: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(parts.title)}</title>
<style>${CLIENT_CSS}</style>
</head>
<body>
${parts.body}
<script type="application/json" id="pare-data">${jsonForScript(parts.data)}</script>
<script>${inlineScript(d3HierarchySource())}</script>
<script>${inlineScript(CLIENT_JS)}</script>
${parts.script === undefined ? '' : `<script>${inlineScript(parts.script)}</script>\n`}</body>
</html>
`;
}
