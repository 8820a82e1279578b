/**
 * `IdentitiesOnly yes` as OpenSSH means it: the agent is still used, but only
 * for the keys the configured IdentityFiles name. So an encrypted key that is
 * already in the agent logs in without asking for its passphrase, while the
 * agent's other keys are never offered to the host.
 */
// ssh2 is CommonJS: Node's ESM loader cannot see `utils` as a named export of the built bundle.
import ssh2, { BaseAgent, createAgent, type ParsedKey } from 'ssh2';

const { utils } = ssh2;

/** An agent that lists only the keys whose public blobs are wanted; signing goes to the real one. */
export class MatchingAgent extends BaseAgent {
  private readonly inner: BaseAgent;

  constructor(
    socketPath: string,
    private readonly wanted: readonly Buffer[],
  ) {
    super();
    this.inner = createAgent(socketPath);
  }

  override getIdentities(callback: Parameters<BaseAgent['getIdentities']>[0]): void {
    this.inner.getIdentities((error, keys) => {
      if (error) return callback(error);
      callback(
        null,
        (keys ?? []).filter((key) => this.wanted.some((blob) => blob.equals(publicBlob(key)))),
      );
    });
  }

  // ssh2 calls sign(pubKey, data, options, cb) or sign(pubKey, data, cb); both pass through.
  override sign(...args: unknown[]): void {
    (this.inner.sign as (...args: unknown[]) => void)(...args);
  }
}

/**
 * The public key blobs of identity files, as OpenSSH finds them: `<file>.pub`, else the
 * private key itself when it is not encrypted. Files with neither are left out.
 */
export async function publicBlobs(
  paths: readonly string[],
  readFile: (path: string) => Promise<Buffer | string>,
): Promise<Buffer[]> {
  const blobs: Buffer[] = [];
  for (const path of paths) {
    const blob = (await blobOf(`${path}.pub`, readFile)) ?? (await blobOf(path, readFile));
    if (blob) blobs.push(blob);
  }
  return blobs;
}

/** The SSH wire blob of a key in any shape an agent hands out (parsed, text, or wrapped). */
function publicBlob(key: unknown): Buffer {
  if (typeof key === 'string' || Buffer.isBuffer(key)) {
    const parsed = utils.parseKey(key);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return first instanceof Error || !first ? Buffer.alloc(0) : first.getPublicSSH();
  }
  if (key && typeof (key as ParsedKey).getPublicSSH === 'function') {
    return (key as ParsedKey).getPublicSSH();
  }
  if (key && typeof key === 'object' && 'pubKey' in key) return publicBlob(key.pubKey);
  return Buffer.alloc(0);
}

async function blobOf(
  path: string,
  readFile: (path: string) => Promise<Buffer | string>,
): Promise<Buffer | null> {
  let data: Buffer | string;
  try {
    data = await readFile(path);
  } catch {
    return null;
  }
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) return null;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key ? key.getPublicSSH() : null;
}
