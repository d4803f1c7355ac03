/**
 * What the generated sequences exercised: each command and each model answer
 * counted, so a run can show that the interesting paths were taken (the soak
 * prints it).
 */
export const coverage = new Map<string, number>();

export function count(what: string): void {
  coverage.set(what, (coverage.get(what) ?? 0) + 1);
}

export function coverageReport(): string {
  return [...coverage]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([what, n]) => `  ${what}: ${n}`)
    .join('\n');
}
