import { describe, expect, it } from 'vitest';
import { sizePlan } from './size-rule';

const me = 'block-a';

describe('sizePlan', () => {
  it('fits when this block was active last', () => {
    expect(sizePlan({ sizedBy: me, cols: 80, rows: 24 }, me)).toEqual({ kind: 'fit' });
  });

  it('fits when no block has sized the shell yet', () => {
    expect(sizePlan({ sizedBy: null, cols: 80, rows: 24 }, me)).toEqual({ kind: 'fit' });
    expect(sizePlan(null, me)).toEqual({ kind: 'fit' });
  });

  it("follows the shell's size when another block was active last", () => {
    expect(sizePlan({ sizedBy: 'block-b', cols: 132, rows: 40 }, me)).toEqual({
      kind: 'follow',
      cols: 132,
      rows: 40,
    });
  });
});
