import { describe, expect, it } from 'vitest';
import { connectionInfo, localConnection } from '../testing/connection-fixtures';
import {
  connectionRows,
  orderConnections,
  parseFreeEntry,
  rowConnection,
} from './connection-picker-model';

const list = [
  connectionInfo('zeta'),
  connectionInfo('alpha'),
  connectionInfo('devbox', { lastUsedAt: 100, target: 'alice@10.0.0.5:22' }),
  localConnection,
  connectionInfo('bob@build.example:2222', {
    fromConfig: false,
    lastUsedAt: 300,
    target: 'bob@build.example:2222',
  }),
  connectionInfo('mid', { lastUsedAt: 200 }),
];

const names = (rows: ReturnType<typeof connectionRows>) => rows.map(rowConnection);

describe('orderConnections', () => {
  it('puts local first, then the most recently used, then the rest of the config by name', () => {
    expect(orderConnections(list).map((info) => info.name)).toEqual([
      'local',
      'bob@build.example:2222',
      'mid',
      'devbox',
      'alpha',
      'zeta',
    ]);
  });
});

describe('connectionRows', () => {
  it('lists everything in order when nothing is typed', () => {
    const rows = connectionRows(list, '  ');
    expect(rows.every((row) => row.kind === 'known')).toBe(true);
    expect(names(rows)).toEqual([
      'local',
      'bob@build.example:2222',
      'mid',
      'devbox',
      'alpha',
      'zeta',
    ]);
  });

  it('filters by name and by target, ignoring case', () => {
    expect(names(connectionRows(list, 'ALPHA'))).toEqual(['alpha']);
    // devbox's target is alice@10.0.0.5.
    expect(names(connectionRows(list, 'alice@')).slice(-1)).toEqual(['devbox']);
    expect(names(connectionRows(list, '10.0.0')).filter((name) => name === 'devbox')).toEqual([
      'devbox',
    ]);
  });

  it('offers typed text that names a new connection first', () => {
    const rows = connectionRows(list, 'carol@10.0.0.9:2200');
    expect(rows[0]).toEqual({
      kind: 'new',
      id: 'new:carol@10.0.0.9:2200',
      name: 'carol@10.0.0.9:2200',
    });
    expect(rows).toHaveLength(1);
  });

  it('offers it after the matches when a listed name or target starts with it, so Enter picks the match', () => {
    const rows = connectionRows(list, 'dev');
    expect(rows.map((row) => row.kind)).toEqual(['known', 'new']);
    expect(names(rows)).toEqual(['devbox', 'dev']);
    expect(names(connectionRows(list, 'alice'))).toEqual(['devbox', 'alice']);
    // Inside a target, not at its start: the typed address comes first.
    expect(names(connectionRows(list, '10.0.0.5'))).toEqual(['10.0.0.5', 'devbox']);
  });

  it('does not offer a name that is listed already', () => {
    expect(connectionRows(list, 'devbox').map((row) => row.kind)).toEqual(['known']);
    expect(connectionRows(list, 'local').map((row) => row.kind)).toEqual(['known']);
  });

  it('offers nothing new for text that is no connection', () => {
    expect(connectionRows(list, 'not a host')).toEqual([]);
    expect(connectionRows(list, 'alpha beta')).toEqual([]);
  });
});

describe('parseFreeEntry', () => {
  it.each([
    'host',
    'build.example',
    'alice@host',
    'alice@10.0.0.5:22',
    'host:2222',
    '[::1]:2222',
    'me.name@some-host_1.example',
  ])('takes %s', (text) => {
    expect(parseFreeEntry(`  ${text} `)).toEqual({ kind: 'valid', name: text });
  });

  it('is nothing for blank text', () => {
    expect(parseFreeEntry('   ')).toEqual({ kind: 'none' });
  });

  it.each([
    ['a host with a space', 'my host', 'Only letters, digits'],
    ['an option', '-oProxyCommand=x', 'cannot start with "-"'],
    ['an option as host', 'alice@-oProxyCommand', 'A host cannot start with "-"'],
    ['port 0', 'host:0', '"0" is not a port'],
    ['a port too high', 'host:70000', '"70000" is not a port'],
    ['two @', 'a@b@c', 'A user name cannot contain'],
    ['an empty user', '@host', 'The user before "@" is empty'],
    ['a slash', 'host/path', 'Only letters, digits'],
    ['a port by name', 'host:ssh', '"ssh" is not a port'],
  ])('refuses %s, saying why', (_what, text, problem) => {
    const entry = parseFreeEntry(text);
    expect(entry.kind).toBe('invalid');
    expect(entry.kind === 'invalid' && entry.problem).toContain(problem);
  });

  it('refuses what the contract refuses (too long)', () => {
    expect(parseFreeEntry(`${'h'.repeat(256)}`).kind).toBe('invalid');
  });
});
