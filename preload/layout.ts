/**
 * The workspace as data: tabs, each a tree of splits whose leaves are blocks.
 * Shared by both sides of the contract: the renderer changes it through its
 * reducer, main stores it in SQLite. `parseWorkspace` / `parseTabLayout` are
 * the one validator for both what a client sends and what the database holds,
 * so a layout main accepts is a layout the renderer can draw.
 */

/** Bumped when the stored shape of a layout changes; older rows are converted or reset. */
export const LAYOUT_VERSION = 1;

/** `row`: children side by side (split right). `column`: stacked (split down). */
export type SplitDirection = 'row' | 'column';

export type LayoutLeaf = { kind: 'leaf'; blockId: string };
export type LayoutSplit = {
  kind: 'split';
  id: string;
  direction: SplitDirection;
  children: LayoutNode[];
  /** Percent of the split's extent per child, in child order; they sum to 100. */
  sizes: number[];
};
export type LayoutNode = LayoutLeaf | LayoutSplit;

export type TabLayout = {
  root: LayoutNode;
  /** The leaf that receives keystrokes when this tab is shown. */
  focusedBlockId: string;
  /** A leaf filling the whole tab, or null. */
  magnifiedBlockId: string | null;
};

export type Tab = { id: string; name: string; layout: TabLayout };

export type Workspace = { tabs: Tab[]; activeTabId: string };

/** Limits that keep a layout drawable and a hostile payload cheap to check. */
export const LAYOUT_LIMITS = {
  tabs: 64,
  blocksPerTab: 64,
  depth: 16,
  nameLength: 64,
};

/** Sizes may drift by float rounding; anything further off is a broken layout. */
const SIZE_TOLERANCE = 0.01;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id has the shape every layout id must have. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Half of a UTF-16 pair on its own: stored, it reads back as U+FFFD, another name. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Line and paragraph separators (U+2028, U+2029): a line break in all but name. */
const SEPARATOR = /[\p{Zl}\p{Zp}]/u;
/** Marks and overrides that change the direction text is shown in (Trojan Source). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/**
 * Characters that show as nothing: format characters (zero-width space and joiners, word
 * joiner, byte order mark, soft hyphen, tags) and the Hangul fillers that render blank.
 */
const INVISIBLE = /[\p{Cf}\u115f\u1160\u3164\uffa0]/u;
/**
 * Format characters that belong where they are, so the rule lets them be: a zero-width
 * joiner inside an emoji sequence (👨‍👩‍👧, 👩🏽‍💻), a joiner or non-joiner inside a word
 * (Persian "می‌خواهم", Sinhala "ශ්‍රී"), and the tags of a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
 */
const ALPHABETS = '[\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}]';
const JOINED = new RegExp(
  [
    '(?<=\\p{Extended_Pictographic}[\\p{Emoji_Modifier}\\ufe0f]*)\\u200d(?=\\p{Extended_Pictographic})',
    // Not between Latin, Greek or Cyrillic letters, which never need one ("lo\u200dgs").
    `(?<=[\\p{L}\\p{M}])(?<!${ALPHABETS})[\\u200c\\u200d](?=[\\p{L}\\p{M}])(?!${ALPHABETS})`,
    '(?<=\\u{1F3F4})[\\u{E0020}-\\u{E007E}]+\\u{E007F}',
  ].join('|'),
  'gu',
);

/** Everything the rule refuses inside a name, to drop from one stored before the rule. */
const UNSHOWABLE = /[\p{Cs}\p{Cc}\p{Zl}\p{Zp}\p{Cf}\u115f\u1160\u3164\uffa0]/gu;

/**
 * A stored name that breaks the rule (kept before it existed), made to keep it: what cannot
 * be shown is dropped and the rest cut at 64 characters; null if nothing good is left.
 */
export function repairName(name: string): string | null {
  // What the rule lets be stays as it is; everything else it refuses is dropped.
  let joined = '';
  let from = 0;
  for (const match of name.matchAll(JOINED)) {
    joined += name.slice(from, match.index).replace(UNSHOWABLE, '') + match[0];
    from = match.index + match[0].length;
  }
  joined += name.slice(from).replace(UNSHOWABLE, '');
  const kept = [...cleanName(joined)].slice(0, LAYOUT_LIMITS.nameLength).join('').trim();
  return kept !== '' && nameProblem(kept) === null ? kept : null;
}

/**
 * A name as Tether keeps it: trimmed, and in Unicode's composed form (NFC), so two names
 * that look alike because they are alike compare equal ("é" typed as one character or two).
 */
export function cleanName(name: string): string {
  return name.trim().normalize('NFC');
}

/**
 * Why a tab or session name is unacceptable, or null when it is fine: the one rule for every
 * name a person gives. A name must show what it is: nothing in it may be invisible, turn
 * the text around or break it (so one name cannot pass for another); at most 64
 * characters once composed. Callers pass cleanName's result.
 */
export function nameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'A name cannot be empty.';
  if (LONE_SURROGATE.test(name)) return 'A name cannot contain an incomplete character.';
  if ([...name.normalize('NFC')].length > LAYOUT_LIMITS.nameLength) {
    return `A name can have at most ${LAYOUT_LIMITS.nameLength} characters.`;
  }
  if (CONTROL.test(name)) return 'A name cannot contain control characters.';
  if (SEPARATOR.test(name)) return 'A name cannot contain line breaks.';
  if (BIDI.test(name)) {
    return 'A name cannot contain text-direction marks: they can make it read as another name.';
  }
  if (INVISIBLE.test(name.replace(JOINED, ''))) {
    return 'A name cannot contain invisible characters: they can make two names look the same.';
  }
  return null;
}

/** Every block id in a layout tree, in reading order (left to right, top to bottom). */
export function leafIds(node: LayoutNode): string[] {
  if (node.kind === 'leaf') return [node.blockId];
  return node.children.flatMap(leafIds);
}

/** Checks a whole workspace from an untrusted source: shape, limits and invariants. */
export function parseWorkspace(value: unknown): Parsed<Workspace> {
  if (!isRecord(value)) return fail('the workspace is not an object');
  const { tabs, activeTabId } = value;
  if (!Array.isArray(tabs) || tabs.length === 0) return fail('the workspace has no tabs');
  if (tabs.length > LAYOUT_LIMITS.tabs) return fail(`more than ${LAYOUT_LIMITS.tabs} tabs`);
  const parsed: Tab[] = [];
  const tabIds = new Set<string>();
  const blockIds = new Set<string>();
  for (const tab of tabs) {
    const result = parseTab(tab);
    if (!result.ok) return result;
    if (tabIds.has(result.value.id)) return fail(`tab ${result.value.id} appears twice`);
    tabIds.add(result.value.id);
    for (const blockId of leafIds(result.value.layout.root)) {
      if (blockIds.has(blockId)) return fail(`block ${blockId} appears in two places`);
      blockIds.add(blockId);
    }
    parsed.push(result.value);
  }
  if (typeof activeTabId !== 'string' || !tabIds.has(activeTabId)) {
    return fail('the active tab is not one of the tabs');
  }
  return { ok: true, value: { tabs: parsed, activeTabId } };
}

/** Checks one tab from an untrusted source. */
export function parseTab(value: unknown): Parsed<Tab> {
  if (!isRecord(value)) return fail('a tab is not an object');
  const { id, name, layout } = value;
  if (typeof id !== 'string' || !UUID.test(id)) return fail('a tab id is not a uuid');
  if (typeof name !== 'string') return fail(`tab ${id} has no name`);
  const problem = nameProblem(name);
  if (problem) return fail(`tab ${id}: ${problem}`);
  const parsedLayout = parseTabLayout(layout);
  if (!parsedLayout.ok) return fail(`tab ${id}: ${parsedLayout.reason}`);
  return { ok: true, value: { id, name, layout: parsedLayout.value } };
}

/**
 * Checks a tab's layout from an untrusted source: every split has two or more
 * children whose sizes are positive and sum to 100, ids are unique uuids, and
 * focus and magnify point at leaves of the tree. Sizes are renormalised to sum
 * to exactly 100.
 */
export function parseTabLayout(value: unknown): Parsed<TabLayout> {
  if (!isRecord(value)) return fail('the layout is not an object');
  const { root, focusedBlockId, magnifiedBlockId } = value;
  const ids = new Set<string>();
  const leaves = new Set<string>();
  const tree = parseNode(root, 0, ids, leaves);
  if (!tree.ok) return tree;
  if (typeof focusedBlockId !== 'string' || !leaves.has(focusedBlockId)) {
    return fail('the focused block is not in the layout');
  }
  if (
    magnifiedBlockId !== null &&
    (typeof magnifiedBlockId !== 'string' || !leaves.has(magnifiedBlockId))
  ) {
    return fail('the magnified block is not in the layout');
  }
  return { ok: true, value: { root: tree.value, focusedBlockId, magnifiedBlockId } };
}

function parseNode(
  value: unknown,
  depth: number,
  ids: Set<string>,
  leaves: Set<string>,
): Parsed<LayoutNode> {
  if (depth > LAYOUT_LIMITS.depth)
    return fail(`the layout is nested deeper than ${LAYOUT_LIMITS.depth}`);
  if (!isRecord(value)) return fail('a layout node is not an object');
  if (value.kind === 'leaf') {
    const { blockId } = value;
    if (typeof blockId !== 'string' || !UUID.test(blockId)) return fail('a block id is not a uuid');
    if (ids.has(blockId)) return fail(`id ${blockId} appears twice`);
    ids.add(blockId);
    leaves.add(blockId);
    if (leaves.size > LAYOUT_LIMITS.blocksPerTab) {
      return fail(`more than ${LAYOUT_LIMITS.blocksPerTab} blocks in one tab`);
    }
    return { ok: true, value: { kind: 'leaf', blockId } };
  }
  if (value.kind !== 'split') return fail('a layout node is neither a leaf nor a split');
  const { id, direction, children, sizes } = value;
  if (typeof id !== 'string' || !UUID.test(id)) return fail('a split id is not a uuid');
  if (ids.has(id)) return fail(`id ${id} appears twice`);
  ids.add(id);
  if (direction !== 'row' && direction !== 'column') return fail(`split ${id} has no direction`);
  if (!Array.isArray(children) || children.length < 2) {
    return fail(`split ${id} has fewer than two children`);
  }
  if (!Array.isArray(sizes) || sizes.length !== children.length) {
    return fail(
      `split ${id} has ${String(Array.isArray(sizes) ? sizes.length : 'no')} sizes for ${children.length} children`,
    );
  }
  let total = 0;
  for (const size of sizes) {
    if (typeof size !== 'number' || !Number.isFinite(size) || size <= 0) {
      return fail(`split ${id} has a size that is not a positive number`);
    }
    total += size;
  }
  if (Math.abs(total - 100) > SIZE_TOLERANCE)
    return fail(`the sizes of split ${id} sum to ${total}, not 100`);
  const parsedChildren: LayoutNode[] = [];
  for (const child of children) {
    const result = parseNode(child, depth + 1, ids, leaves);
    if (!result.ok) return result;
    parsedChildren.push(result.value);
  }
  return {
    ok: true,
    value: {
      kind: 'split',
      id,
      direction,
      children: parsedChildren,
      sizes: (sizes as number[]).map((size) => (size * 100) / total),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
