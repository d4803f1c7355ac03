import type { PodBirthCertificateSpec } from '../api/pod-birth-certificate.js';
import { birthPhases, formatDuration, phasesInsight } from '../core/birth-phases.js';
import { axisLabel, ticks, waterfall } from './waterfall.js';

/**
 * The same waterfall for a terminal (`npm run viewer -- --text ns/pod`): one
 * line per entry, a bar of block characters from the previous entry to this
 * one on a shared time axis. Control characters in names and actions are
 * shown as `?`, so nothing from an event can drive the terminal.
 */
const TRACK = 48;
const ACTOR = 11;
const ACTION = 34;

export function waterfallText(spec: PodBirthCertificateSpec): string {
  const chart = waterfall(spec);
  const column = (ms: number) => Math.round(((ms - chart.fromMs) / (chart.toMs - chart.fromMs)) * (TRACK - 1));
  const indent = ' '.repeat(ACTOR + ACTION + 2);
  const axis = [...' '.repeat(TRACK + 12)];
  for (const ms of ticks(chart.fromMs, chart.toMs, 4)) {
    const label = axisLabel(ms);
    const at = Math.min(column(ms), TRACK + 12 - label.length);
    axis.splice(at, label.length, ...label);
  }
  const lines = [
    `Birth of pod ${clean(spec.namespace)}/${clean(spec.pod_name)}${spec.node_name === undefined ? '' : ` on ${clean(spec.node_name)}`}`,
    `${indent}${axis.join('').trimEnd()}`,
  ];
  for (const row of chart.rows) {
    const [from, to] = [column(row.startMs), column(row.endMs)];
    const bar = to > from ? `${' '.repeat(from)}${'█'.repeat(to - from)}` : `${' '.repeat(to)}│`;
    const duration = row.endMs > row.startMs ? ` +${formatDuration(row.endMs - row.startMs)}` : '';
    lines.push(`${padded(row.entry.actor, ACTOR)} ${padded(row.entry.action, ACTION)} ${bar}${duration}`);
  }
  if (chart.kernel !== undefined) {
    const { stats } = chart.kernel;
    lines.push(
      `kernel: ${stats.total_syscalls} syscalls, ${stats.namespaces_created} namespaces, ${stats.cgroup_writes} cgroup writes, ${formatDuration(stats.total_duration_ms)}`,
    );
  }
  const summary = phasesInsight(birthPhases(spec.timeline));
  if (summary !== undefined) lines.push(summary);
  return `${lines.join('\n')}\n`;
}

function padded(text: string, width: number): string {
  const shown = clean(text);
  return shown.length > width ? `${shown.slice(0, width - 1)}…` : shown.padEnd(width);
}

function clean(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, '?');
}
