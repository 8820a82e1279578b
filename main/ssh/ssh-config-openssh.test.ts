// Cross-check against OpenSSH itself: `ssh -G` prints the effective config
// without connecting. The config has no Match exec (ssh -G would run it) and
// no canonicalization (the default), so ssh resolves no names either.
import { execFile } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedHost, SshConfig } from './ssh-config';
import { loadSshConfig, parseProxyJump, resolveHost } from './ssh-config';
import type { TempHome } from './ssh-config-testing';
import { makeTempHome } from './ssh-config-testing';

const hasSsh = spawnSync('ssh', ['-V']).status === 0;
// ssh -G expands ~ and %d with the passwd entry's home, not $HOME.
const { username: localUser, homedir: home } = userInfo();

let t: TempHome;
let file: string;
let config: SshConfig;

beforeAll(async () => {
  t = makeTempHome();
  const extra = t.write('extra/50-extra.conf', 'Host extra\n  HostName 127.0.0.9\n  Port 2209\n');
  t.write('extra/10-first.conf', 'Host extra\n  User first-wins\n');
  const scoped = t.write('scoped.conf', 'Port 2203\nHost db1\n  User scoped-db1\n');
  file = t.write(
    'config',
    `Include ${join(extra, '..')}/*.conf
Host web Web
  HostName 127.0.0.1
  User deploy
  Port 2201
  IdentityFile ~/.ssh/web_key
  IdentityFile /opt/keys/second
  IdentitiesOnly yes
  ServerAliveInterval 15
  ConnectTimeout 1m
Host db?
  HostName 127.0.0.2
  ProxyJump ops@127.0.0.1:2222,[::1]:23
Host *.corp !bastion.corp
  User corpuser
  UserKnownHostsFile ~/.ssh/kh_%h_%p /tmp/kh_%r_%u
  StrictHostKeyChecking accept-new
Host bastion.corp
  HostName 127.0.0.3
  ProxyJump none
  Include ${scoped}
Host *
  User fallback
  Port 2299
  HostKeyAlias shared-key
  AddKeysToAgent yes
  ForwardAgent no
`,
  );
  config = await loadSshConfig({ home, file });
});
afterAll(() => t.cleanup());

/** `ssh -G` output in ResolvedHost terms (the fields both sides know). */
async function openssh(target: string): Promise<Partial<ResolvedHost>> {
  const { stdout } = await promisify(execFile)('ssh', ['-G', '-F', file, target]);
  const all = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [key = '', ...rest] = line.split(' ');
    all.set(key, [...(all.get(key) ?? []), rest.join(' ')]);
  }
  const get = (key: string) => all.get(key)?.[0];
  const yesNo = (key: string) => /^(yes|true)$/.test(get(key) ?? '');
  const seconds = (key: string) => (/^[1-9]\d*$/.test(get(key) ?? '') ? Number(get(key)) : null);
  const truthy: Record<string, string> = { true: 'yes', false: 'no' };
  return {
    hostName: get('hostname'),
    user: get('user'),
    port: Number(get('port')),
    identityFiles: (all.get('identityfile') ?? []).map((f) => f.replace(/^~/, home)),
    identitiesOnly: yesNo('identitiesonly'),
    proxyJump: parseProxyJump(get('proxyjump') ?? 'none'),
    serverAliveIntervalS: seconds('serveraliveinterval'),
    serverAliveCountMax: Number(get('serveralivecountmax')),
    connectTimeoutS: seconds('connecttimeout'),
    userKnownHostsFiles: get('userknownhostsfile')?.split(' '),
    globalKnownHostsFiles: get('globalknownhostsfile')?.split(' '),
    strictHostKeyChecking: (truthy[get('stricthostkeychecking') ?? ''] ??
      get('stricthostkeychecking')) as ResolvedHost['strictHostKeyChecking'],
    hostKeyAlias: get('hostkeyalias') ?? null,
    addKeysToAgent: (truthy[get('addkeystoagent') ?? ''] ??
      get('addkeystoagent')) as ResolvedHost['addKeysToAgent'],
    forwardAgent: yesNo('forwardagent'),
  };
}

describe.skipIf(!hasSsh)('resolveHost agrees with ssh -G', () => {
  const targets = [
    'web',
    'Web',
    'WEB',
    'db1',
    'db',
    'db12',
    'app.corp',
    'alice@app.corp',
    'bastion.corp',
    'extra',
    'elsewhere.example',
  ];
  for (const target of targets) {
    it(target, async () => {
      const ours = resolveHost(config, target, { localUser, home });
      const theirs = await openssh(target);
      const { identityFiles: theirKeys = [], ...rest } = theirs;
      expect(ours).toMatchObject(rest);
      if (ours.identityFilesFromConfig) {
        expect(ours.identityFiles).toEqual(theirKeys);
      } else {
        // ssh also lists id_ecdsa_sk, id_ed25519_sk, id_xmss and id_dsa.
        expect(theirKeys.filter((k) => ours.identityFiles.includes(k))).toEqual(ours.identityFiles);
      }
    });
  }
});
