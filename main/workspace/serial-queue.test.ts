import { describe, expect, it } from 'vitest';
import { createSerialQueue } from './serial-queue';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createSerialQueue', () => {
  it('runs tasks one at a time in queue order, however long each takes', async () => {
    const queue = createSerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      queue.run(task('slow', 30)),
      queue.run(task('quick', 1)),
      queue.run(task('middle', 10)),
    ]);
    expect(results).toEqual(['slow', 'quick', 'middle']);
    expect(log).toEqual([
      'start slow',
      'end slow',
      'start quick',
      'end quick',
      'start middle',
      'end middle',
    ]);
  });

  it('keeps going after a task fails, and the failure reaches only its caller', async () => {
    const queue = createSerialQueue();
    const failed = queue.run(() => Promise.reject(new Error('broken')));
    const next = queue.run(() => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('broken');
    await expect(next).resolves.toBe('next');
  });

  it('treats a task that throws synchronously like one that rejects', async () => {
    const queue = createSerialQueue();
    const failed = queue.run(() => {
      throw new Error('sync');
    });
    await expect(failed).rejects.toThrow('sync');
    await expect(queue.run(async () => 1)).resolves.toBe(1);
  });
});
