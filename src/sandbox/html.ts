/** Minimal HTML helpers for the OAuth consent page and error pages. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A complete HTML document; `bodyHtml` must already be escaped. */
export function htmlPage(title: string, bodyHtml: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<title>${escapeHtml(title)}</title>` +
    '<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}button{margin-right:1em}</style>' +
    `</head><body>${bodyHtml}</body></html>`
  );
}
