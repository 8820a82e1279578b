import { describe, expect, it } from 'vitest';
import { resolveShell, shellEnvironment } from './login-shell';

const only =
  (...files: string[]) =>
  (file: string) =>
    files.includes(file);

describe('resolveShell', () => {
  it('uses $SHELL when it is executable', () => {
    expect(
      resolveShell(undefined, { SHELL: '/usr/bin/zsh' }, 'linux', only('/usr/bin/zsh')),
    ).toEqual({ file: '/usr/bin/zsh', args: [] });
  });

  it('falls back to bash, then sh, and says what it fell back from', () => {
    expect(resolveShell(undefined, { SHELL: '/nope/fish' }, 'linux', only('/bin/bash'))).toEqual({
      file: '/bin/bash',
      args: [],
      fallbackFrom: '/nope/fish',
    });
    expect(resolveShell(undefined, {}, 'linux', only('/bin/sh'))).toEqual({
      file: '/bin/sh',
      args: [],
    });
  });

  it('ignores a relative $SHELL', () => {
    expect(
      resolveShell(undefined, { SHELL: 'bash' }, 'linux', only('/bin/bash', 'bash')).file,
    ).toBe('/bin/bash');
  });

  it('keeps an explicit shell even if missing, so the error is reported', () => {
    expect(resolveShell('/missing/shell', {}, 'linux', only()).file).toBe('/missing/shell');
  });

  it('starts a login shell on macOS', () => {
    expect(resolveShell(undefined, { SHELL: '/bin/zsh' }, 'darwin', only('/bin/zsh')).args).toEqual(
      ['-l'],
    );
  });
});

describe('shellEnvironment', () => {
  it('sets terminal variables and drops the app’s private ones', () => {
    const env = shellEnvironment(
      { PATH: '/bin', ELECTRON_RUN_AS_NODE: '1', TETHER_TOKEN: 'secret', HOME: '/h' },
      '1.2.3',
    );
    expect(env).toMatchObject({
      PATH: '/bin',
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
      TERM_PROGRAM: 'Tether',
      TERM_PROGRAM_VERSION: '1.2.3',
      LANG: 'C.UTF-8',
      HOME: '/h',
    });
    expect(env.ELECTRON_RUN_AS_NODE).toBeUndefined();
    expect(env.TETHER_TOKEN).toBeUndefined();
  });

  it('keeps the user’s locale', () => {
    expect(shellEnvironment({ LC_ALL: 'de_DE.UTF-8' }).LANG).toBeUndefined();
  });
});
