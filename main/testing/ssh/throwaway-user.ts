/**
 * A system user with a known, random password, for password and
 * keyboard-interactive logins to the test sshd.
 *
 * Why a real user: sshd checks passwords against the system (crypt() of
 * /etc/shadow, or PAM); there is no switch to give it a password of its own,
 * and tests must never set the password of root or of whoever runs them. So
 * the only honest way is a throwaway account, made with useradd/chpasswd and
 * deleted with userdel when the sshd stops. That changes /etc/passwd, so it
 * happens only as root AND when asked: the environment variable CI is set (a
 * disposable CI machine) or the caller passes allowCreatingUser. Otherwise the
 * reason is returned and password tests skip with it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanUpAtExit } from './exit-cleanup';
import { mustRun, runCommand } from './run-command';

export type ThrowawayUser = {
  name: string;
  password: string;
  home: string;
  remove(): Promise<void>;
};

export type ThrowawayUserResult =
  { user: ThrowawayUser; unavailable?: undefined } | { user?: undefined; unavailable: string };

/** Why a throwaway user cannot be made here, or undefined when it can. */
export function whyNoThrowawayUser(allowCreatingUser = false): string | undefined {
  if (process.getuid?.() !== 0) return 'password logins need a throwaway system user: run as root';
  if (!allowCreatingUser && !process.env.CI) {
    return 'password logins need a throwaway system user: set CI=1 or pass allowCreatingUser';
  }
  for (const tool of ['useradd', 'chpasswd', 'userdel']) {
    if (!['/usr/sbin', '/sbin', '/usr/bin'].some((dir) => existsSync(join(dir, tool)))) {
      return `password logins need a throwaway system user, and ${tool} is missing`;
    }
  }
  return undefined;
}

/** Make the user, with its home under `dir` (which becomes traversable by it). */
export async function createThrowawayUser(
  dir: string,
  allowCreatingUser = false,
): Promise<ThrowawayUserResult> {
  const unavailable = whyNoThrowawayUser(allowCreatingUser);
  if (unavailable) return { unavailable };

  const name = `tether-t-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  const home = join(dir, 'password-user-home');
  chmodSync(dir, 0o711);
  mkdirSync(home, { mode: 0o700 });
  // Parallel test files may hold the lock on /etc/passwd for a moment.
  await retry(() => mustRun('useradd', ['-M', '-d', home, '-s', '/bin/sh', name]));
  const forgetAtExit = cleanUpAtExit(() => {
    spawnSync('userdel', ['--force', name], { stdio: 'ignore' });
  });
  const remove = async () => {
    await retry(async () => {
      const result = await runCommand('userdel', ['--force', name]);
      // 6: the user does not exist (any more).
      if (result.code !== 0 && result.code !== 6) throw new Error(`userdel: ${result.stderr}`);
    });
    forgetAtExit();
  };
  try {
    await mustRun('chown', [name, home]);
    await retry(() => mustRun('chpasswd', [], { input: `${name}:${password}\n` }));
  } catch (error) {
    await remove();
    throw error;
  }
  return { user: { name, password, home, remove } };
}

async function retry<T>(attempt: () => Promise<T>, attempts = 10): Promise<T> {
  for (let left = attempts; ; left--) {
    try {
      return await attempt();
    } catch (error) {
      if (left <= 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
