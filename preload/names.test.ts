import { describe, expect, it } from 'vitest';
import { cleanName, nameProblem, repairName } from './layout';

describe('names', () => {
  it.each([
    ['', /cannot be empty/],
    ['   ', /cannot be empty/],
    ['sur-\ud800', /incomplete character/],
    ['\udc00tail', /incomplete character/],
    ['x'.repeat(65), /at most 64 characters/],
    ['bell\u0007', /control characters/],
    ['tab\there', /control characters/],
    ['line\u2028sep', /line breaks/],
    ['para\u2029sep', /line breaks/],
    ['invoice\u202egnp.exe', /text-direction marks/],
    ['isolate\u2067x\u2069', /text-direction marks/],
    ['mark\u200fed', /text-direction marks/],
    ['zero\u200bwidth', /invisible characters/],
    ['word\u2060joiner', /invisible characters/],
    ['\ufeffbom', /invisible characters/],
    ['soft\u00adhyphen', /invisible characters/],
    ['filler\u3164', /invisible characters/],
    ['joiner\u200dalone', /invisible characters/],
  ])('refuses %j, saying why', (name, why) => {
    expect(nameProblem(name)).toMatch(why);
  });

  it.each([
    'work',
    'build logs',
    'café',
    'データ処理',
    'ملف',
    'family 👨‍👩‍👧',
    'rainbow 🏳️‍🌈',
    'coder 👩🏽‍💻',
    'astronaut 🧑🏻‍🚀',
    'scotland 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
    // A non-joiner inside a Persian word, a joiner inside a Sinhala one.
    'می\u200cخواهم',
    'ශ්\u200dරී',
    // 64 characters that are two UTF-16 units each: counted as 64, not 128.
    '😀'.repeat(64),
    // 64 once composed: e + combining acute is one character.
    'e\u0301'.repeat(64),
  ])('accepts %j', (name) => {
    expect(nameProblem(cleanName(name))).toBeNull();
  });

  it('keeps one form of a name, so a name typed two ways is one name', () => {
    expect(cleanName('  cafe\u0301 ')).toBe('caf\u00e9');
    expect(cleanName('caf\u00e9')).toBe(cleanName('cafe\u0301'));
  });

  it('repairs a name stored before the rule: drops what cannot be shown, keeps the rest', () => {
    expect(repairName('sur-\ud800')).toBe('sur-');
    expect(repairName('invoice\u202egnp.exe')).toBe('invoicegnp.exe');
    expect(repairName('  w\u200bork\u2028 ')).toBe('work');
    expect(repairName('family 👨‍👩‍👧')).toBe('family 👨‍👩‍👧');
    expect(repairName('cafe\u0301')).toBe('caf\u00e9');
    expect(repairName('x'.repeat(80))).toBe('x'.repeat(64));
    expect(repairName('\u200b\u202e')).toBeNull();
  });
});
