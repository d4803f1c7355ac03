import * as v from 'valibot';
import { KernelWhisperSpecSchema } from '../api/kernel-whisper.js';
import { PodBirthCertificateSpecSchema } from '../api/pod-birth-certificate.js';
import { birthPhases, formatDuration, phaseSpans } from '../core/birth-phases.js';
import { isRecord } from '../core/json.js';
import type { KubeObject } from '../k8s/objects.js';
import { html, pathSegment, type SafeHtml } from './html.js';
import { page } from './layout.js';

/**
 * The front page: the newest birth certificates with their phases, and the
 * containers the kernel saw most throttled. A trend column appears only when
 * some KernelWhisper's status carries a `trend`.
 */
export type Listing =
  | { readonly items: readonly KubeObject[]; readonly more: boolean }
  | { readonly error: string; readonly items?: undefined };

export type Overview = {
  readonly namespace: string | undefined;
  readonly births: Listing;
  readonly whispers: Listing;
};

const SHOWN_BIRTHS = 25;
const SHOWN_WHISPERS = 10;

export function overviewPage(overview: Overview): SafeHtml {
  const scope = overview.namespace === undefined ? 'all namespaces you may read' : `namespace ${overview.namespace}`;
  return page(
    'Kernel Gossip',
    html`<h1>Kernel Gossip</h1>
<p class="sub">Pod births and CPU throttling in ${scope}, read with your own kubeconfig.</p>
<form method="get" action="/"><label for="namespace">Namespace</label><input id="namespace" name="namespace" value="${overview.namespace ?? ''}" placeholder="all"><button type="submit">Show</button></form>
<h2>Recent pod births</h2>
${births(overview.births)}
<h2>Most throttled containers</h2>
${whispers(overview.whispers)}`,
  );
}

function births(listing: Listing): SafeHtml {
  if (listing.items === undefined) return problem(listing.error);
  if (listing.items.length === 0) return html`<p class="sub">No PodBirthCertificates.</p>`;
  const newest = [...listing.items].sort(byCreationDescending).slice(0, SHOWN_BIRTHS);
  return html`<table class="births"><thead><tr><th>Pod</th><th>Namespace</th><th class="num">Ready after</th><th>Phases</th><th>Longest phase</th><th class="num">Syscalls</th></tr></thead><tbody>
${newest.map(birthRow)}
</tbody></table>
<p class="legend">Phases: ${PHASE_LEGEND.map(([phase, label]) => html`<span><span class="swatch phase-${phase}"></span>${label}</span>`)}</p>${shownOf(newest.length, listing)}`;
}

const PHASE_LEGEND = [
  ['scheduling', 'scheduling (created → scheduled)'],
  ['sandbox', 'sandbox (→ sandbox ready)'],
  ['first-container', 'first container (→ started)'],
  ['readiness', 'readiness (→ Ready)'],
] as const;

function birthRow(object: KubeObject): SafeHtml {
  const { name, namespace = '' } = object.metadata;
  const link = `/birth/${pathSegment(namespace)}/${pathSegment(name)}`;
  const parsed = v.safeParse(PodBirthCertificateSpecSchema, object.spec);
  if (!parsed.success)
    return html`<tr><td><a href="${link}">${name}</a></td><td>${namespace}</td><td colspan="4">its spec does not match the PodBirthCertificate schema</td></tr>`;
  const spec = parsed.output;
  const phases = birthPhases(spec.timeline);
  const ready = phases?.ready_after_ms;
  const longest =
    phases?.longest_phase === undefined
      ? ''
      : `${phases.longest_phase} (${formatDuration(phases.longest_phase_ms ?? 0)})`;
  return html`<tr><td><a href="${link}">${spec.pod_name}</a></td><td>${namespace}</td><td class="num">${ready === undefined ? (phases === undefined ? '' : 'not Ready yet') : formatDuration(ready)}</td><td>${phaseBar(spec.timeline)}</td><td>${longest}</td><td class="num">${spec.kernel_stats.total_syscalls.toLocaleString('en')}</td></tr>`;
}

/** The phases as one small stacked bar, each segment as long as its phase. */
function phaseBar(timeline: Parameters<typeof phaseSpans>[0]): SafeHtml | undefined {
  const spans = phaseSpans(timeline);
  const end = spans.at(-1)?.toMs ?? 0;
  if (end === 0) return undefined;
  const width = 180;
  return html`<svg class="phases" width="${width}" height="12" viewBox="0 0 ${width} 12" role="img" aria-label="${spans.map((s) => `${s.phase} ${formatDuration(s.ms)}`).join(', ')}">${spans.map(
    (span) =>
      html`<rect class="phase-segment phase-${span.phase}" x="${(span.fromMs / end) * width}" y="0" width="${(span.ms / end) * width}" height="12"><title>${span.phase}: ${formatDuration(span.ms)}</title></rect>`,
  )}</svg>`;
}

function whispers(listing: Listing): SafeHtml {
  if (listing.items === undefined) return problem(listing.error);
  const rows = listing.items
    .map((object) => ({ object, spec: v.safeParse(KernelWhisperSpecSchema, object.spec) }))
    .flatMap(({ object, spec }) => (spec.success ? [{ object, spec: spec.output }] : []))
    .sort((a, b) => b.spec.kernel_truth.throttled_percent - a.spec.kernel_truth.throttled_percent)
    .slice(0, SHOWN_WHISPERS);
  if (rows.length === 0) return html`<p class="sub">No KernelWhispers.</p>`;
  const trends = rows.map(({ object }) => trendOf(object.status));
  const withTrend = trends.some((trend) => trend !== undefined);
  return html`<table class="whispers"><thead><tr><th>Container</th><th>Pod</th><th>Namespace</th><th class="num">Throttled</th><th></th><th>Severity</th><th>Throttling</th>${withTrend ? html`<th>Trend</th>` : ''}</tr></thead><tbody>
${rows.map(({ object, spec }, index) => {
  const percent = spec.kernel_truth.throttled_percent;
  return html`<tr><td>${spec.container_name}</td><td>${spec.pod_name}</td><td>${object.metadata.namespace ?? ''}</td><td class="num">${percent}%</td><td><svg width="120" height="10" viewBox="0 0 120 10" aria-hidden="true"><rect class="throttle-track" width="120" height="10" rx="2"></rect><rect class="throttle-bar" width="${(percent / 100) * 120}" height="10" rx="2"></rect></svg></td><td>${spec.severity}</td><td>${throttlingReason(object.status)}</td>${withTrend ? html`<td>${trends[index] ?? ''}</td>` : ''}</tr>`;
})}
</tbody></table>${shownOf(rows.length, listing)}`;
}

function trendOf(status: unknown): string | undefined {
  return isRecord(status) && typeof status.trend === 'string' ? status.trend : undefined;
}

function throttlingReason(status: unknown): string {
  if (!isRecord(status) || !Array.isArray(status.conditions)) return '';
  const throttled = status.conditions.find((condition) => isRecord(condition) && condition.type === 'Throttled');
  return isRecord(throttled) && typeof throttled.reason === 'string' ? throttled.reason : '';
}

function shownOf(shown: number, listing: { items: readonly KubeObject[]; more: boolean }): SafeHtml | undefined {
  if (!listing.more && shown === listing.items.length) return undefined;
  const read = `${listing.items.length}${listing.more ? '+' : ''}`;
  return html`<p class="sub">Showing ${shown} of ${read} read${listing.more ? ' (the first page only: choose a namespace to see more)' : ''}.</p>`;
}

function problem(message: string): SafeHtml {
  return html`<p class="problem">${message}</p>`;
}

function byCreationDescending(a: KubeObject, b: KubeObject): number {
  const [x, y] = [a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? ''];
  return x < y ? 1 : x > y ? -1 : 0;
}
