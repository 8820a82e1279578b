/**
 * Host key verification against OpenSSH's known_hosts, matching the way `ssh` (OpenSSH 9.x,
 * hostfile.c / match.c / sshconnect.c) decides. Keys are SSH wire-format public key blobs, as
 * ssh2 hands them over and as known_hosts stores them in base64. Writing lines lives in
 * known-hosts-file.ts.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostEntry {
  /** 1-based line number in the file. */
  line: number;
  /** `@cert-authority` lines hold CA keys for host certificates; plain key checks skip them. */
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: a comma-separated pattern list or one `|1|salt|hmac`. */
  hosts: string;
  keyType: string;
  key: Buffer;
  comment?: string;
}

export interface KnownHostsProblem {
  line: number;
  reason: string;
}

/** The usable entries, plus the lines that were skipped as malformed (OpenSSH skips them too). */
export type KnownHosts = KnownHostEntry[] & { problems: KnownHostsProblem[] };

export type HostKeyVerdict =
  | { kind: 'trusted'; line: number }
  | { kind: 'unknown' }
  | { kind: 'changed'; expected: { type: string; fingerprint: string; line: number }[] }
  | { kind: 'revoked'; line: number };

const HASH_MAGIC = '|1|';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** OpenSSH accepts these signature-algorithm names for an `ssh-rsa` key. */
const RSA_ALIASES = new Set(['ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512']);

/** The key type named inside a wire-format public key blob (its first SSH string). */
export function keyType(key: Buffer): string {
  if (key.length < 4) throw new Error('SSH public key blob is too short');
  const length = key.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > key.length) {
    throw new Error('SSH public key blob has no valid key type');
  }
  const type = key.toString('latin1', 4, 4 + length);
  if (!/^[\x21-\x7e]+$/.test(type)) throw new Error('SSH public key type is not printable');
  return type;
}

/** `SHA256:<base64, unpadded>` of the blob, as `ssh-keygen -l` and `ssh` print it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The name OpenSSH looks up and writes: `host` on port 22, `[host]:port` otherwise; lowercased. */
export function hostPatternFor(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 || port === 0 ? name : `[${name}]:${port}`;
}

/** The hashed host field for `name` with this salt: `|1|base64(salt)|base64(HMAC-SHA1)`. */
export function hashHostName(name: string, salt: Buffer): string {
  const mac = createHmac('sha1', salt).update(name).digest('base64');
  return `${HASH_MAGIC}${salt.toString('base64')}|${mac}`;
}

export function parseKnownHosts(text: string): KnownHosts {
  const entries = [] as unknown as KnownHosts;
  entries.problems = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.replace(/\r$/, '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parsed = parseLine(trimmed, line);
    if (typeof parsed === 'string') entries.problems.push({ line, reason: parsed });
    else entries.push(parsed);
  });
  return entries;
}

function parseLine(text: string, line: number): KnownHostEntry | string {
  const fields = text.split(/[ \t]+/);
  let marker: KnownHostEntry['marker'];
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift();
    if (word === '@revoked') marker = 'revoked';
    else if (word === '@cert-authority') marker = 'cert-authority';
    else return `unknown marker ${word}`;
  }
  const [hosts, type, base64, ...rest] = fields;
  if (!hosts || !type || !base64) return 'expected host patterns, key type and key';
  if (hosts.startsWith('@')) return 'only one marker is allowed';
  if (hosts.startsWith('|') && !validHash(hosts)) return 'malformed hashed host';
  if (!BASE64.test(base64)) return 'key is not base64';
  const key = Buffer.from(base64, 'base64');
  let blobType: string;
  try {
    blobType = keyType(key);
  } catch (error) {
    return (error as Error).message;
  }
  if (type !== blobType && !(blobType === 'ssh-rsa' && RSA_ALIASES.has(type))) {
    return `key type ${type} does not match the key (${blobType})`;
  }
  const entry: KnownHostEntry = { line, hosts, keyType: blobType, key };
  if (marker) entry.marker = marker;
  if (rest.length > 0) entry.comment = rest.join(' ');
  return entry;
}

/** OpenSSH rejects a hashed field whose salt is not 20 bytes of base64 (extract_salt). */
function validHash(hosts: string): boolean {
  const parts = hosts.split('|');
  if (parts.length !== 4 || `|${parts[1]}|` !== HASH_MAGIC) return false;
  const [, , salt = '', mac = ''] = parts;
  return BASE64.test(salt) && Buffer.from(salt, 'base64').length === 20 && mac !== '';
}

/** OpenSSH match_pattern: the whole string, `*` any run (even empty), `?` any one character. */
function wildcardMatch(name: string, pattern: string): boolean {
  let n = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      n++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Whether the entry's host field names `name` (already a lookup name: see hostPatternFor).
 * A hashed field is one name, compared by recomputing its HMAC; a pattern list matches if some
 * pattern does and no negated one does (match_pattern_list, patterns lowercased).
 */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  const host = name.toLowerCase();
  if (entry.hosts.startsWith('|')) {
    const salt = Buffer.from(entry.hosts.split('|')[2] ?? '', 'base64');
    return hashHostName(host, salt) === entry.hosts;
  }
  let positive = false;
  for (const item of entry.hosts.split(',')) {
    const negated = item.startsWith('!');
    const pattern = (negated ? item.slice(1) : item).toLowerCase();
    if (!wildcardMatch(host, pattern)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/** The entries (any marker) whose host field names `name`, like `ssh-keygen -F name`. */
export function findHostEntries(entries: readonly KnownHostEntry[], name: string) {
  return entries.filter((entry) => entryMatches(entry, name));
}

/** Key types known for the host: offer these first so the server shows a key we can check. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number) {
  const found = findHostEntries(entries, hostPatternFor(host, port));
  return [...new Set(found.filter((entry) => !entry.marker).map((entry) => entry.keyType))];
}

function verdictFor(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const matching = findHostEntries(entries, name);
  const revoked = matching.find((entry) => entry.marker === 'revoked' && entry.key.equals(key));
  if (revoked) return { kind: 'revoked', line: revoked.line };
  // @cert-authority lines vouch only for host certificates, never for a plain key.
  const plain = matching.filter((entry) => entry.marker === undefined);
  const same = plain.find((entry) => entry.key.equals(key));
  if (same) return { kind: 'trusted', line: same.line };
  if (plain.length === 0) return { kind: 'unknown' };
  // Like OpenSSH, a known key of another type counts as changed too: otherwise an attacker could
  // present a different key type and get a mere "unknown host" prompt.
  const expected = plain.map((e) => ({
    type: e.keyType,
    fingerprint: fingerprint(e.key),
    line: e.line,
  }));
  return { kind: 'changed', expected };
}

/**
 * Check a presented host key. On a non-default port OpenSSH falls back to the bare host name
 * when `[host]:port` is entirely unknown, accepting only an exact key match there (a different
 * key under the bare name stays 'unknown'). A key revoked under the bare name is 'revoked': ssh
 * prints its revocation warning there too, then goes on to treat the host as new.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  key: Buffer,
): HostKeyVerdict {
  const verdict = verdictFor(entries, hostPatternFor(host, port), key);
  if (verdict.kind !== 'unknown' || port === 22 || port === 0) return verdict;
  const bare = verdictFor(entries, hostPatternFor(host, 22), key);
  return bare.kind === 'trusted' || bare.kind === 'revoked' ? bare : verdict;
}
