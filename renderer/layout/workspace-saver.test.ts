import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Workspace } from '../../preload/layout';
import { WorkspaceSaver } from './workspace-saver';

const state = (name: string): Workspace => ({
  activeTabId: 'tab',
  tabs: [
    {
      id: 'tab',
      name,
      layout: { root: { kind: 'leaf', blockId: 'b' }, focusedBlockId: 'b', magnifiedBlockId: null },
    },
  ],
});
const nameOf = (workspace: Workspace) => workspace.tabs[0]?.name;

describe('WorkspaceSaver', () => {
  let sent: Workspace[];
  let release: (() => void)[];
  let errors: unknown[];
  let saver: WorkspaceSaver;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    release = [];
    errors = [];
    saver = new WorkspaceSaver({
      send: (workspace) => {
        sent.push(workspace);
        return new Promise((resolve) => release.push(resolve));
      },
      onError: (error) => errors.push(error),
      debounceMs: 100,
    });
  });
  afterEach(() => {
    saver.dispose();
    vi.useRealTimers();
  });

  it('writes cosmetic changes once, after a quiet spell, with the newest state', async () => {
    saver.schedule(state('a'), false);
    await vi.advanceTimersByTimeAsync(60);
    saver.schedule(state('b'), false);
    await vi.advanceTimersByTimeAsync(60);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(60);
    expect(sent.map(nameOf)).toEqual(['b']);
  });

  it('writes urgent changes at once', () => {
    saver.schedule(state('a'), true);
    expect(sent.map(nameOf)).toEqual(['a']);
  });

  it('keeps one save in flight and sends only the newest state after it', async () => {
    saver.schedule(state('a'), true);
    saver.schedule(state('b'), true);
    saver.schedule(state('c'), true);
    expect(sent.map(nameOf)).toEqual(['a']);
    release.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map(nameOf)).toEqual(['a', 'c']);
  });

  it('reports pending work until the last save lands', async () => {
    const landed = vi.fn();
    saver.schedule(state('a'), false);
    expect(saver.pending()).toBe(true);
    void saver.idle().then(landed);
    await vi.advanceTimersByTimeAsync(100);
    expect(landed).not.toHaveBeenCalled();
    release.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(landed).toHaveBeenCalledOnce();
    expect(saver.pending()).toBe(false);
  });

  it('reports a failed save and goes on with the next one', async () => {
    const failing = new WorkspaceSaver({
      send: (workspace) =>
        nameOf(workspace) === 'bad' ? Promise.reject(new Error('disk full')) : Promise.resolve(),
      onError: (error) => errors.push(error),
    });
    failing.schedule(state('bad'), true);
    failing.schedule(state('good'), true);
    await failing.idle();
    expect(errors).toEqual([new Error('disk full')]);
    expect(failing.pending()).toBe(false);
  });
});
