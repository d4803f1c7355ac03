/**
 * Small line charts as one SVG file, drawn by the bench from its own figures
 * (no plotting library): markdown viewers show it beside the tables.
 */
export type Series = { readonly name: string; readonly points: readonly { x: number; y: number }[] };
export type Chart = {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** A horizontal line marking a target, e.g. an RSS limit. */
  readonly limit?: { readonly y: number; readonly label: string };
};

const WIDTH = 420;
const HEIGHT = 260;
const MARGIN = { left: 60, right: 20, top: 30, bottom: 45 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

export function chartsSvg(charts: readonly Chart[], columns = 2): string {
  const rows = Math.ceil(charts.length / columns);
  const panels = charts.map((chart, i) => {
    const x = (i % columns) * WIDTH;
    const y = Math.floor(i / columns) * HEIGHT;
    return `<g transform="translate(${x},${y})">${panel(chart)}</g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${columns * WIDTH}" height="${rows * HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

function panel(chart: Chart): string {
  const points = chart.series.flatMap((series) => series.points);
  const maxX = niceMax(Math.max(...points.map((p) => p.x)));
  const maxY = niceMax(Math.max(...points.map((p) => p.y), chart.limit?.y ?? 0));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (x / maxX) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - (y / maxY) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const parts = [
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-weight="bold">${xmlText(chart.title)}</text>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(maxX)}" y2="${sy(0)}" stroke="black"/>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(0)}" y2="${sy(maxY)}" stroke="black"/>`,
    ...ticks.map(
      (t) =>
        `<text x="${sx(t * maxX)}" y="${sy(0) + 14}" text-anchor="middle">${label(t * maxX)}</text>` +
        `<text x="${sx(0) - 4}" y="${sy(t * maxY) + 4}" text-anchor="end">${label(t * maxY)}</text>` +
        `<line x1="${sx(0)}" y1="${sy(t * maxY)}" x2="${sx(maxX)}" y2="${sy(t * maxY)}" stroke="#ddd"/>`,
    ),
    `<text x="${sx(maxX / 2)}" y="${HEIGHT - 8}" text-anchor="middle">${xmlText(chart.xLabel)}</text>`,
    `<text transform="translate(14,${sy(maxY / 2)}) rotate(-90)" text-anchor="middle">${xmlText(chart.yLabel)}</text>`,
  ];
  if (chart.limit !== undefined) {
    const y = sy(chart.limit.y);
    parts.push(
      `<line x1="${sx(0)}" y1="${y}" x2="${sx(maxX)}" y2="${y}" stroke="#999" stroke-dasharray="4 3"/>`,
      `<text x="${sx(maxX)}" y="${y - 3}" text-anchor="end" fill="#666">${xmlText(chart.limit.label)}</text>`,
    );
  }
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length] ?? 'black';
    const path = series.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of series.points)
      parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(`<text x="${sx(0) + 8}" y="${MARGIN.top + 12 + i * 13}" fill="${color}">${xmlText(series.name)}</text>`);
  });
  return parts.join('\n');
}

/** 1, 2 or 5 times a power of ten at or above `value`, so the ticks read as round numbers. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= value) ?? value) as number;
}

function label(value: number): string {
  if (value >= 1000) return `${Number((value / 1000).toFixed(1))}k`;
  return String(Number(value.toFixed(2)));
}

function xmlText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
