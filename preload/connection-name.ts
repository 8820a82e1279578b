/**
 * Connection names as blocks and sessions store them (DESIGN.md §1): `local`,
 * a `~/.ssh/config` Host alias, or `[user@]host[:port]` (`[v6]:port` too).
 * Shared by main (which refuses a bad name) and the renderer (which says so
 * before asking).
 */

export const LOCAL_CONNECTION = 'local';

const ALLOWED = /^[A-Za-z0-9_.@:%+[\]-]+$/;

/** Why `name` cannot be a connection, for people; null when it can. */
export function connectionProblem(name: string): string | null {
  if (name.length === 0) return 'Type a host, a user@host:port or a Host alias from ~/.ssh/config.';
  if (name.length > 255) return 'A connection name is at most 255 characters.';
  if (name.startsWith('-')) return 'A connection cannot start with "-".';
  if (!ALLOWED.test(name)) {
    return 'Only letters, digits and _ . @ : - % + [ ] can be part of a connection.';
  }
  if (name === LOCAL_CONNECTION) return null;
  const at = name.lastIndexOf('@');
  const user = at >= 0 ? name.slice(0, at) : null;
  const hostPort = at >= 0 ? name.slice(at + 1) : name;
  if (user === '') return 'The user before "@" is empty.';
  if (user?.includes('@') || user?.includes(':')) return 'A user name cannot contain "@" or ":".';
  const { host, port } = splitHostPort(hostPort);
  if (host === null || host === '') return 'The host is missing.';
  if (host.startsWith('-')) return 'A host cannot start with "-".';
  if (port !== null) {
    const number = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(number >= 1 && number <= 65535)) return `"${port}" is not a port (1–65535).`;
  }
  return null;
}

export function isLocalConnection(name: string): boolean {
  return name === LOCAL_CONNECTION;
}

/** host[:port], [v6][:port], or a bare v6 address (several colons, no port). */
function splitHostPort(text: string): { host: string | null; port: string | null } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { host: null, port: null };
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { host: null, port: null };
    return { host: text.slice(1, close), port: after === '' ? null : after.slice(1) };
  }
  if (text.includes('[') || text.includes(']')) return { host: null, port: null };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = text.split(':');
    return { host, port };
  }
  return { host: text, port: null };
}
