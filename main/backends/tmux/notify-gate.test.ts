import { describe, expect, it } from 'vitest';
import { NotifyGate, notifiesEveryone } from './notify-gate';

describe('NotifyGate', () => {
  it('lets attaches share, and holds what notifies until every attach is done', async () => {
    const gate = new NotifyGate();
    const order: string[] = [];
    const first = await gate.shared();
    const second = await gate.shared();
    const exclusive = gate.exclusive().then((release) => {
      order.push('exclusive');
      return release;
    });
    // An attach that comes after a waiting exclusive holder waits for it.
    const third = gate.shared().then((release) => {
      order.push('third attach');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    second();
    const release = await exclusive;
    expect(order).toEqual(['exclusive']);
    release();
    (await third)();
    expect(order).toEqual(['exclusive', 'third attach']);
  });

  it('a release called twice frees once', async () => {
    const gate = new NotifyGate();
    const attach = await gate.shared();
    const other = await gate.shared();
    attach();
    attach();
    let held = true;
    const exclusive = gate.exclusive().then((release) => {
      held = false;
      return release;
    });
    await Promise.resolve();
    expect(held).toBe(true);
    other();
    (await exclusive)();
    expect(held).toBe(false);
  });

  it('knows which commands notify every control client', () => {
    expect(notifiesEveryone(['-L', 'tether', 'new-session', '-d'])).toBe(true);
    expect(notifiesEveryone(['kill-session', '-t', '$3'])).toBe(true);
    expect(notifiesEveryone(['rename-session', '-t', '$3', '--', 'work'])).toBe(true);
    expect(notifiesEveryone(['list-sessions', '-F', '#{session_id}'])).toBe(false);
  });
});
