import { describe, expect, it } from 'vitest';
import { claimWebglContext, MAX_WEBGL_CONTEXTS, webglContextsInUse } from './webgl-pool';

describe('claimWebglContext', () => {
  it('hands out contexts up to the limit, then none until one is given back', () => {
    const releases = Array.from({ length: MAX_WEBGL_CONTEXTS }, () => claimWebglContext());
    expect(releases.every((release) => release !== null)).toBe(true);
    expect(claimWebglContext()).toBeNull();
    releases[0]?.();
    const again = claimWebglContext();
    expect(again).not.toBeNull();
    again?.();
    for (const release of releases) release?.();
    expect(webglContextsInUse()).toBe(0);
  });

  it('counts a release once even if called twice', () => {
    const release = claimWebglContext();
    const other = claimWebglContext();
    release?.();
    release?.();
    expect(webglContextsInUse()).toBe(1);
    other?.();
    expect(webglContextsInUse()).toBe(0);
  });
});
