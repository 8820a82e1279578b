/**
 * The order in which a connection tries to log in, like OpenSSH's: `none`
 * (to learn what the server accepts), the agent's keys, the identity files in
 * order (an encrypted one asks for its passphrase, up to three times), then
 * keyboard-interactive and password (up to three tries each). It is an ssh2
 * `authHandler` (the function form): ssh2 calls it again after each failure
 * with the methods the server still accepts.
 *
 * Secrets (passphrases, passwords, answers) are handed to ssh2 and never
 * logged or kept in messages.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
// ssh2 is CommonJS: Node's ESM loader cannot see `utils` as a named export of the built bundle.
import ssh2 from 'ssh2';
import { MatchingAgent, publicBlobs } from './matching-agent';
import type {
  AnyAuthMethod,
  AuthHandlerMiddleware,
  AuthenticationType,
  KeyboardInteractiveAuthMethod,
  ParsedKey,
  Prompt,
} from 'ssh2';

const { utils } = ssh2;

export type AuthPrompts = {
  /** The passphrase of an encrypted key; null skips the key. */
  passphrase(keyPath: string): Promise<string | null>;
  /** null: no password (the method is given up). */
  password(user: string, host: string): Promise<string | null>;
  /** One answer per prompt; null gives up keyboard-interactive. */
  keyboardInteractive(
    name: string,
    instructions: string,
    prompts: { prompt: string; echo: boolean }[],
  ): Promise<string[] | null>;
};

export type AuthOptions = {
  user: string;
  /** For the password prompt. */
  host: string;
  identityFiles: readonly string[];
  /** A configured identity file that is missing is logged; a default one is skipped quietly. */
  identityFilesFromConfig: boolean;
  identitiesOnly: boolean;
  /** SSH_AUTH_SOCK; no agent when unset. */
  agentSocket?: string | undefined;
  readFile?: ((path: string) => Promise<Buffer | string>) | undefined;
  prompts: AuthPrompts;
  log?: ((message: string) => void) | undefined;
  /** Runs a prompt; the caller stops its connect timer meanwhile. */
  whilePrompting?: <T>(ask: () => Promise<T>) => Promise<T>;
};

export type AuthState = {
  handler: AuthHandlerMiddleware;
  /** What was tried, in order, for the auth_failed message (no secrets). */
  readonly tried: string[];
  /** The methods the server said it accepts, once known. */
  readonly serverMethods: () => readonly string[] | null;
};

/** Tries per interactive method and per passphrase, as OpenSSH's NumberOfPasswordPrompts. */
export const PROMPT_TRIES = 3;

type Step = () => Promise<AnyAuthMethod | 'skip'>;

export function makeAuthHandler(options: AuthOptions): AuthState {
  const log = options.log ?? (() => {});
  const readFile = options.readFile ?? ((path: string) => fsReadFile(path));
  const whilePrompting = options.whilePrompting ?? ((ask) => ask());
  const username = options.user;
  const tried: string[] = [];
  let methodsLeft: readonly string[] | null = null;
  const allows = (method: AuthenticationType) =>
    methodsLeft === null || methodsLeft.includes(method);

  const steps: { method: AuthenticationType; run: Step }[] = [];
  if (options.agentSocket) {
    const socket = options.agentSocket;
    const onlyConfigured = options.identitiesOnly && options.identityFilesFromConfig;
    steps.push({
      method: 'publickey',
      run: async (): Promise<AnyAuthMethod | 'skip'> => {
        if (!onlyConfigured) {
          tried.push('publickey (agent)');
          return { type: 'agent', username, agent: socket };
        }
        // IdentitiesOnly: the agent, but only for the configured keys.
        const wanted = await publicBlobs(options.identityFiles, readFile);
        if (wanted.length === 0) return 'skip';
        tried.push('publickey (agent, IdentityFile keys only)');
        return { type: 'agent', username, agent: new MatchingAgent(socket, wanted) };
      },
    });
  }
  for (const path of options.identityFiles) {
    steps.push({ method: 'publickey', run: () => keyStep(path) });
  }
  let kbdTries = 0;
  steps.push({
    method: 'keyboard-interactive',
    run: async () => {
      if (kbdTries >= PROMPT_TRIES) return 'skip';
      kbdTries += 1;
      if (kbdTries === 1) tried.push('keyboard-interactive');
      const prompt: KeyboardInteractiveAuthMethod['prompt'] = (
        name,
        instructions,
        _lang,
        prompts,
        finish,
      ) => {
        const asked = prompts.map((p: Prompt) => ({ prompt: p.prompt, echo: p.echo ?? false }));
        whilePrompting(() => options.prompts.keyboardInteractive(name, instructions, asked)).then(
          (answers) => {
            // Given up: answer empty (the server fails this try), no more tries.
            if (answers === null) kbdTries = PROMPT_TRIES;
            finish(answers ?? asked.map(() => ''));
          },
          () => {
            kbdTries = PROMPT_TRIES;
            finish(asked.map(() => ''));
          },
        );
      };
      return { type: 'keyboard-interactive', username, prompt };
    },
  });
  let passwordTries = 0;
  steps.push({
    method: 'password',
    run: async () => {
      if (passwordTries >= PROMPT_TRIES) return 'skip';
      passwordTries += 1;
      const password = await whilePrompting(() => options.prompts.password(username, options.host));
      if (password === null) {
        passwordTries = PROMPT_TRIES;
        return 'skip';
      }
      if (passwordTries === 1) tried.push('password');
      return { type: 'password', username, password };
    },
  });

  async function keyStep(path: string): Promise<AnyAuthMethod | 'skip'> {
    let data: Buffer | string;
    try {
      data = await readFile(path);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'ENOENT' || options.identityFilesFromConfig) {
        log(`identity file ${path} not readable: ${(error as Error).message}`);
      }
      return 'skip';
    }
    const plain = utils.parseKey(data);
    if (!(plain instanceof Error)) return keyAttempt(path, plain);
    if (!/passphrase|encrypted/i.test(plain.message)) {
      log(`identity file ${path} skipped: ${plain.message}`);
      tried.push(`publickey ${path} (unusable: ${plain.message})`);
      return 'skip';
    }
    for (let attempt = 1; attempt <= PROMPT_TRIES; attempt++) {
      const passphrase = await whilePrompting(() => options.prompts.passphrase(path));
      if (passphrase === null) {
        tried.push(`publickey ${path} (skipped: no passphrase)`);
        return 'skip';
      }
      const key = utils.parseKey(data, passphrase);
      if (!(key instanceof Error)) return keyAttempt(path, key);
      log(`wrong passphrase for ${path} (try ${attempt} of ${PROMPT_TRIES})`);
    }
    tried.push(`publickey ${path} (skipped: wrong passphrase)`);
    return 'skip';
  }

  function keyAttempt(path: string, parsed: ParsedKey | ParsedKey[]): AnyAuthMethod | 'skip' {
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key?.isPrivateKey()) {
      log(`identity file ${path} holds no private key`);
      return 'skip';
    }
    tried.push(`publickey ${path}`);
    return { type: 'publickey', username, key };
  }

  let index = -1;
  const next = async (): Promise<AnyAuthMethod | false> => {
    if (index === -1) {
      index = 0;
      return { type: 'none', username };
    }
    while (index < steps.length) {
      const step = steps[index];
      if (!step || !allows(step.method)) {
        index += 1;
        continue;
      }
      const attempt = await step.run();
      const repeats = step.method === 'keyboard-interactive' || step.method === 'password';
      if (!repeats) index += 1;
      if (attempt === 'skip') {
        if (repeats) index += 1;
        continue;
      }
      log(`trying ${attempt.type === 'agent' ? 'the agent' : attempt.type}`);
      return attempt;
    }
    return false;
  };

  // ssh2 passes null before the first attempt, and takes false for "no more methods"
  // (its typings allow neither).
  const handler: AuthHandlerMiddleware = (
    left: AuthenticationType[] | null,
    _partial,
    callback,
  ) => {
    if (left !== null) methodsLeft = left;
    const done = (attempt: AnyAuthMethod | false) => callback(attempt as AnyAuthMethod);
    next().then(done, (error: unknown) => {
      log(`authentication stopped: ${(error as Error).message}`);
      done(false);
    });
  };
  return { handler, tried, serverMethods: () => methodsLeft };
}
