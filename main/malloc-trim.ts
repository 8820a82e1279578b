/**
 * Gives the memory the C allocator has freed back to the system (glibc's
 * `malloc_trim`), through koffi, a maintained FFI with prebuilt binaries
 * (decision 0012).
 *
 * Why: every chunk of terminal output passes through buffers that Node
 * allocates with malloc (reads from pipes and sockets, the batches, the
 * mirror worker's screen lines). glibc keeps what is freed inside its arenas,
 * and a long flood leaves them full of free holes it never returns: measured
 * after a soak, 134 MB free of 180 MB the arenas held, and RSS went from 278
 * to 155 MB when malloc_trim(0) was called from outside. V8's collections
 * cannot reach that memory; only the allocator can.
 *
 * Elsewhere (macOS, Windows, musl) there is nothing to call: `null`.
 */
import { createRequire } from 'node:module';
import type Koffi from 'koffi';

type Trim = (pad: number) => number;

let loaded: Trim | null | undefined;

function glibc(): boolean {
  if (process.platform !== 'linux') return false;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  return Boolean(header?.glibcVersionRuntime);
}

function load(): Trim | null {
  try {
    if (!glibc()) return null;
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as Trim;
  } catch {
    return null;
  }
}

/** glibc's malloc_trim(0), or null where the allocator has none (or it cannot be reached). */
export function mallocTrimmer(): (() => void) | null {
  if (loaded === undefined) loaded = load();
  const trim = loaded;
  return (
    trim &&
    (() => {
      trim(0);
    })
  );
}
