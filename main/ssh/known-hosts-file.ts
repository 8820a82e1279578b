/**
 * Writing known_hosts lines the way `ssh` does when the user accepts a new host key: one line
 * appended, never rewriting or reordering what is there.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hashHostName, hostPatternFor, keyType } from './known-hosts';

export interface KnownHostsLineOptions {
  /** Write `|1|salt|hmac` instead of the name, as `HashKnownHosts yes` does. */
  hashed?: boolean;
}

/**
 * A known_hosts line (no newline) for the host: `name type base64` or, hashed, `|1|salt|hmac
 * type base64` with a fresh 20-byte salt. The name is lowercased, like OpenSSH writes it.
 */
export function knownHostsLine(
  host: string,
  port: number,
  key: Buffer,
  options: KnownHostsLineOptions = {},
): string {
  // Anything that would turn the name into a pattern list, a wildcard, a marker or a hash.
  if (!/^[^\s,*?!@#|[\]]+$/.test(host)) {
    throw new Error(`Not a host name that can go in known_hosts: ${JSON.stringify(host)}`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Bad port ${port}`);
  const name = hostPatternFor(host, port);
  const hosts = options.hashed ? hashHostName(name, randomBytes(20)) : name;
  return `${hosts} ${keyType(key)} ${key.toString('base64')}`;
}

/**
 * Append the host's key to the known_hosts file at `path`, creating the directory (0700) and the
 * file (0600) if missing. If the file does not end in a newline one is added first, so the new
 * line never joins the last one. The whole addition is a single O_APPEND write. Returns the line.
 */
export async function addKnownHost(
  path: string,
  host: string,
  port: number,
  key: Buffer,
  options: KnownHostsLineOptions = {},
): Promise<string> {
  const line = knownHostsLine(host, port, key, options);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const file = await open(path, 'a+', 0o600);
  try {
    const { size } = await file.stat();
    let separator = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await file.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) separator = '\n';
    }
    await file.write(`${separator}${line}\n`);
  } finally {
    await file.close();
  }
  return line;
}
