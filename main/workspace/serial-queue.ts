/**
 * Runs async tasks one at a time, in the order they were queued. The workspace
 * store puts every operation through one, so requests take effect in arrival
 * order even though each of them awaits the database.
 */

export type SerialQueue = {
  /** Queue a task; it starts once every earlier task has settled. A failure stops only its own caller. */
  run<T>(task: () => Promise<T>): Promise<T>;
};

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(task) {
      const result = tail.then(task);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
