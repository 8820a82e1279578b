/**
 * Every request, fed malformed payloads, is rejected with a typed error and
 * the core keeps serving. Runs against a real core (real SQLite, real shell).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestNames, requests, type RequestName } from '../../preload/contract';
import type { Workspace } from '../../preload/layout';
import { startHarness, type Harness, type TestClient } from '../testing/core-harness';

let harness: Harness;
let client: TestClient;
let blockId: string;
let zone: string;
let workspace: Workspace;

beforeAll(async () => {
  harness = await startHarness();
  const attached = await harness.attachFirst();
  client = attached.client;
  blockId = attached.blockId;
  zone = attached.reply.zone;
  // Saving it again changes nothing, so a fuzzed payload that happens to be valid is harmless.
  workspace = (await client.request('loadWorkspace', {})).workspace;
});
afterAll(() => harness.dispose());

const huge = 'x'.repeat(2 * 1024 * 1024);
const unknownId = '00000000-0000-4000-8000-000000000000';

/** Hand-picked bad payloads per field shape, on top of random ones. */
function malformed(name: RequestName): unknown[] {
  const base: Record<RequestName, Record<string, unknown>> = {
    appInfo: {},
    loadWorkspace: {},
    saveWorkspace: { workspace },
    createBlock: { connection: 'local', sessionId: zone },
    attachBlock: { blockId, cols: 80, rows: 24 },
    attachSession: { blockId, sessionId: zone, cols: 80, rows: 24 },
    detachBlock: { blockId },
    restartSession: { sessionId: zone, blockId, cols: 80, rows: 24 },
    createSession: { connection: 'local', name: 'fuzz' },
    listSessions: { connection: 'local' },
    peekSessions: { connection: 'local', lines: 3 },
    sessionInfo: { sessionId: zone },
    renameSession: { sessionId: zone, name: 'fuzzed' },
    deleteSession: { sessionId: zone },
    recordActivity: { sessionId: zone, blockId, kind: 'focus', cols: 80, rows: 24 },
    switchConnection: { blockId: unknownId, connection: 'local' },
    listConnections: {},
    reconnect: { connection: 'local' },
    pendingPrompts: {},
    answerPrompt: { promptId: unknownId, answer: { kind: 'cancel' } },
    checkerReport: {},
    detachZone: { zone, blockId },
    writeZone: { zone, blockId, data: 'x' },
    resizeZone: { zone, blockId, cols: 80, rows: 24 },
    ackZone: { zone, blockId, bytes: 1 },
  };
  const valid = base[name];
  const cases: unknown[] = [null, undefined, 42, 'text', [], [valid], { ...valid, extra: 1 }];
  for (const key of Object.keys(valid)) {
    const { [key]: _dropped, ...missing } = valid;
    cases.push(missing);
    for (const wrong of [null, true, -1, 1.5, huge, {}, [], 'not-a-uuid', 1e12, Number.NaN]) {
      if (wrong === valid[key]) continue;
      cases.push({ ...valid, [key]: wrong });
    }
  }
  cases.push(JSON.parse(`{"__proto__": {"polluted": true}}`));
  return cases;
}

async function expectServing(): Promise<void> {
  const info = await client.call('appInfo', {});
  expect(info.ok).toBe(true);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('contract fuzzing', () => {
  for (const name of requestNames) {
    it(`${name}: rejects malformed payloads with typed errors`, async () => {
      for (const payload of malformed(name)) {
        const result = await client.call(name, payload);
        if (requests[name].payload.safeParse(payload).success) continue; // still valid (e.g. valid ids)
        expect(result.ok, `${name} accepted ${JSON.stringify(payload)?.slice(0, 80)}`).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('invalid_payload');
          expect(result.error.message.length).toBeLessThan(1000);
        }
      }
      await expectServing();
    });
  }

  it('rejects random values for every request and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...requestNames), fc.anything(), async (name, payload) => {
        const result = await client.call(name, payload);
        const valid = requests[name].payload.safeParse(payload).success;
        if (!valid) expect(result).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      }),
      { numRuns: 300 },
    );
    await expectServing();
  });

  it('rejects unknown request names, including prototype keys', async () => {
    for (const name of [
      'nope',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      '',
      7,
      null,
    ]) {
      const result = await client.call(name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_request' } });
    }
    await expectServing();
  });

  it('answers well-formed requests for unknown ids with not_found', async () => {
    expect(
      await client.call('attachBlock', { blockId: unknownId, cols: 80, rows: 24 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await client.call('writeZone', { zone: unknownId, blockId, data: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await expectServing();
  });

  it('still runs the shell after all of that', async () => {
    // Some fuzzed payloads were valid input (typed text): clear the line first.
    await client.request('writeZone', { zone, blockId, data: '\x15echo alive-$((20+1))\r' });
    await client.untilText(zone, /alive-21/);
  });
});
