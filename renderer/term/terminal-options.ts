/**
 * How every Tether terminal looks and behaves, in one place so a theme or
 * font change never means hunting through TermWrap.
 */
import type { ITerminalOptions, ITheme } from '@xterm/xterm';

export const darkTheme: ITheme = {
  background: '#1a1b1e',
  foreground: '#d8dadf',
  cursor: '#e8e8e8',
  cursorAccent: '#1a1b1e',
  selectionBackground: '#3d4f6b',
  black: '#1e1f22',
  red: '#e06c75',
  green: '#98c379',
  yellow: '#e5c07b',
  blue: '#61afef',
  magenta: '#c678dd',
  cyan: '#56b6c2',
  white: '#d8dadf',
  brightBlack: '#5c6370',
  brightRed: '#ef8891',
  brightGreen: '#b5e08e',
  brightYellow: '#f0d197',
  brightBlue: '#82c2f5',
  brightMagenta: '#d799e8',
  brightCyan: '#73cdd8',
  brightWhite: '#ffffff',
};

export const terminalOptions: ITerminalOptions = {
  fontFamily: "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace",
  fontSize: 14,
  // At 1.0 the DOM renderer clips what a font draws below its cell: underscores vanish.
  lineHeight: 1.15,
  scrollback: 10000,
  cursorBlink: true,
  // The Unicode 11 width tables are a proposed API.
  allowProposedApi: true,
  theme: darkTheme,
};
