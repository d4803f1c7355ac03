import { createHash } from 'node:crypto';
import { html, SafeHtml } from './html.js';

/**
 * The page shell: one stylesheet, inline, allowed by its hash in the
 * Content-Security-Policy, which allows nothing else (no script at all, no
 * outside fetch): the pages need no JavaScript, and markup that slipped past
 * the escaping could not run.
 */
const CSS = `
:root { color-scheme: light dark; --bg: #fbfbfd; --fg: #1d2330; --muted: #5d6678; --line: #d9dde6; --stripe: #f1f3f8;
  --card: #ffffff; --accent: #2457c5; --kernel-span: rgba(234, 120, 28, 0.12); --row-stripe: rgba(20, 40, 90, 0.035);
  --chip-text: #ffffff;
  --api-server: #6b7488; --scheduler: #8a4fd8; --kubelet: #2f74d0; --runtime: #14967f; --kernel: #e0701b; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #12151c; --fg: #e6e9f0; --muted: #9aa3b5; --line: #2c3240; --stripe: #181c25; --card: #1a1f2a;
    --accent: #7aa7ff; --kernel-span: rgba(255, 150, 60, 0.12); --row-stripe: rgba(255, 255, 255, 0.035);
    --chip-text: #10131a;
    --api-server: #9aa3b8; --scheduler: #b48cff; --kubelet: #63a4ff; --runtime: #3fd0b0; --kernel: #ff9d4d; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 28px 48px; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.3rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.6rem; }
.sub { color: var(--muted); margin: 0 0 1rem; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 1rem 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 170px; }
.card .label { color: var(--muted); font-size: 0.85rem; }
.card .value { font-size: 1.35rem; font-weight: 600; }
.card.longest { border-color: var(--kernel); box-shadow: inset 0 0 0 1px var(--kernel); }
.card .note { color: var(--kernel); font-size: 0.8rem; font-weight: 600; }
figure { margin: 0; overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 0; }
figcaption { color: var(--muted); font-size: 0.85rem; padding: 4px 12px 0; }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; font-size: 0.85rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; color: var(--muted); font-size: 0.85rem; margin: 8px 0 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
.problem { border: 1px solid var(--kernel); border-radius: 8px; padding: 10px 14px; background: var(--card); }
form { margin: 0.5rem 0 0; display: flex; gap: 8px; align-items: center; }
input { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg .tick, svg .axis-title, svg .duration { fill: var(--muted); }
svg .axis-title { font-style: italic; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .stripe { fill: transparent; }
svg .even .stripe { fill: var(--row-stripe); }
svg .chip-text { fill: var(--chip-text); font-size: 10.5px; font-weight: 600; }
svg .kernel-span { fill: var(--kernel-span); }
svg .kernel-counters { fill: var(--kernel); font-weight: 600; }
svg .kernel-bracket { fill: none; stroke: var(--kernel); stroke-width: 1.5; }
svg .observed .action { fill: var(--muted); }
svg .phase-segment { stroke: var(--card); stroke-width: 1; }
.actor-api-server { fill: var(--api-server); background: var(--api-server); }
.actor-scheduler { fill: var(--scheduler); background: var(--scheduler); }
.actor-kubelet { fill: var(--kubelet); background: var(--kubelet); }
.actor-runtime { fill: var(--runtime); background: var(--runtime); }
.actor-kernel { fill: var(--kernel); background: var(--kernel); }
.phase-scheduling { fill: var(--scheduler); background: var(--scheduler); }
.phase-sandbox { fill: var(--runtime); background: var(--runtime); }
.phase-first-container { fill: var(--kernel); background: var(--kernel); }
.phase-readiness { fill: var(--kubelet); background: var(--kubelet); }
.throttle-bar { fill: var(--kernel); }
.throttle-track { fill: var(--stripe); }
`;

const STYLE_HASH = createHash('sha256').update(CSS).digest('base64');
/** Constant and ours: it goes in byte for byte, or its hash would not match. */
const STYLE = new SafeHtml(CSS);

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function page(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}
