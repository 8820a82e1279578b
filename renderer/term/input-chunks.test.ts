import { describe, expect, it } from 'vitest';
import { splitInput } from './input-chunks';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('splitInput', () => {
  it('keeps short input whole', () => {
    expect(splitInput('ls -la\r', 100)).toEqual(['ls -la\r']);
    expect(splitInput('', 100)).toEqual(['']);
  });

  it('splits long input into pieces no longer than the limit, in order', () => {
    const data = 'abcdefghij';
    const pieces = splitInput(data, 4);
    expect(pieces).toEqual(['abcd', 'efgh', 'ij']);
    expect(pieces.join('')).toBe(data);
  });

  it('never separates the halves of a surrogate pair', () => {
    const data = 'abc😀def😀';
    const pieces = splitInput(data, 4);
    expect(pieces.join('')).toBe(data);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4);
      expect(piece).not.toMatch(LONE_SURROGATE);
    }
    expect(pieces[0]).toBe('abc');
  });
});
