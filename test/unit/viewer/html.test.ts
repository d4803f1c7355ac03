import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../lib/viewer/html.js';

describe('html', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ["' onmouseover='x", '&#39; onmouseover=&#39;x'],
    ['a & b', 'a &amp; b'],
  ])('escapes %s in text and attributes', (value, escaped) => {
    expect(escapeHtml(value)).toBe(escaped);
    expect(html`<p title="${value}">${value}</p>`.markup).toBe(`<p title="${escaped}">${escaped}</p>`);
  });

  it('inserts only its own fragments as markup, arrays joined, nothing for absent values', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<div>${inner}${[html`<br>`, '<br>']}${undefined}${false}${null}${0}</div>`.markup).toBe(
      '<div><b>&lt;i&gt;</b><br>&lt;br&gt;0</div>',
    );
  });

  it('does not treat an object that merely looks like a fragment as markup', () => {
    const impostor = { markup: '<script>x</script>', toString: () => '<script>x</script>' };
    expect(html`${impostor as unknown as string}`.markup).toBe('&lt;script&gt;x&lt;/script&gt;');
  });
});
