import { describe, expect, it } from 'vitest';
import { isSoftwareRenderer } from './gpu';

describe('isSoftwareRenderer', () => {
  it('recognises CPU-emulated WebGL', () => {
    for (const name of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'Microsoft Basic Render Driver',
    ]) {
      expect(isSoftwareRenderer(name), name).toBe(true);
    }
  });

  it('accepts real GPUs', () => {
    for (const name of [
      'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      'Apple M2',
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3070 Direct3D11 vs_5_0 ps_5_0, D3D11)',
    ]) {
      expect(isSoftwareRenderer(name), name).toBe(false);
    }
  });
});
