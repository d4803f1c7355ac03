import * as v from 'valibot';

/** Field builders shared by the resource schemas; each carries its `kubectl explain` text. */
export const text = (description: string) => v.pipe(v.string(), v.maxLength(4096), v.description(description));
export const timestamp = (description: string) => v.pipe(v.string(), v.isoTimestamp(), v.description(description));
export const count = (description: string) =>
  v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));
