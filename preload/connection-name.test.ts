import { describe, expect, it } from 'vitest';
import { ConnectionName } from './contract';
import { connectionProblem } from './connection-name';

describe('connectionProblem', () => {
  it.each([
    'local',
    'testhost',
    'build.example.com',
    'alice@build',
    'alice@build:2222',
    'alice@[::1]:22',
    '[fe80::1%eth0]:22',
    '::1',
    'user.name+tag@host_1',
  ])('accepts %s', (name) => {
    expect(connectionProblem(name)).toBeNull();
    expect(ConnectionName.safeParse(name).success).toBe(true);
  });

  it.each([
    ['', /Type a host/],
    ['-oProxyCommand=x', /cannot start with "-"/],
    ['alice@-x', /host cannot start/],
    ['a b', /Only letters/],
    ['host;rm', /Only letters/],
    ['@host', /user before "@" is empty/],
    ['alice@', /host is missing/],
    ['host:0', /not a port/],
    ['host:65536', /not a port/],
    ['host:ssh', /not a port/],
    ['[::1', /host is missing/],
    ['[::1]x', /host is missing/],
    ['x'.repeat(256), /at most 255/],
  ])('refuses %j', (name, why) => {
    expect(connectionProblem(name)).toMatch(why);
  });

  it('the contract schema refuses what could be read as an ssh option', () => {
    expect(ConnectionName.safeParse('-oProxyCommand=touch').success).toBe(false);
    expect(ConnectionName.safeParse('host name').success).toBe(false);
  });
});
