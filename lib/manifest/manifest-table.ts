import type { RouteManifestEntry } from './route-manifest.entry.js';

const list = (values: readonly string[]) => values.join(', ');

/** What a route demands beyond "who are you", in one cell: `roles: admin | scopes: items:read`. */
export function describeRules(entry: RouteManifestEntry): string {
  const rules: string[] = [];
  if (entry.roles.length) rules.push(`roles: ${entry.roles.join(' or ')}`);
  if (entry.permissions.length) rules.push(`permissions: ${list(entry.permissions)}`);
  if (entry.scopes.length) rules.push(`scopes: ${list(entry.scopes)}`);
  if (entry.owner) rules.push(`owner: ${entry.owner}${entry.ownerBypass.length ? ` (bypass: ${list(entry.ownerBypass)})` : ''}`);
  if (entry.mfa) rules.push('mfa');
  if (entry.can) rules.push(`can: ${entry.can.action} ${entry.can.subject}${entry.can.resource ? ` (on ${entry.can.resource})` : ''}`);
  return rules.join(' | ') || '-';
}

/** A plain-text table of the manifest for the boot log. */
export function formatManifestTable(entries: readonly RouteManifestEntry[]): string {
  const header = ['METHOD', 'PATH', 'HANDLER', 'ACCESS', 'STRATEGIES', 'RULES', 'ALLOW FROM'];
  const rows = entries.map((entry) => [
    entry.method,
    entry.path,
    entry.handler,
    entry.conflicts.length ? `${entry.access} (!)` : entry.access,
    list(entry.strategies) || '-',
    describeRules(entry),
    list(entry.allowFrom) || 'any',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const lines = [format(header), ...rows.map(format)];
  if (entries.some((entry) => entry.requireHttps)) lines.push('requireHttps: plain-HTTP requests are refused on every route.');
  if (entries.some((entry) => entry.conflicts.length)) lines.push('(!) contradictory metadata; see the warnings above.');
  return lines.join('\n');
}
