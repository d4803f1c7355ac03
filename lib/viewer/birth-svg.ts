import { formatDuration } from '../core/birth-phases.js';
import { html, type SafeHtml } from './html.js';
import { axisLabel, ticks, type Waterfall, type WaterfallRow } from './waterfall.js';

/**
 * The waterfall as inline SVG: a time axis after the pod's creation, one row
 * per timeline entry with its actor and action on the left and a bar from the
 * previous entry to this one on the right (width proportional to the time
 * between them), a mark where each entry happened, and the kernel's span
 * shaded with its counters as an annotation. Colours come from CSS classes, so
 * the page's light and dark schemes apply.
 */
const WIDTH = 1080;
const LABEL_WIDTH = 380;
const TRACK_LEFT = LABEL_WIDTH + 16;
const TRACK_WIDTH = WIDTH - TRACK_LEFT - 96;
const ROW = 24;
const TOP = 66;
const MAX_ACTION = 44;

export function waterfallSvg(chart: Waterfall): SafeHtml {
  const x = (ms: number) => TRACK_LEFT + ((ms - chart.fromMs) / (chart.toMs - chart.fromMs)) * TRACK_WIDTH;
  const height = TOP + chart.rows.length * ROW + 12;
  const bottom = TOP + chart.rows.length * ROW;
  const grid = ticks(chart.fromMs, chart.toMs).map(
    (ms) => html`<line class="grid" x1="${x(ms)}" x2="${x(ms)}" y1="${TOP - 8}" y2="${bottom}"></line>
<text class="tick" x="${x(ms)}" y="${TOP - 12}" text-anchor="middle">${axisLabel(ms)}</text>`,
  );
  return html`<svg class="waterfall" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="waterfall-title">
<title id="waterfall-title">Waterfall of the pod's birth: ${chart.rows.length} steps over ${axisLabel(chart.toMs - chart.fromMs)}</title>
${kernelSpan(chart, x, bottom)}
${grid}
<text class="axis-title" x="${TRACK_LEFT - 14}" y="${TOP - 12}" text-anchor="end">${chart.fromCreation ? 'time after the pod was created' : 'time after the first entry'}</text>
${chart.rows.map((row, index) => rowSvg(row, index, x))}
</svg>`;
}

function kernelSpan(chart: Waterfall, x: (ms: number) => number, bottom: number): SafeHtml | undefined {
  const { kernel } = chart;
  if (kernel === undefined) return undefined;
  const left = x(kernel.startMs);
  const width = Math.max(3, x(kernel.endMs) - left);
  const { stats } = kernel;
  const counters = [
    `${stats.total_syscalls.toLocaleString('en')} syscalls`,
    `${stats.namespaces_created} namespaces`,
    `${stats.cgroup_writes} cgroup writes`,
    stats.iptables_rules === undefined ? undefined : `${stats.iptables_rules} iptables rules`,
    `${formatDuration(stats.total_duration_ms)} in the kernel`,
  ].filter((part) => part !== undefined);
  const label = `kernel · ${counters.join(' · ')}`;
  // The annotation reads from the span's start, or ends at the chart's edge when there is no room (about 7.3 px a character).
  const anchorEnd = left + label.length * 7.3 > WIDTH - 8;
  return html`<g class="kernel-annotation">
<rect class="kernel-span" x="${left}" y="${TOP - 6}" width="${width}" height="${bottom - TOP + 6}"></rect>
<path class="kernel-bracket" d="M${left} ${TOP - 26} v-5 h${width} v5"></path>
<text class="kernel-counters" x="${anchorEnd ? WIDTH - 8 : left}" y="16" text-anchor="${anchorEnd ? 'end' : 'start'}">${label}</text>
</g>`;
}

function rowSvg(row: WaterfallRow, index: number, x: (ms: number) => number): SafeHtml {
  const y = TOP + index * ROW;
  const { entry } = row;
  const left = x(row.startMs);
  const right = x(row.endMs);
  const action = entry.action.length > MAX_ACTION ? `${entry.action.slice(0, MAX_ACTION - 1)}…` : entry.action;
  const duration = row.endMs - row.startMs;
  const labelRight = right + 8 + 70 < TRACK_LEFT + TRACK_WIDTH + 96;
  return html`<g class="row${index % 2 === 0 ? ' even' : ''}${entry.step === undefined ? ' observed' : ' lifecycle'}">
<rect class="stripe" x="0" y="${y}" width="${WIDTH}" height="${ROW}"></rect>
<rect class="chip actor-${entry.actor}" x="8" y="${y + 5}" width="76" height="14" rx="3"></rect>
<text class="chip-text" x="46" y="${y + 16}" text-anchor="middle">${entry.actor}</text>
<text class="action" x="92" y="${y + 16}"><title>${entry.action}</title>${action}</text>
<rect class="bar actor-${entry.actor}" x="${left}" y="${y + 6}" width="${right - left}" height="12" rx="2" data-start-ms="${row.startMs}" data-end-ms="${row.endMs}"></rect>
<rect class="mark actor-${entry.actor}" x="${right - 1}" y="${y + 3}" width="2" height="18"></rect>
<text class="duration" x="${labelRight ? right + 8 : left - 8}" y="${y + 16}" text-anchor="${labelRight ? 'start' : 'end'}">${duration > 0 ? `+${formatDuration(duration)}` : ''}</text>
</g>`;
}
