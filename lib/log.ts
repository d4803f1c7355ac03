import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/**
 * Structured JSON logs, one line per outcome at the boundary (knative/func
 * templates use pino too). Level names instead of numbers, for people reading them.
 */
export function createLogger(options: { level: string; name: string }, destination?: DestinationStream): Logger {
  const settings: LoggerOptions = {
    name: options.name,
    level: options.level,
    base: undefined,
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Tests read what would be written (that no token is logged, for one); the functions write to
  // stdout without waiting for each line: a synchronous write per event was ~10 % of their CPU.
  return pino(settings, destination ?? pino.destination({ dest: 1, sync: false }));
}
