/**
 * The questions of one SSH login (ConnectPrompts) asked through the prompt
 * broker, so they appear in the blocks of the connection being opened.
 * A cancelled question is a "no": the host key is rejected, the key skipped,
 * the password given up (then the login fails with the methods tried).
 */
import type { ConnectPrompts } from '../ssh/ssh-connect';
import { hostPort } from '../ssh/ssh-errors';
import type { PromptBroker } from './prompt-broker';

/**
 * Host keys accepted "once" in this run of the app, by `host:port fingerprint`: a second
 * link to the same host (more sessions than one link carries, a reconnect) does not ask again.
 */
export type OnceTrusted = Set<string>;

export function promptsFor(
  connection: string,
  broker: PromptBroker,
  onceTrusted: OnceTrusted,
): ConnectPrompts {
  const secret = async (
    title: string,
    detail: string | null,
    fields: { label: string; secret: boolean }[],
    kind: 'passphrase' | 'password' | 'keyboardInteractive',
  ): Promise<string[] | null> => {
    const answer = await broker.ask({ connection, kind, title, detail, fields });
    return answer.kind === 'secret' ? answer.values : null;
  };
  return {
    async hostKey(info) {
      const where = hostPort(info.host, info.port);
      const remembered = `${where} ${info.fingerprint}`;
      if (onceTrusted.has(remembered)) return 'once';
      const answer = await broker.ask({
        connection,
        kind: 'hostKey',
        title: `The authenticity of host ${where} can't be established.`,
        detail:
          'Connect only if this is the host’s key: compare it with what its admin gives you, ' +
          'or with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` run on the host.',
        hostKey: { host: where, keyType: info.keyType, fingerprint: info.fingerprint },
        fields: [],
      });
      if (answer.kind !== 'hostKey') return 'reject';
      if (answer.choice === 'once') onceTrusted.add(remembered);
      return answer.choice;
    },
    async passphrase(keyPath) {
      const values = await secret(
        `Passphrase for key ${keyPath}`,
        null,
        [{ label: 'Passphrase', secret: true }],
        'passphrase',
      );
      return values?.[0] ?? null;
    },
    async password(user, host) {
      const values = await secret(
        `Password for ${user}@${host}`,
        null,
        [{ label: 'Password', secret: true }],
        'password',
      );
      return values?.[0] ?? null;
    },
    async keyboardInteractive(name, instructions, prompts) {
      // A server may send a round with no questions (just instructions): nothing to ask.
      if (prompts.length === 0) return [];
      return secret(
        name.trim() || `Login to ${connection}`,
        instructions.trim() || null,
        prompts.map((prompt) => ({
          label: prompt.prompt.trim().replace(/:$/, '') || 'Answer',
          secret: !prompt.echo,
        })),
        'keyboardInteractive',
      );
    },
  };
}
