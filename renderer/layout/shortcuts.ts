/**
 * Every workspace keyboard shortcut, in one table, with the modifiers each
 * platform expects: iTerm2's on macOS, Terminator's and Windows Terminal's
 * elsewhere. None of them is a key a shell needs: Ctrl+C, Ctrl+D, Ctrl+W and
 * plain Alt+letter all still reach the terminal.
 */

export type Command =
  | 'newTab'
  | 'newTabOnConnection'
  | 'closeBlock'
  | 'splitRight'
  | 'splitDown'
  | 'toggleMagnify'
  | 'openInNewPane'
  | 'sessionPicker'
  | 'sessionsOverview'
  | 'focusLeft'
  | 'focusRight'
  | 'focusUp'
  | 'focusDown'
  | 'nextTab'
  | 'previousTab'
  | `tab${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;

export type Platform = 'mac' | 'other';

/** A key chord, matched on `KeyboardEvent.code` so it works on any keyboard layout. */
export type Chord = {
  code: string;
  ctrl?: boolean;
  shift?: boolean;
  alt?: boolean;
  meta?: boolean;
};

type Binding = { command: Command; mac: Chord[]; other: Chord[] };

const digitBindings: Binding[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((digit) => ({
  command: `tab${digit}` as Command,
  mac: [{ code: `Digit${digit}`, meta: true }],
  other: [{ code: `Digit${digit}`, ctrl: true }],
}));

export const bindings: readonly Binding[] = [
  {
    command: 'newTab',
    mac: [{ code: 'KeyT', meta: true }],
    other: [{ code: 'KeyT', ctrl: true, shift: true }],
  },
  {
    command: 'newTabOnConnection',
    mac: [{ code: 'KeyK', meta: true, shift: true }],
    other: [{ code: 'KeyK', ctrl: true, shift: true }],
  },
  {
    command: 'closeBlock',
    mac: [{ code: 'KeyW', meta: true }],
    other: [{ code: 'KeyW', ctrl: true, shift: true }],
  },
  {
    command: 'splitRight',
    mac: [{ code: 'KeyD', meta: true }],
    other: [{ code: 'KeyE', ctrl: true, shift: true }],
  },
  {
    command: 'splitDown',
    mac: [{ code: 'KeyD', meta: true, shift: true }],
    other: [{ code: 'KeyO', ctrl: true, shift: true }],
  },
  {
    command: 'toggleMagnify',
    mac: [{ code: 'Enter', meta: true, shift: true }],
    other: [{ code: 'Enter', ctrl: true, shift: true }],
  },
  {
    command: 'openInNewPane',
    mac: [{ code: 'KeyS', meta: true, shift: true }],
    other: [{ code: 'KeyS', ctrl: true, shift: true }],
  },
  {
    command: 'sessionPicker',
    mac: [{ code: 'KeyL', meta: true, shift: true }],
    other: [{ code: 'KeyL', ctrl: true, shift: true }],
  },
  {
    command: 'sessionsOverview',
    mac: [{ code: 'KeyJ', meta: true, shift: true }],
    other: [{ code: 'KeyJ', ctrl: true, shift: true }],
  },
  ...(
    [
      ['focusLeft', 'ArrowLeft'],
      ['focusRight', 'ArrowRight'],
      ['focusUp', 'ArrowUp'],
      ['focusDown', 'ArrowDown'],
    ] as const
  ).map(([command, code]) => ({
    command,
    mac: [{ code, meta: true, alt: true }],
    other: [{ code, alt: true }],
  })),
  {
    command: 'nextTab',
    mac: [
      { code: 'Tab', ctrl: true },
      { code: 'BracketRight', meta: true, shift: true },
    ],
    other: [
      { code: 'Tab', ctrl: true },
      { code: 'PageDown', ctrl: true },
    ],
  },
  {
    command: 'previousTab',
    mac: [
      { code: 'Tab', ctrl: true, shift: true },
      { code: 'BracketLeft', meta: true, shift: true },
    ],
    other: [
      { code: 'Tab', ctrl: true, shift: true },
      { code: 'PageUp', ctrl: true },
    ],
  },
  ...digitBindings,
];

type KeyLike = Pick<KeyboardEvent, 'code' | 'ctrlKey' | 'shiftKey' | 'altKey' | 'metaKey'>;

function matches(chord: Chord, event: KeyLike): boolean {
  return (
    chord.code === event.code &&
    Boolean(chord.ctrl) === event.ctrlKey &&
    Boolean(chord.shift) === event.shiftKey &&
    Boolean(chord.alt) === event.altKey &&
    Boolean(chord.meta) === event.metaKey
  );
}

/** The command a key event triggers on this platform, if any. */
export function commandFor(event: KeyLike, platform: Platform): Command | null {
  for (const binding of bindings) {
    if (binding[platform].some((chord) => matches(chord, event))) return binding.command;
  }
  return null;
}

const KEY_NAMES: Record<string, string> = {
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  BracketLeft: '[',
  BracketRight: ']',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  Enter: 'Enter',
  Tab: 'Tab',
};

function keyName(code: string): string {
  if (code.startsWith('Key')) return code.slice(3);
  if (code.startsWith('Digit')) return code.slice(5);
  return KEY_NAMES[code] ?? code;
}

/** How a chord is written for people: "Ctrl+Shift+E" elsewhere, "⇧⌘D" on macOS. */
export function chordLabel(chord: Chord, platform: Platform): string {
  const key = keyName(chord.code);
  if (platform === 'mac') {
    const marks = `${chord.ctrl ? '⌃' : ''}${chord.alt ? '⌥' : ''}${chord.shift ? '⇧' : ''}${chord.meta ? '⌘' : ''}`;
    return `${marks}${key}`;
  }
  const parts = [
    chord.ctrl && 'Ctrl',
    chord.alt && 'Alt',
    chord.shift && 'Shift',
    chord.meta && 'Meta',
  ];
  return [...parts.filter(Boolean), key].join('+');
}

/** The label of a command's first chord, for tooltips. */
export function shortcutLabel(command: Command, platform: Platform): string {
  const binding = bindings.find((candidate) => candidate.command === command);
  const chord = binding?.[platform][0];
  return chord ? chordLabel(chord, platform) : '';
}

/** A tooltip: "Split right (Ctrl+Shift+E)". */
export function withShortcut(text: string, command: Command, platform: Platform): string {
  const label = shortcutLabel(command, platform);
  return label ? `${text} (${label})` : text;
}

/** The platform whose modifiers apply in this window. */
export function currentPlatform(): Platform {
  return /Mac|iPhone|iPad/.test(navigator.userAgent) ? 'mac' : 'other';
}
