/** A shell's exit reaches every listener exactly once, early or late. */
import { describe, expect, it, vi } from 'vitest';
import { ExitOnce } from './exit-once';

describe('ExitOnce', () => {
  it('tells listeners once, ignores a second exit, and tells late listeners too', async () => {
    const exit = new ExitOnce();
    const early = vi.fn();
    const gone = vi.fn();
    exit.on(early);
    exit.on(gone)();
    exit.fire({ exitCode: 3, signal: null });
    exit.fire({ exitCode: null, signal: 9 });
    expect(early.mock.calls).toEqual([[{ exitCode: 3, signal: null }]]);
    expect(gone).not.toHaveBeenCalled();
    expect(exit.value).toEqual({ exitCode: 3, signal: null });

    const late = vi.fn();
    exit.on(late);
    expect(late).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(late.mock.calls).toEqual([[{ exitCode: 3, signal: null }]]);
  });
});
