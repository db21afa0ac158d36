/**
 * The Content-Security-Policy of the renderer, the same in Electron and in the
 * browser host: only the app's own code, no remote content, no eval. Konva and
 * Svelte need inline styles; `blob:`/`data:` images carry decoded pixels.
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${connectSources.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
