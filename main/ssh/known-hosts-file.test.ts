// Lines we write must be ones OpenSSH's ssh-keygen finds; appending must never disturb a file.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHostKey, parseKnownHosts } from './known-hosts';
import { addKnownHost, knownHostsLine } from './known-hosts-file';
import type { TestKey } from './known-hosts-testing';
import { generateKey, keygenFind, keygenFingerprints, makeTempDir } from './known-hosts-testing';

let dir: string;
let cleanup: () => void;
let ed: TestKey;
let rsa: TestKey;
let fileCount = 0;

beforeAll(() => {
  ({ dir, cleanup } = makeTempDir());
  ed = generateKey(dir, 'ed', 'ed25519');
  rsa = generateKey(dir, 'rsa', 'rsa');
});

afterAll(() => cleanup());

const nextPath = () => join(dir, `known_hosts_${++fileCount}`);
const mode = (path: string) => statSync(path).mode & 0o777;

describe('knownHostsLine', () => {
  const cases = [
    { host: 'git.example.com', port: 22, name: 'git.example.com', hashed: false },
    { host: 'git.example.com', port: 22, name: 'git.example.com', hashed: true },
    { host: '127.0.0.1', port: 2222, name: '[127.0.0.1]:2222', hashed: false },
    { host: '127.0.0.1', port: 2222, name: '[127.0.0.1]:2222', hashed: true },
  ];
  for (const { host, port, name, hashed } of cases) {
    it(`writes a line ssh-keygen -F '${name}' finds (${hashed ? 'hashed' : 'plain'})`, () => {
      const line = knownHostsLine(host, port, ed.blob, { hashed });
      expect(line.endsWith(` ${ed.text}`)).toBe(true);
      expect(line.startsWith(hashed ? '|1|' : `${name} `)).toBe(true);
      const path = nextPath();
      writeFileSync(path, `${line}\n`);

      expect(keygenFind(name, path)).toEqual([1]);
      const other = port === 22 ? `[${host}]:2222` : host;
      expect(keygenFind(other, path)).toEqual([]);
      // ssh-keygen -l parses the line as a known_hosts entry, too.
      expect(keygenFingerprints(path)).toEqual(keygenFingerprints(ed.pubPath));

      const entries = parseKnownHosts(readFileSync(path, 'utf8'));
      expect(checkHostKey(entries, host, port, ed.blob)).toEqual({ kind: 'trusted', line: 1 });
      expect(checkHostKey(entries, host.toUpperCase(), port, ed.blob).kind).toBe('trusted');
    });
  }

  it('uses a fresh 20-byte salt for every hashed line', () => {
    const a = knownHostsLine('h.example', 22, rsa.blob, { hashed: true });
    const b = knownHostsLine('h.example', 22, rsa.blob, { hashed: true });
    expect(a).not.toBe(b);
    const salt = a.split('|')[2] ?? '';
    expect(Buffer.from(salt, 'base64')).toHaveLength(20);
  });

  it('lowercases the name, as OpenSSH writes it', () => {
    expect(knownHostsLine('Git.Example.COM', 2200, rsa.blob)).toBe(
      `[git.example.com]:2200 ${rsa.text}`,
    );
  });

  it('refuses names that known_hosts would read as patterns, lists or markers', () => {
    for (const host of ['*', 'a,b', 'a b', '!a', '@revoked', '|1|x', '#x', '[a]:1', 'h?', '']) {
      expect(() => knownHostsLine(host, 22, ed.blob)).toThrow();
    }
    expect(() => knownHostsLine('a', 0, ed.blob)).toThrow();
    expect(() => knownHostsLine('a', 70000, ed.blob)).toThrow();
  });
});

describe('addKnownHost', () => {
  it('creates a missing .ssh directory (0700) and known_hosts (0600)', async () => {
    const sshDir = join(dir, 'home', '.ssh');
    const path = join(sshDir, 'known_hosts');
    const line = await addKnownHost(path, '127.0.0.1', 2222, ed.blob, { hashed: true });
    expect(mode(sshDir)).toBe(0o700);
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(`${line}\n`);
    expect(keygenFind('[127.0.0.1]:2222', path)).toEqual([1]);
  });

  it('appends after existing lines without touching them', async () => {
    const path = nextPath();
    const before = `# keep me\r\n\nold.example ${rsa.text} comment\n@revoked * ${rsa.text}\n`;
    writeFileSync(path, before);
    chmodSync(path, 0o644);
    const line = await addKnownHost(path, 'new.example', 22, ed.blob);
    expect(readFileSync(path, 'utf8')).toBe(`${before}${line}\n`);
    expect(mode(path)).toBe(0o644); // an existing file keeps its mode
    expect(keygenFind('new.example', path)).toEqual([4, 5]); // the @revoked * line, and ours
    const entries = parseKnownHosts(readFileSync(path, 'utf8'));
    expect(checkHostKey(entries, 'new.example', 22, ed.blob)).toEqual({ kind: 'trusted', line: 5 });
    expect(checkHostKey(entries, 'old.example', 22, rsa.blob).kind).toBe('revoked');
  });

  it('ends an unterminated last line before appending', async () => {
    const path = nextPath();
    writeFileSync(path, `old.example ${rsa.text}`);
    await addKnownHost(path, 'new.example', 2022, ed.blob);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toEqual([`old.example ${rsa.text}`, `[new.example]:2022 ${ed.text}`, '']);
    expect(keygenFind('old.example', path)).toEqual([1]);
    expect(keygenFind('[new.example]:2022', path)).toEqual([2]);
  });

  it('appends to an empty file and leaves an existing directory alone', async () => {
    const sub = join(dir, 'existing');
    mkdirSync(sub);
    chmodSync(sub, 0o755);
    const path = join(sub, 'known_hosts');
    writeFileSync(path, '');
    const first = await addKnownHost(path, 'a.example', 22, ed.blob);
    const second = await addKnownHost(path, 'b.example', 22, rsa.blob, { hashed: true });
    expect(readFileSync(path, 'utf8')).toBe(`${first}\n${second}\n`);
    expect(mode(sub)).toBe(0o755);
    expect(keygenFind('b.example', path)).toEqual([2]);
  });
});
