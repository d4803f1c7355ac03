/**
 * CPU quantities (kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity):
 * "500m", "0.5", "2", "1.5", "1e3", "100u"… Parsed with integers only, so 0.1
 * is exactly 100m, and rounded up to whole millicores as Quantity.MilliValue()
 * does (and so the kubelet, which sets the CFS quota from it).
 */
const QUANTITY = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d{1,3})|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const DECIMAL_EXPONENT: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_POWER: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const MAX_MILLICORES = BigInt(Number.MAX_SAFE_INTEGER);

/** Whole millicores, or undefined for anything that is not a non-negative quantity (never a guess). */
export function cpuMillicores(quantity: string | number): number | undefined {
  const match = QUANTITY.exec(typeof quantity === 'number' ? String(quantity) : quantity.trim());
  const number = match?.[1];
  if (match === null || number === undefined) return undefined;
  const [whole = '', fraction = ''] = number.split('.');
  let digits = BigInt(`${whole}${fraction}` || '0');
  let exponent = 3 - fraction.length + Number(match[2] ?? 0);
  const suffix = match[3] ?? '';
  if (suffix in BINARY_POWER) digits *= 1024n ** BigInt(BINARY_POWER[suffix] ?? 0);
  else exponent += DECIMAL_EXPONENT[suffix] ?? 0;
  if (exponent > 30) return undefined;
  const millicores = exponent >= 0 ? digits * 10n ** BigInt(exponent) : ceilDivide(digits, 10n ** BigInt(-exponent));
  return millicores > MAX_MILLICORES ? undefined : Number(millicores);
}

/** The normalised spelling used in KernelWhisper fields: always millicores, e.g. 2 cores → "2000m". */
export function millicoreText(millicores: number): string {
  return `${millicores}m`;
}

/** A quantity as normalised millicores, or undefined when absent or unreadable. */
export function normalisedCpu(quantity: string | number | undefined): string | undefined {
  const millicores = quantity === undefined ? undefined : cpuMillicores(quantity);
  return millicores === undefined ? undefined : millicoreText(millicores);
}

/** Up to a figure people would write: a multiple of 10m below 100m, of 50m below 1000m, of 100m above. */
export function roundLimitUp(millicores: number): number {
  const step = millicores < 100 ? 10 : millicores < 1000 ? 50 : 100;
  return Math.ceil(millicores / step) * step;
}

function ceilDivide(dividend: bigint, divisor: bigint): bigint {
  return (dividend + divisor - 1n) / divisor;
}
