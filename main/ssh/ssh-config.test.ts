// Resolving hosts from real ~/.ssh/config files in a temporary HOME.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listHostAliases, loadSshConfig, resolveHost } from './ssh-config';
import type { TempHome } from './ssh-config-testing';
import { makeTempHome } from './ssh-config-testing';

let t: TempHome;
beforeEach(() => {
  t = makeTempHome('me');
});
afterEach(() => t.cleanup());

const config = (text: string) => t.write('.ssh/config', text);
const ssh = (name: string) => join(t.home, '.ssh', name);

describe('resolveHost', () => {
  it('gives OpenSSH defaults when there is no ~/.ssh/config', async () => {
    expect(await t.resolve('example.org')).toEqual({
      alias: 'example.org',
      hostName: 'example.org',
      user: 'me',
      port: 22,
      identityFiles: [ssh('id_rsa'), ssh('id_ecdsa'), ssh('id_ed25519')],
      identityFilesFromConfig: false,
      identitiesOnly: false,
      proxyJump: [],
      proxyCommand: null,
      serverAliveIntervalS: null,
      serverAliveCountMax: 3,
      connectTimeoutS: null,
      userKnownHostsFiles: [ssh('known_hosts'), ssh('known_hosts2')],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      strictHostKeyChecking: 'ask',
      hostKeyAlias: null,
      addKeysToAgent: 'no',
      forwardAgent: false,
    });
    expect(await t.load()).toEqual({ files: [], items: [] });
  });

  it('resolves an alias: HostName, User, Port, several IdentityFiles in order, IdentitiesOnly', async () => {
    config(`# work
Host work
  HostName Work.Example.COM
  User alice
  Port 2222
  IdentityFile ~/.ssh/work_ed25519
  IdentityFile "~/keys/with space"
  IdentitiesOnly yes
  ServerAliveInterval 1m
  ServerAliveCountMax 5
  ConnectTimeout 10
  StrictHostKeyChecking accept-new
  HostKeyAlias work-key
  AddKeysToAgent confirm
  ForwardAgent yes
`);
    expect(await t.resolve('work')).toMatchObject({
      alias: 'work',
      hostName: 'work.example.com',
      user: 'alice',
      port: 2222,
      identityFiles: [ssh('work_ed25519'), join(t.home, 'keys/with space')],
      identityFilesFromConfig: true,
      identitiesOnly: true,
      serverAliveIntervalS: 60,
      serverAliveCountMax: 5,
      connectTimeoutS: 10,
      strictHostKeyChecking: 'accept-new',
      hostKeyAlias: 'work-key',
      addKeysToAgent: 'confirm',
      forwardAgent: true,
    });
  });

  it('keeps the first value across matching blocks, down to a trailing Host *', async () => {
    config(`User early
Host app
  Port 2001
  IdentityFile ~/.ssh/app
Host app *.example
  Port 2002
  HostName app.internal
  IdentityFile ~/.ssh/shared
Host *
  User late
  Port 2099
  IdentityFile ~/.ssh/app
  StrictHostKeyChecking no
`);
    expect(await t.resolve('app')).toMatchObject({
      hostName: 'app.internal',
      user: 'early',
      port: 2001,
      identityFiles: [ssh('app'), ssh('shared')],
      strictHostKeyChecking: 'no',
    });
    expect(await t.resolve('other')).toMatchObject({ hostName: 'other', port: 2099 });
  });

  it('matches wildcards and negations like OpenSSH (case-sensitive, ? is one character)', async () => {
    config(`Host *.corp !bastion.corp
  User corp
Host web?
  User web
Host Mixed
  User mixed
`);
    const user = async (target: string) => (await t.resolve(target)).user;
    expect(await user('db.corp')).toBe('corp');
    expect(await user('bastion.corp')).toBe('me');
    expect(await user('web1')).toBe('web');
    expect(await user('web')).toBe('me');
    expect(await user('web12')).toBe('me');
    expect(await user('Mixed')).toBe('mixed');
    expect(await user('mixed')).toBe('me');
  });

  it('parses targets that are not in the config; a typed user or port wins', async () => {
    config('Host pinned\n  User cfg\n  Port 2200\n');
    const pick = async (target: string) => {
      const { alias, hostName, user, port } = await t.resolve(target);
      return { alias, hostName, user, port };
    };
    expect(await pick('bob@db.example:2022')).toEqual({
      alias: 'db.example',
      hostName: 'db.example',
      user: 'bob',
      port: 2022,
    });
    expect(await pick('db.example:2022')).toMatchObject({ user: 'me', port: 2022 });
    expect(await pick('[::1]:2222')).toMatchObject({ hostName: '::1', port: 2222 });
    expect(await pick('root@[fe80::1]')).toMatchObject({ hostName: 'fe80::1', user: 'root' });
    expect(await pick('::1')).toMatchObject({ hostName: '::1', port: 22 });
    expect(await pick('a@b@pinned:1')).toMatchObject({ user: 'a@b', port: 1 });
    expect(await pick('pinned')).toMatchObject({ user: 'cfg', port: 2200 });
    for (const bad of ['', '@host', 'host:0', 'host:70000', 'host:ssh', '[::1', 'a b']) {
      await expect(t.resolve(bad), bad).rejects.toThrow(/host|port/);
    }
  });

  it('expands ~, %d, %u, %r, %h, %p, %n and %% the way ssh does', async () => {
    config(`Host tok
  HostName %h.example.net
  User remote
  Port 2022
  IdentityFile ~/.ssh/id_%h_%p
  IdentityFile %d/keys/%r@%n_%u_100%%
  UserKnownHostsFile ~/.ssh/kh_%h %d/kh2_%x
`);
    const host = await t.resolve('tok');
    expect(host.hostName).toBe('tok.example.net');
    expect(host.identityFiles).toEqual([
      ssh('id_tok.example.net_2022'),
      join(t.home, 'keys/remote@tok_me_100%'),
    ]);
    expect(host.userKnownHostsFiles).toEqual([ssh('kh_tok.example.net'), `${t.home}/kh2_%x`]);
  });

  it('reads ProxyJump with one hop, two hops and none; the first of ProxyJump/ProxyCommand wins', async () => {
    config(`Host one
  ProxyJump bastion
Host two
  ProxyJump ops@jump1.example:2222, ssh://[2001:db8::1]:23
Host direct
  ProxyJump none
Host cmd
  ProxyCommand ssh -W "%h:%p" gateway
Host cmd one direct
  ProxyJump ignored
Host *
  ProxyJump fallback
`);
    const jumps = async (target: string) => (await t.resolve(target)).proxyJump;
    expect(await jumps('one')).toEqual([{ user: null, host: 'bastion', port: null }]);
    expect(await jumps('two')).toEqual([
      { user: 'ops', host: 'jump1.example', port: 2222 },
      { user: null, host: '2001:db8::1', port: 23 },
    ]);
    expect(await jumps('direct')).toEqual([]);
    expect(await jumps('elsewhere')).toEqual([{ user: null, host: 'fallback', port: null }]);
    expect(await t.resolve('cmd')).toMatchObject({
      proxyJump: [],
      proxyCommand: 'ssh -W "%h:%p" gateway',
    });
  });

  it('never executes Match exec; Match host, user and all are honoured', async () => {
    const marker = join(t.home, 'executed');
    config(`Match exec "touch ${marker}"
  User fromexec
  Include exec.conf
Match host db exec "touch ${marker}"
  Port 1111
Match originalhost db
  HostName db.internal
Match host db.internal user admin
  Port 2222
Match user admin
  IdentityFile ~/.ssh/admin
Match all
  User everyone
`);
    t.write('.ssh/exec.conf', 'Port 3333\n');
    const db = await t.resolve('db');
    expect(db).toMatchObject({ hostName: 'db.internal', user: 'everyone', port: 22 });
    expect(await t.resolve('admin@db')).toMatchObject({
      user: 'admin',
      port: 2222,
      identityFiles: [ssh('admin')],
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('does not canonicalize host names (no DNS lookups)', async () => {
    config('CanonicalizeHostname yes\nCanonicalDomains example.invalid\nHost short\n  User s\n');
    expect(await t.resolve('short')).toMatchObject({ hostName: 'short', user: 's' });
  });
});

describe('loadSshConfig', () => {
  it('follows Include of a relative file and of a glob, in sorted order, in place', async () => {
    config(`Include first.conf
Include config.d/*.conf
Host b-host
  User from-main
`);
    t.write('.ssh/first.conf', 'Host a-host\n  User from-first\n');
    t.write('.ssh/config.d/20-b.conf', 'Host b-host\n  User from-20\n  Port 2020\n');
    t.write('.ssh/config.d/10-a.conf', 'Host b-host\n  Port 1010\n');
    t.write('.ssh/config.d/notes.txt', 'Host b-host\n  User from-txt\n');
    t.write('.ssh/config.d/.hidden.conf', 'Host b-host\n  User hidden\n');
    const loaded = await t.load();
    expect(loaded.files).toEqual([
      ssh('config'),
      ssh('first.conf'),
      ssh('config.d/10-a.conf'),
      ssh('config.d/20-b.conf'),
    ]);
    expect(await t.resolve('a-host')).toMatchObject({ user: 'from-first' });
    expect(await t.resolve('b-host')).toMatchObject({ user: 'from-20', port: 1010 });
  });

  it('applies an Include inside a Host block only when that block matches', async () => {
    config(`Host inner-*
  Include inner.conf
Host *
  Port 2099
`);
    t.write('.ssh/inner.conf', 'User inner\nHost inner-b\n  Port 2002\n');
    expect(await t.resolve('inner-a')).toMatchObject({ user: 'inner', port: 2099 });
    expect(await t.resolve('inner-b')).toMatchObject({ user: 'inner', port: 2002 });
    expect(await t.resolve('other')).toMatchObject({ user: 'me', port: 2099 });
  });

  it('ignores an Include that matches nothing, as ssh does', async () => {
    config('Include nothing-here.conf missing.d/*\nUser u\n');
    expect(await t.resolve('x')).toMatchObject({ user: 'u' });
  });

  it('reports an include cycle instead of hanging', async () => {
    config('Include a.conf\n');
    t.write('.ssh/a.conf', '# a\nInclude config\n');
    await expect(t.load()).rejects.toThrow(`${ssh('a.conf')}:2: Include cycle`);
  });

  it('allows 16 levels of Include and refuses a 17th', async () => {
    const chain = (levels: number) => {
      config('Include level1.conf\n');
      for (let i = 1; i <= levels; i++) {
        t.write(`.ssh/level${i}.conf`, i < levels ? `Include level${i + 1}.conf\n` : 'Port 16\n');
      }
    };
    chain(16);
    expect((await t.resolve('deep')).port).toBe(16);
    chain(17);
    await expect(t.load()).rejects.toThrow(`${ssh('level16.conf')}:1: Include nested deeper`);
  });

  it('names the file and line of a malformed or invalid line', async () => {
    config('Host ok\n  User fine\n\n  IdentityFile "unterminated\n');
    await expect(t.load()).rejects.toThrow(`${ssh('config')}:4: cannot parse`);
    config('Host ok\n  User fine\n# comment\n  Port 22x\n');
    await expect(t.load()).rejects.toThrow(`${ssh('config')}:4: bad port "22x"`);
    t.write('.ssh/bad.conf', 'Host x\n  StrictHostKeyChecking sometimes\n');
    config('Include bad.conf\n');
    await expect(t.load()).rejects.toThrow(`${ssh('bad.conf')}:2: unexpected value`);
    config('Host\n');
    await expect(t.load()).rejects.toThrow(`${ssh('config')}:1: Host needs an argument`);
    config('Host a\n  User\n  Port 22\n');
    await expect(t.load()).rejects.toThrow(`${ssh('config')}:2: User needs an argument`);
  });

  it('reports an unreadable file', async () => {
    const denied = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    const load = loadSshConfig({ home: t.home, readFile: () => Promise.reject(denied) });
    await expect(load).rejects.toThrow(`cannot read ${ssh('config')}: permission denied`);
  });
});

describe('listHostAliases', () => {
  it('lists concrete Host names in file order, once, skipping patterns and negations', async () => {
    config(`Include more.conf
Host zeta alpha
Host *.corp !bastion.corp web? *
Host alpha beta
Host scoped-*
  Include scoped.conf
`);
    t.write('.ssh/more.conf', 'Host gamma !gamma\nHost delta\n');
    t.write('.ssh/scoped.conf', 'Host scoped-one unscoped\n');
    expect(listHostAliases(await t.load())).toEqual([
      'delta',
      'zeta',
      'alpha',
      'beta',
      'scoped-one',
    ]);
  });

  it('is empty without a config', async () => {
    expect(listHostAliases(await t.load())).toEqual([]);
    const empty = resolveHost(await t.load(), 'x', { localUser: 'u', home: t.home });
    expect(empty.user).toBe('u');
  });
});
