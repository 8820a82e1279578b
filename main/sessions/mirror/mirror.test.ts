import { describe, expect, it, vi } from 'vitest';
import { Mirror } from './mirror';

/** Resolves once every step posted before it has run (a tail waits for earlier writes). */
function settled(mirror: Mirror): Promise<string[]> {
  return new Promise((resolve, reject) => mirror.tail(5, resolve, reject));
}

describe('mirror', () => {
  it('says when screen lines became garbage: a full reset in the output, a reset, a close', async () => {
    const onDiscarded = vi.fn();
    const mirror = new Mirror({
      cols: 40,
      rows: 5,
      scrollback: 100,
      onParsed: () => {},
      onDiscarded,
    });
    mirror.write(Buffer.from('one\r\ntwo\r\n'));
    expect(await settled(mirror)).toEqual(['one', 'two']);
    expect(onDiscarded).not.toHaveBeenCalled();

    // A repaint from tmux starts with ESC c: xterm drops its buffers for new ones.
    mirror.write(Buffer.from('\x1bcthree\r\n'));
    expect(await settled(mirror)).toEqual(['three']);
    expect(onDiscarded).toHaveBeenCalledOnce();

    mirror.reset();
    expect(await settled(mirror)).toEqual([]);
    expect(onDiscarded).toHaveBeenCalledTimes(2);

    mirror.close();
    await vi.waitFor(() => expect(onDiscarded).toHaveBeenCalledTimes(3));
  });
});
