import { describe, expect, it } from 'vitest';
import {
  bindings,
  commandFor,
  shortcutLabel,
  withShortcut,
  type Chord,
  type Platform,
} from './shortcuts';

const key = (code: string, mods: Omit<Chord, 'code'> = {}) => ({
  code,
  ctrlKey: Boolean(mods.ctrl),
  shiftKey: Boolean(mods.shift),
  altKey: Boolean(mods.alt),
  metaKey: Boolean(mods.meta),
});

describe('commandFor', () => {
  it('maps the documented chords on Linux and Windows', () => {
    expect(commandFor(key('KeyT', { ctrl: true, shift: true }), 'other')).toBe('newTab');
    expect(commandFor(key('KeyE', { ctrl: true, shift: true }), 'other')).toBe('splitRight');
    expect(commandFor(key('KeyO', { ctrl: true, shift: true }), 'other')).toBe('splitDown');
    expect(commandFor(key('ArrowLeft', { alt: true }), 'other')).toBe('focusLeft');
    expect(commandFor(key('Tab', { ctrl: true }), 'other')).toBe('nextTab');
    expect(commandFor(key('Tab', { ctrl: true, shift: true }), 'other')).toBe('previousTab');
    expect(commandFor(key('Digit3', { ctrl: true }), 'other')).toBe('tab3');
    expect(commandFor(key('Digit9', { ctrl: true }), 'other')).toBe('tab9');
    expect(commandFor(key('KeyS', { ctrl: true, shift: true }), 'other')).toBe('openInNewPane');
    expect(commandFor(key('KeyL', { ctrl: true, shift: true }), 'other')).toBe('sessionPicker');
    expect(commandFor(key('KeyJ', { ctrl: true, shift: true }), 'other')).toBe('sessionsOverview');
    expect(commandFor(key('KeyK', { ctrl: true, shift: true }), 'other')).toBe(
      'newTabOnConnection',
    );
  });

  it('uses Command on macOS', () => {
    expect(commandFor(key('KeyD', { meta: true }), 'mac')).toBe('splitRight');
    expect(commandFor(key('KeyD', { meta: true, shift: true }), 'mac')).toBe('splitDown');
    expect(commandFor(key('Digit1', { meta: true }), 'mac')).toBe('tab1');
    expect(commandFor(key('Digit1', { ctrl: true }), 'mac')).toBeNull();
    expect(commandFor(key('KeyS', { meta: true, shift: true }), 'mac')).toBe('openInNewPane');
    expect(commandFor(key('KeyL', { meta: true, shift: true }), 'mac')).toBe('sessionPicker');
    expect(commandFor(key('KeyJ', { meta: true, shift: true }), 'mac')).toBe('sessionsOverview');
    expect(commandFor(key('KeyK', { meta: true, shift: true }), 'mac')).toBe('newTabOnConnection');
  });

  it('needs the exact modifiers', () => {
    expect(commandFor(key('KeyT', { ctrl: true }), 'other')).toBeNull();
    expect(commandFor(key('KeyT', { ctrl: true, shift: true, alt: true }), 'other')).toBeNull();
  });

  it.each(['other', 'mac'] as Platform[])(
    'leaves the keys a shell needs alone (%s)',
    (platform) => {
      for (let letter = 65; letter <= 90; letter++) {
        const code = `Key${String.fromCharCode(letter)}`;
        // Ctrl+letter is a control character (Ctrl+C, Ctrl+D, Ctrl+W...), Alt+letter is Meta.
        expect(commandFor(key(code, { ctrl: true }), platform)).toBeNull();
        expect(commandFor(key(code, { alt: true }), platform)).toBeNull();
        expect(commandFor(key(code), platform)).toBeNull();
      }
      expect(commandFor(key('Enter'), platform)).toBeNull();
      expect(commandFor(key('Tab'), platform)).toBeNull();
      expect(commandFor(key('ArrowLeft'), platform)).toBeNull();
      expect(commandFor(key('ArrowLeft', { ctrl: true }), platform)).toBeNull();
    },
  );

  it.each(['other', 'mac'] as Platform[])('binds each chord to one command (%s)', (platform) => {
    const seen = new Set<string>();
    for (const binding of bindings) {
      for (const chord of binding[platform]) {
        const id = JSON.stringify({
          ...chord,
          ctrl: !!chord.ctrl,
          shift: !!chord.shift,
          alt: !!chord.alt,
          meta: !!chord.meta,
        });
        expect(seen.has(id), `${id} bound twice`).toBe(false);
        seen.add(id);
      }
    }
  });
});

describe('labels', () => {
  it('writes chords the way each platform does', () => {
    expect(shortcutLabel('splitRight', 'other')).toBe('Ctrl+Shift+E');
    expect(shortcutLabel('splitDown', 'mac')).toBe('⇧⌘D');
    expect(shortcutLabel('focusLeft', 'other')).toBe('Alt+←');
    expect(withShortcut('New tab', 'newTab', 'other')).toBe('New tab (Ctrl+Shift+T)');
    expect(shortcutLabel('openInNewPane', 'other')).toBe('Ctrl+Shift+S');
    expect(shortcutLabel('openInNewPane', 'mac')).toBe('⇧⌘S');
    expect(shortcutLabel('newTabOnConnection', 'other')).toBe('Ctrl+Shift+K');
    expect(shortcutLabel('newTabOnConnection', 'mac')).toBe('⇧⌘K');
  });
});
