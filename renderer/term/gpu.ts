/**
 * Whether the WebGL renderer is worth using. Where WebGL is emulated on the
 * CPU (SwiftShader, llvmpipe: headless browsers, VMs, remote desktops) it is
 * many times slower than xterm's DOM renderer, so Tether only uses a real GPU.
 */
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic/i;

/** The GPU's renderer string, or null when WebGL2 is unavailable. */
function webglRenderer(): string | null {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2');
  if (!gl) return null;
  try {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE.test(renderer);
}

let verdict: boolean | undefined;

/** Asked once per page: creating contexts is not free and the answer can't change. */
export function hasHardwareWebgl(): boolean {
  if (verdict === undefined) {
    const renderer = webglRenderer();
    verdict = renderer !== null && !isSoftwareRenderer(renderer);
  }
  return verdict;
}
