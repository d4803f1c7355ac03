/// <reference lib="dom" />
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { PodBirthCertificateSpec } from '../../lib/api/pod-birth-certificate.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { type RunningViewer, startViewer } from '../../lib/viewer/serve.js';
import { adminApi, freshNamespace } from '../integration/support/cluster.js';
import { type Chromium, launchChromium, OUTPUT_DIR } from './support/chromium.js';
import { BORN, HOSTILE, KERNEL_STEPS, seedViewerData } from './support/seed.js';

/**
 * The viewer as a person sees it: headless Chromium against the viewer on the
 * test control plane, reading with the run's kubeconfig. Screenshots land in
 * test-output/browser/ for a reviewer.
 */
let api: KubeApi & { close(): void };
let viewer: RunningViewer;
let chromium: Chromium;
let browser: Browser;
let ns: string;
let spec: PodBirthCertificateSpec;

beforeAll(async () => {
  api = await adminApi();
  ns = await freshNamespace(api, 'viewer');
  await seedViewerData(api, ns);
  const stored = await api.get<KubeObject<PodBirthCertificateSpec>>(POD_BIRTH_CERTIFICATE, {
    namespace: ns,
    name: BORN,
  });
  if (stored?.spec === undefined) throw new Error('the birth certificate was not written');
  spec = stored.spec;
  viewer = await startViewer(api, 0);
  chromium = await launchChromium();
  browser = chromium.browser;
});
afterAll(async () => {
  await chromium?.close();
  await viewer?.close();
  api?.close();
});

/** A page that records every dialog, console error and uncaught error, so a script that ran is seen. */
async function open(route: string, options: { dark?: boolean; javascript?: boolean } = {}) {
  const page = await browser.newPage();
  const incidents: string[] = [];
  page.on('dialog', (dialog) => {
    incidents.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => incidents.push(`page error: ${String(error)}`));
  page.on('console', (message) => incidents.push(`console ${message.type()}: ${message.text()}`));
  await page.setJavaScriptEnabled(options.javascript ?? true);
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: options.dark === true ? 'dark' : 'light' }]);
  await page.setViewport({ width: 1200, height: 900 });
  const response = await page.goto(new URL(route, viewer.url).href, { waitUntil: 'load' });
  return { page, incidents, status: response?.status() };
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`), fullPage: true });

type Bar = { x: number; y: number; width: number };
const bars = (page: Page) =>
  page.$$eval('svg.waterfall rect.bar', (rects) =>
    rects.map((rect) => {
      const box = rect.getBoundingClientRect();
      return { x: box.x, y: box.y, width: box.width };
    }),
  ) as Promise<Bar[]>;

describe('the birth waterfall in a real browser', () => {
  it('draws one bar per entry, in time order, as wide as the time since the previous entry', async () => {
    const { page, incidents, status } = await open(`/birth/${ns}/${BORN}`);
    expect(status).toBe(200);
    const drawn = await bars(page);
    expect(drawn).toHaveLength(spec.timeline.length);
    expect(spec.timeline.length).toBe(KERNEL_STEPS.length + 9);
    const times = spec.timeline.map((entry) => entry.timestamp_ms);
    for (let i = 1; i < drawn.length; i++) {
      const [before, bar] = [drawn[i - 1] as Bar, drawn[i] as Bar];
      expect(bar.y).toBeGreaterThan(before.y);
      expect(bar.x).toBeGreaterThanOrEqual(before.x + before.width - 0.5);
    }
    // Pixels per millisecond, from the longest bar; every other bar must agree within half a pixel.
    const durations = times.map((time, i) => time - (times[i - 1] ?? time));
    const longest = durations.indexOf(Math.max(...durations));
    const scale = (drawn[longest] as Bar).width / (durations[longest] as number);
    expect(scale).toBeGreaterThan(0);
    for (const [i, bar] of drawn.entries())
      expect(Math.abs(bar.width - (durations[i] as number) * scale)).toBeLessThan(0.5);
    await shot(page, 'birth-light');
    expect(incidents).toEqual([]);
  });

  it('labels every bar with its actor and action, and the phases with their durations', async () => {
    const { page } = await open(`/birth/${ns}/${BORN}`);
    const labels = await page.$$eval('svg.waterfall g.row', (rows) =>
      rows.map((row) => {
        const action = row.querySelector('.action');
        return [
          row.querySelector('.chip-text')?.textContent ?? '',
          action?.querySelector('title')?.textContent ?? '',
          action?.lastChild?.textContent ?? '',
        ];
      }),
    );
    // The full action is the label's tooltip; what shows is the action, or its start and an ellipsis.
    expect(labels.map(([actor, full]) => [actor, full])).toEqual(
      spec.timeline.map((entry) => [entry.actor, entry.action]),
    );
    const cut = labels.filter(([, full, shown]) => full !== shown);
    expect(cut.map(([, full, shown]) => full?.startsWith(shown?.slice(0, -1) ?? '') && shown?.endsWith('…'))).toEqual([
      true,
    ]);
    const cards = await page.$$eval('.card', (all) =>
      all.map((card) => [
        card.querySelector('.label')?.textContent,
        card.querySelector('.value')?.textContent,
        card.classList.contains('longest'),
      ]),
    );
    expect(cards).toEqual([
      ['Scheduled after', '1 s', false],
      ['Sandbox ready after', '3 s', false],
      ['First container started after', '4 s', false],
      ['Ready after', '10 s', true],
    ]);
    const annotation = await page.$eval('.kernel-counters', (text) => text.textContent);
    expect(annotation).toBe(
      'kernel · 18,342 syscalls · 6 namespaces · 23 cgroup writes · 4 iptables rules · 7.2 s in the kernel',
    );
  });

  it('is readable in dark mode and works without JavaScript', async () => {
    const { page } = await open(`/birth/${ns}/${BORN}`, { dark: true, javascript: false });
    const colours = await page.evaluate(() => {
      const style = getComputedStyle(document.body);
      return [style.backgroundColor, style.color];
    });
    expect(colours).toEqual(['rgb(18, 21, 28)', 'rgb(230, 233, 240)']);
    expect(await bars(page)).toHaveLength(spec.timeline.length);
    await shot(page, 'birth-dark');
    const light = await open(`/birth/${ns}/${BORN}`);
    expect(await light.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(251, 251, 253)');
  });
});

describe('the overview in a real browser', () => {
  it('lists the births and the most throttled containers, worst first', async () => {
    const { page, incidents } = await open(`/?namespace=${ns}`);
    const births = await page.$$eval('table.births tbody tr', (rows) =>
      rows.map((row) => row.querySelector('a')?.textContent),
    );
    expect(births.sort()).toEqual([HOSTILE.podName, BORN].sort());
    const throttled = await page.$$eval('table.whispers tbody tr', (rows) =>
      rows.map((row) => [row.cells[1]?.textContent, row.cells[3]?.textContent]),
    );
    expect(throttled).toEqual([
      ['api-5c8d', '92.4%'],
      ['worker-0', '67.1%'],
      ['hostile', '55.5%'],
      ['web-2', '12.5%'],
    ]);
    // No KernelWhisper carries a trend today, so there is no trend column at all.
    expect(await page.$$eval('table.whispers th', (cells) => cells.map((cell) => cell.textContent))).not.toContain(
      'Trend',
    );
    await shot(page, 'overview-light');
    await shot((await open(`/?namespace=${ns}`, { dark: true })).page, 'overview-dark');
    expect(incidents).toEqual([]);
  });
});

describe('names and actions from events stay text', () => {
  it.each([
    ['the overview', () => `/?namespace=${ns}`, [HOSTILE.podName, HOSTILE.container]],
    ['a birth page', () => `/birth/${ns}/hostile`, [HOSTILE.podName, HOSTILE.script, HOSTILE.attribute]],
  ])('on %s: shown as written, no element made from them, no script run', async (_, route, texts) => {
    const { page, incidents, status } = await open(route());
    expect(status).toBe(200);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
    const body = await page.evaluate(() => document.body.innerText);
    for (const text of texts) expect(body).toContain(text);
    const smuggled = await page.evaluate(() => ({
      elements: document.querySelectorAll('script, img, iframe, object, embed, [onerror], [onload]').length,
      pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    }));
    expect(smuggled).toEqual({ elements: 0, pwned: null });
    expect(incidents).toEqual([]);
    await shot(page, route().startsWith('/birth') ? 'hostile-birth' : 'hostile-overview');
  });
});
