// What the picker and the overview show, without React: filtering, order,
// grouping, the highlight's movement and the words for ages and panes.
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../preload/contract';
import {
  byId,
  groupByConnection,
  moveHighlight,
  paneCount,
  pickerRows,
  relativeAge,
} from './picker-model';
import { sessionInfo as session } from '../../testing/session-fixtures';

const byIds = (...sessions: SessionInfo[]) =>
  Object.fromEntries(sessions.map((one) => [one.id, one]));
const ids = (sessions: SessionInfo[]) => sessions.map((one) => one.id);

describe('pickerRows', () => {
  it("lists only the connection's sessions", () => {
    const sessions = byIds(session('a'), session('b', { connection: 'me@box' }), session('c'));
    expect(ids(pickerRows(sessions, 'local', '')).sort()).toEqual(['a', 'c']);
    expect(ids(pickerRows(sessions, 'me@box', ''))).toEqual(['b']);
    expect(pickerRows(sessions, 'elsewhere', '')).toEqual([]);
  });

  it('orders by most recent activity, then newest', () => {
    const sessions = byIds(
      session('old', { lastActiveAt: 5, createdAt: 1 }),
      session('recent', { lastActiveAt: 9, createdAt: 1 }),
      session('newer-tie', { lastActiveAt: 5, createdAt: 3 }),
    );
    expect(ids(pickerRows(sessions, 'local', ''))).toEqual(['recent', 'newer-tie', 'old']);
  });

  it('matches what was typed in the name, display name, topic or id, ignoring case', () => {
    const sessions = byIds(
      session('1111aaaa-named', { name: 'Build Server', displayName: 'Build Server' }),
      session('2222bbbb-topic', { topic: 'npm run dev', displayName: 'npm run dev' }),
      session('3333cccc-shown', { displayName: 'Deploy logs' }),
      session('4444dddd-plain'),
    );
    expect(ids(pickerRows(sessions, 'local', 'build'))).toEqual(['1111aaaa-named']);
    expect(ids(pickerRows(sessions, 'local', 'NPM RUN'))).toEqual(['2222bbbb-topic']);
    expect(ids(pickerRows(sessions, 'local', 'deploy'))).toEqual(['3333cccc-shown']);
    expect(ids(pickerRows(sessions, 'local', '4444'))).toEqual(['4444dddd-plain']);
    expect(ids(pickerRows(sessions, 'local', '  4444DDDD  '))).toEqual(['4444dddd-plain']);
    expect(pickerRows(sessions, 'local', 'nothing like it')).toEqual([]);
  });

  it('shows everything on the connection for a blank query', () => {
    const sessions = byIds(session('a'), session('b'));
    expect(pickerRows(sessions, 'local', '   ')).toHaveLength(2);
  });
});

describe('groupByConnection', () => {
  it('puts local first, then the others by name, each group most recent first', () => {
    const sessions = byIds(
      session('z1', { connection: 'zed@box', lastActiveAt: 1 }),
      session('a1', { connection: 'alice@box', lastActiveAt: 1 }),
      session('a2', { connection: 'alice@box', lastActiveAt: 7 }),
      session('l1', { lastActiveAt: 2 }),
      session('l2', { lastActiveAt: 8 }),
    );
    const groups = groupByConnection(sessions);
    expect(groups.map(([connection, group]) => [connection, ids(group)])).toEqual([
      ['local', ['l2', 'l1']],
      ['alice@box', ['a2', 'a1']],
      ['zed@box', ['z1']],
    ]);
  });

  it('puts local first even when another name sorts before it', () => {
    const sessions = byIds(session('b', { connection: 'aaa' }), session('a'));
    expect(groupByConnection(sessions).map(([connection]) => connection)).toEqual(['local', 'aaa']);
  });

  it('has no groups without sessions', () => {
    expect(groupByConnection({})).toEqual([]);
  });
});

describe('moveHighlight', () => {
  it('moves and wraps around both ways', () => {
    expect(moveHighlight(0, 1, 3)).toBe(1);
    expect(moveHighlight(2, 1, 3)).toBe(0);
    expect(moveHighlight(0, -1, 3)).toBe(2);
    expect(moveHighlight(1, -1, 3)).toBe(0);
  });

  it('starts at the first row going down and the last going up when nothing is highlighted', () => {
    expect(moveHighlight(-1, 1, 4)).toBe(0);
    expect(moveHighlight(-1, -1, 4)).toBe(3);
  });

  it('is -1 when there are no rows', () => {
    expect(moveHighlight(0, 1, 0)).toBe(-1);
    expect(moveHighlight(-1, -1, 0)).toBe(-1);
  });
});

describe('relativeAge', () => {
  const now = 1_000_000_000;
  const minute = 60_000;
  const hour = 60 * minute;
  const day = 24 * hour;

  it('says "just now" under a minute, and for a time in the future', () => {
    expect(relativeAge(now, now)).toBe('just now');
    expect(relativeAge(now - minute + 1, now)).toBe('just now');
    expect(relativeAge(now + day, now)).toBe('just now');
  });

  it('counts whole minutes, hours and days', () => {
    expect(relativeAge(now - minute, now)).toBe('1 min ago');
    expect(relativeAge(now - 59 * minute - 59_000, now)).toBe('59 min ago');
    expect(relativeAge(now - hour, now)).toBe('1 h ago');
    expect(relativeAge(now - day + 1, now)).toBe('23 h ago');
    expect(relativeAge(now - day, now)).toBe('1 d ago');
    expect(relativeAge(now - 12 * day - hour, now)).toBe('12 d ago');
  });
});

describe('paneCount', () => {
  it('says where a session is shown', () => {
    expect(paneCount(0)).toBe('not shown');
    expect(paneCount(1)).toBe('1 pane');
    expect(paneCount(3)).toBe('3 panes');
  });
});

describe('byId', () => {
  it('is true when a session is called by the start of its id', () => {
    expect(byId(session('0123456789abcdef'))).toBe(true);
    expect(byId(session('0123456789abcdef', { displayName: 'work' }))).toBe(false);
  });
});
