// Host key checks against keys, fingerprints and matches produced by OpenSSH's own ssh-keygen.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostKey,
  findHostEntries,
  fingerprint,
  hostPatternFor,
  keyType,
  knownKeyTypes,
  parseKnownHosts,
} from './known-hosts';
import type { TestKey } from './known-hosts-testing';
import {
  generateKey,
  keygenFind,
  keygenFingerprints,
  keygenHash,
  makeTempDir,
} from './known-hosts-testing';

let dir: string;
let cleanup: () => void;
let ed: TestKey; // the key the server presents
let edOther: TestKey; // another ed25519 key: a "changed" host key
let ecdsa: TestKey;
let rsa: TestKey;
let fileCount = 0;

beforeAll(() => {
  ({ dir, cleanup } = makeTempDir());
  ed = generateKey(dir, 'ed', 'ed25519');
  edOther = generateKey(dir, 'ed-other', 'ed25519');
  ecdsa = generateKey(dir, 'ecdsa', 'ecdsa');
  rsa = generateKey(dir, 'rsa', 'rsa');
});

afterAll(() => cleanup());

function writeKnownHosts(lines: string[]): string {
  const path = join(dir, `known_hosts_${++fileCount}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('keyType and fingerprint', () => {
  it('read the type from the blob and fingerprint it exactly like ssh-keygen -l', () => {
    for (const key of [ed, edOther, ecdsa, rsa]) {
      expect(keyType(key.blob)).toBe(key.text.split(' ')[0]);
      expect(fingerprint(key.blob)).toBe(keygenFingerprints(key.pubPath)[0]);
    }
    expect(keyType(rsa.blob)).toBe('ssh-rsa');
    expect(keyType(ecdsa.blob)).toBe('ecdsa-sha2-nistp256');
  });

  it('refuses blobs without a key type', () => {
    expect(() => keyType(Buffer.alloc(2))).toThrow();
    expect(() => keyType(Buffer.from([0, 0, 0, 50, 65]))).toThrow();
  });
});

describe('hostPatternFor', () => {
  it('brackets non-default ports and lowercases like OpenSSH', () => {
    expect(hostPatternFor('Example.COM', 22)).toBe('example.com');
    expect(hostPatternFor('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(hostPatternFor('::1', 2222)).toBe('[::1]:2222');
  });
});

describe('parseKnownHosts', () => {
  it('skips comments and blank lines and reports malformed lines without losing the rest', () => {
    const text = [
      '# a comment',
      '',
      '   ',
      'garbage',
      `@bogus host ${ed.text}`,
      'host ssh-ed25519 not*base64',
      `host ssh-rsa ${ed.text.split(' ')[1]}`,
      `|1|c2hvcnQ=|AAAA ${ed.text}`,
      `@revoked @cert-authority host ${ed.text}`,
      `host.example ${ed.text} the comment`,
      `  indented,other ${ecdsa.text}\r`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.problems.map((p) => p.line)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(entries.map((e) => e.line)).toEqual([10, 11]);
    expect(entries[0]).toMatchObject({ hosts: 'host.example', comment: 'the comment' });
    expect(entries[1]).toMatchObject({ hosts: 'indented,other', keyType: 'ecdsa-sha2-nistp256' });
    expect(checkHostKey(entries, 'HOST.example', 22, ed.blob)).toEqual({
      kind: 'trusted',
      line: 10,
    });
    expect(checkHostKey(entries, 'other', 22, ecdsa.blob)).toEqual({ kind: 'trusted', line: 11 });
  });
});

describe('host matching agrees with ssh-keygen -F', () => {
  it('for plain names, lists, wildcards, negations, case and ports', () => {
    const lines = [
      `Example.COM,10.0.0.1 ${ed.text}`,
      `*.corp.example,!bad.corp.example ${ed.text}`,
      `[127.0.0.1]:2222 ${ed.text}`,
      `127.0.0.1 ${ed.text}`,
      `h?st,[h?st]:* ${ed.text}`,
      `@revoked *.corp.example ${rsa.text}`,
      `@cert-authority *.corp.example ${ecdsa.text}`,
      `[*.corp.example]:2200 ${ed.text}`,
    ];
    const path = writeKnownHosts(lines);
    const entries = parseKnownHosts(readFileSync(path, 'utf8'));
    expect(entries.problems).toEqual([]);
    const names = [
      'example.com',
      'EXAMPLE.com',
      '[example.com]:2222',
      '10.0.0.1',
      'x.corp.example',
      'bad.corp.example',
      'corp.example',
      '[x.corp.example]:2200',
      '[x.corp.example]:22000',
      '127.0.0.1',
      '[127.0.0.1]:2222',
      '[127.0.0.1]:22',
      'host',
      'hoost',
      '[host]:2222',
      'unknown.example',
    ];
    for (const name of names) {
      const ours = findHostEntries(entries, name).map((e) => e.line);
      expect({ name, lines: ours }).toEqual({ name, lines: keygenFind(name, path) });
    }
  });
});

describe('checkHostKey', () => {
  it('trusts a matching key, and reports an unknown host as unknown', () => {
    const entries = parseKnownHosts(`server.example ${ed.text}\n`);
    expect(checkHostKey(entries, 'server.example', 22, ed.blob)).toEqual({
      kind: 'trusted',
      line: 1,
    });
    expect(checkHostKey(entries, 'SERVER.Example', 22, ed.blob).kind).toBe('trusted');
    expect(checkHostKey(entries, 'other.example', 22, ed.blob)).toEqual({ kind: 'unknown' });
  });

  it('reports a different key of the same type as changed, with what was expected', () => {
    const entries = parseKnownHosts(`server.example ${edOther.text}\n`);
    expect(checkHostKey(entries, 'server.example', 22, ed.blob)).toEqual({
      kind: 'changed',
      expected: [
        { type: 'ssh-ed25519', fingerprint: keygenFingerprints(edOther.pubPath)[0], line: 1 },
      ],
    });
  });

  it('trusts the key if any matching line has it, even when another has a different key', () => {
    const entries = parseKnownHosts(`server.example ${edOther.text}\n*.example ${ed.text}\n`);
    expect(checkHostKey(entries, 'server.example', 22, ed.blob)).toEqual({
      kind: 'trusted',
      line: 2,
    });
  });

  it('treats a known key of another type as changed, like OpenSSH 9', () => {
    const entries = parseKnownHosts(`server.example ${rsa.text}\nserver.example ${ecdsa.text}\n`);
    const verdict = checkHostKey(entries, 'server.example', 22, ed.blob);
    expect(verdict).toEqual({
      kind: 'changed',
      expected: [
        { type: 'ssh-rsa', fingerprint: fingerprint(rsa.blob), line: 1 },
        { type: 'ecdsa-sha2-nistp256', fingerprint: fingerprint(ecdsa.blob), line: 2 },
      ],
    });
    expect(knownKeyTypes(entries, 'Server.example', 22)).toEqual([
      'ssh-rsa',
      'ecdsa-sha2-nistp256',
    ]);
  });

  it('follows wildcards and negations', () => {
    const entries = parseKnownHosts(
      `*.corp.example,!bad.corp.example,db?.corp.example ${ed.text}\n`,
    );
    expect(checkHostKey(entries, 'web.corp.example', 22, ed.blob).kind).toBe('trusted');
    expect(checkHostKey(entries, 'db1.corp.example', 22, ed.blob).kind).toBe('trusted');
    expect(checkHostKey(entries, 'bad.corp.example', 22, ed.blob).kind).toBe('unknown');
    expect(checkHostKey(entries, 'bad.corp.example', 22, edOther.blob).kind).toBe('unknown');
    expect(checkHostKey(entries, 'corp.example', 22, ed.blob).kind).toBe('unknown');
    expect(checkHostKey(entries, 'web.corp.example', 22, edOther.blob).kind).toBe('changed');
  });

  it('keeps [host]:port and bare host apart', () => {
    const bracketed = parseKnownHosts(`[10.1.1.1]:2222 ${ed.text}\n`);
    expect(checkHostKey(bracketed, '10.1.1.1', 2222, ed.blob).kind).toBe('trusted');
    expect(checkHostKey(bracketed, '10.1.1.1', 22, ed.blob).kind).toBe('unknown');
    expect(checkHostKey(bracketed, '10.1.1.1', 2200, ed.blob).kind).toBe('unknown');

    // A bare entry never makes another port "changed"; it is not the name looked up there.
    const bare = parseKnownHosts(`10.1.1.1 ${edOther.text}\n`);
    expect(checkHostKey(bare, '10.1.1.1', 2222, ed.blob)).toEqual({ kind: 'unknown' });
    expect(checkHostKey(bare, '10.1.1.1', 22, ed.blob).kind).toBe('changed');
  });

  it('falls back to the bare name for an exact key when [host]:port is unknown, like ssh', () => {
    const bare = parseKnownHosts(`10.1.1.1 ${ed.text}\n`);
    expect(checkHostKey(bare, '10.1.1.1', 2222, ed.blob)).toEqual({ kind: 'trusted', line: 1 });
    // ...but not when the bracketed name is known with another key.
    const both = parseKnownHosts(`10.1.1.1 ${ed.text}\n[10.1.1.1]:2222 ${edOther.text}\n`);
    expect(checkHostKey(both, '10.1.1.1', 2222, ed.blob).kind).toBe('changed');
  });

  it('reports @revoked keys first, and ignores @cert-authority lines for plain keys', () => {
    const entries = parseKnownHosts(
      [
        `server.example ${ed.text}`,
        `@revoked * ${ed.text}`,
        `@cert-authority *.example ${edOther.text}`,
      ].join('\n'),
    );
    expect(checkHostKey(entries, 'server.example', 22, ed.blob)).toEqual({
      kind: 'revoked',
      line: 2,
    });
    expect(checkHostKey(entries, 'any.host', 2222, ed.blob)).toEqual({ kind: 'revoked', line: 2 });
    expect(checkHostKey(entries, 'other.example', 22, edOther.blob)).toEqual({ kind: 'unknown' });
    expect(checkHostKey(entries, 'other.example', 22, ecdsa.blob)).toEqual({ kind: 'unknown' });
  });
});

describe('a known_hosts file hashed by ssh-keygen -H', () => {
  it('still verifies, and reports a different key as changed', () => {
    const path = writeKnownHosts([
      '# mine',
      `Git.Example.com,192.0.2.7 ${ed.text}`,
      `[192.0.2.7]:2222 ${ecdsa.text}`,
      `*.wild.example ${rsa.text}`,
    ]);
    keygenHash(path);
    const entries = parseKnownHosts(readFileSync(path, 'utf8'));
    expect(entries.problems).toEqual([]);
    const hashed = entries.filter((e) => e.hosts.startsWith('|1|'));
    expect(hashed).toHaveLength(3); // the list became two lines; the wildcard stays plain

    for (const host of ['git.example.com', 'GIT.example.com', '192.0.2.7']) {
      const verdict = checkHostKey(entries, host, 22, ed.blob);
      expect(verdict.kind).toBe('trusted');
      // ssh lowercases the host before hashing; ssh-keygen -F hashes the name as given.
      if (verdict.kind === 'trusted') {
        expect(keygenFind(host.toLowerCase(), path)).toContain(verdict.line);
      }
    }
    expect(checkHostKey(entries, '192.0.2.7', 2222, ecdsa.blob).kind).toBe('trusted');
    expect(checkHostKey(entries, 'x.wild.example', 22, rsa.blob).kind).toBe('trusted');
    expect(checkHostKey(entries, 'git2.example.com', 22, ed.blob)).toEqual({ kind: 'unknown' });

    const changed = checkHostKey(entries, 'git.example.com', 22, edOther.blob);
    expect(changed).toEqual({
      kind: 'changed',
      expected: [
        {
          type: 'ssh-ed25519',
          fingerprint: keygenFingerprints(ed.pubPath)[0],
          line: keygenFind('git.example.com', path)[0],
        },
      ],
    });
  });
});
