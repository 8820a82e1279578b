/**
 * A small leveled logger for the core. Lines go to stderr as
 * `tether <level> <message> <json>`; TETHER_LOG picks the floor
 * (debug, info, warn, error, silent). Secrets never reach it.
 */
const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];

export type Logger = {
  debug(message: string, details?: unknown): void;
  info(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
  error(message: string, details?: unknown): void;
};

export function createLogger(floor: string | undefined = process.env.TETHER_LOG): Logger {
  const min = LEVELS.indexOf(
    (LEVELS as readonly string[]).includes(floor ?? '') ? (floor as Level) : 'info',
  );
  const at =
    (level: Level) =>
    (message: string, details?: unknown): void => {
      if (LEVELS.indexOf(level) < min) return;
      const suffix = details === undefined ? '' : ` ${safeJson(details)}`;
      process.stderr.write(`tether ${level} ${message}${suffix}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return JSON.stringify({ error: value.message });
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
