import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured JSON logs, one line per outcome at the boundary (knative/func
 * templates use pino too). Level names instead of numbers, for people reading them.
 */
export function createLogger(options: { level: string; name: string }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      base: undefined,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 1, sync: false }),
  );
}
