/**
 * A straight line through measured points (least squares), to say what a
 * figure costs per object and whether it grows linearly: `r2` near 1 and the
 * cost per object at the largest size no higher than at the smallest.
 */
export type LinearFit = {
  /** Cost per unit of x (e.g. ms per object). */
  readonly slope: number;
  /** Cost at x = 0: what a run costs whatever its size. */
  readonly intercept: number;
  /** Share of the variance the line explains. */
  readonly r2: number;
};

export function fitLine(points: readonly { readonly x: number; readonly y: number }[]): LinearFit {
  const n = points.length;
  const mean = (pick: (p: { x: number; y: number }) => number) => points.reduce((s, p) => s + pick(p), 0) / n;
  const mx = mean((p) => p.x);
  const my = mean((p) => p.y);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  const intercept = my - slope * mx;
  const total = points.reduce((s, p) => s + (p.y - my) ** 2, 0);
  const residual = points.reduce((s, p) => s + (p.y - (intercept + slope * p.x)) ** 2, 0);
  return { slope, intercept, r2: total === 0 ? 1 : 1 - residual / total };
}
