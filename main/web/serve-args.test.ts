import { describe, expect, it } from 'vitest';
import { parseServeArgs, SERVE_USAGE } from './serve-args';

describe('parseServeArgs', () => {
  it('defaults to a random port and no overrides', () => {
    expect(parseServeArgs([])).toEqual({ kind: 'run', options: { port: 0 } });
  });

  it('reads every flag, spaced or with =', () => {
    expect(parseServeArgs(['--port', '8080', '--data-dir', '/tmp/t', '--shell=/bin/sh'])).toEqual({
      kind: 'run',
      options: { port: 8080, dataDir: '/tmp/t', shell: '/bin/sh' },
    });
    expect(parseServeArgs(['--port=0'])).toEqual({ kind: 'run', options: { port: 0 } });
    expect(parseServeArgs(['--port', '65535'])).toEqual({ kind: 'run', options: { port: 65535 } });
  });

  it('lets a later repeat win', () => {
    expect(parseServeArgs(['--port', '1', '--port', '2'])).toEqual({
      kind: 'run',
      options: { port: 2 },
    });
  });

  it('asks for help', () => {
    expect(parseServeArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseServeArgs(['--port', '1', '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--port', '65536'], /--port must be/],
    [['--port', '-1'], /needs a value|--port must be/],
    [['--port', '12ab'], /--port must be/],
    [['--port', '1.5'], /--port must be/],
    [['--port'], /--port needs a value/],
    [['--port='], /--port needs a value/],
    [['--data-dir', '--port', '1'], /--data-dir needs a value/],
    [['--shell'], /--shell needs a value/],
    [['--verbose'], /Unknown option: --verbose/],
    [['serve'], /Unexpected argument: serve/],
  ])('rejects %j', (argv, message) => {
    const parsed = parseServeArgs(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toMatch(message);
  });

  it('refuses to listen anywhere but loopback', () => {
    for (const argv of [
      ['--host', '0.0.0.0'],
      ['--host=::'],
      ['--bind', '0.0.0.0'],
      ['--listen'],
    ]) {
      const parsed = parseServeArgs(argv);
      expect(parsed).toEqual({ kind: 'error', message: expect.stringContaining('127.0.0.1') });
    }
  });

  it('says in its usage that there is no --host flag', () => {
    expect(SERVE_USAGE).toContain('There is no --host flag');
    for (const flag of ['--port', '--data-dir', '--shell', '--help']) {
      expect(SERVE_USAGE).toContain(flag);
    }
  });
});
