import type { BirthPhases, PodBirthCertificateSpec } from '../api/pod-birth-certificate.js';
import { birthPhases, formatDuration } from '../core/birth-phases.js';
import type { KubeObject } from '../k8s/objects.js';
import { waterfallSvg } from './birth-svg.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { axisLabel, waterfall } from './waterfall.js';

/** One pod's birth: the phase durations, the waterfall, and every entry as a table. */
export const ACTOR_LEGEND = [
  ['api-server', 'API server'],
  ['scheduler', 'scheduler'],
  ['runtime', 'container runtime'],
  ['kubelet', 'kubelet'],
  ['kernel', 'kernel (observer)'],
] as const;

export function birthPage(object: KubeObject, spec: PodBirthCertificateSpec): SafeHtml {
  const chart = waterfall(spec);
  const phases = birthPhases(spec.timeline);
  const pod = `${spec.namespace}/${spec.pod_name}`;
  const facts = [
    `PodBirthCertificate ${object.metadata.name}`,
    spec.node_name === undefined ? undefined : `node ${spec.node_name}`,
    spec.pod_uid === undefined ? undefined : `pod UID ${spec.pod_uid}`,
    phases === undefined ? undefined : `created ${phases.created_at}`,
  ].filter((fact) => fact !== undefined);
  return page(
    `Birth of ${pod}`,
    html`<p><a href="/">← All births and throttled containers</a></p>
<h1>Birth of pod ${pod}</h1>
<p class="sub">${facts.join(' · ')}</p>
${phaseCards(phases)}
<figure>
${waterfallSvg(chart)}
<figcaption>One bar per entry: each runs from the previous entry to this one, so its width is the time between them; the mark is when it happened. The shaded span is where the kernel observer's entries lie.</figcaption>
</figure>
<p class="legend">${ACTOR_LEGEND.map(([actor, label]) => html`<span><span class="swatch actor-${actor}"></span>${label}</span>`)}</p>
<h2>Timeline</h2>
<table class="timeline">
<thead><tr><th class="num">${chart.fromCreation ? 'After creation' : 'After the first entry'}</th><th class="num">Since previous</th><th>Actor</th><th>Action</th></tr></thead>
<tbody>
${chart.rows.map(
  (row) =>
    html`<tr><td class="num">${axisLabel(row.endMs)}</td><td class="num">${row === chart.rows[0] ? '' : `+${formatDuration(row.endMs - row.startMs)}`}</td><td>${row.entry.actor}</td><td>${row.entry.action}</td></tr>`,
)}
</tbody>
</table>`,
  );
}

const CARDS: readonly (readonly [string, keyof BirthPhases, string])[] = [
  ['Scheduled after', 'scheduled_after_ms', 'scheduling'],
  ['Sandbox ready after', 'sandbox_ready_after_ms', 'sandbox'],
  ['First container started after', 'first_container_started_after_ms', 'first-container'],
  ['Ready after', 'ready_after_ms', 'readiness'],
];

function phaseCards(phases: BirthPhases | undefined): SafeHtml {
  if (phases === undefined)
    return html`<p class="problem">This certificate records no API lifecycle (it predates it, or its pod was never found), so it has no phase durations.</p>`;
  return html`<div class="cards">${CARDS.map(([label, field, phase]) => {
    const value = phases[field];
    const longest = phases.longest_phase === phase;
    return html`<div class="card${longest ? ' longest' : ''}"><div class="label">${label}</div><div class="value">${typeof value === 'number' ? formatDuration(value) : 'not recorded'}</div>${longest && phases.longest_phase_ms !== undefined ? html`<div class="note">longest phase: ${phase}, ${formatDuration(phases.longest_phase_ms)}</div>` : ''}</div>`;
  })}</div>`;
}
