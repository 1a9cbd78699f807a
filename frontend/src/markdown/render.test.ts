import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render';
import { sanitizeSVG } from './sanitize';

describe('renderMarkdown', () => {
  it('removes scripts, event handlers and javascript: URLs', () => {
    const html = renderMarkdown([
      '# Title',
      '<script>alert(1)</script>',
      '<img src="x.png" onerror="alert(2)">',
      '[click](javascript:alert(3))',
      '<a href="javascript:alert(4)">raw</a>',
      '<iframe src="https://example.com"></iframe>',
    ].join('\n\n'));
    const div = document.createElement('div');
    div.innerHTML = html;
    expect(div.querySelector('h1')?.textContent).toBe('Title');
    expect(div.querySelector('script')).toBeNull();
    expect(div.querySelector('iframe')).toBeNull();
    expect(div.querySelector('img')?.getAttribute('onerror')).toBeNull();
    for (const a of div.querySelectorAll('a')) expect(a.getAttribute('href') ?? '').not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/alert\(/);
  });

  it('renders inline and display math with KaTeX', () => {
    const html = renderMarkdown('Area $A = 8.0\\,\\mathrm{km}^2$ and\n\n$$\\frac{\\partial H}{\\partial t} = \\dot{b} - \\nabla \\cdot q$$\n');
    const div = document.createElement('div');
    div.innerHTML = html;
    expect(div.querySelectorAll('.katex').length).toBe(2);
    expect(div.querySelector('.math-display .katex-display')).not.toBeNull();
    expect(div.querySelector('annotation')?.textContent).toContain('A = 8.0');
  });

  it('leaves dollar amounts and code alone', () => {
    const html = renderMarkdown('It costs $5 and $6 today. `x := $y$`');
    expect(html).not.toContain('katex');
    expect(html).toContain('<code>x := $y$</code>');
  });

  it('shows a bad formula as an error, not an exception', () => {
    expect(() => renderMarkdown('$\\frac{1$')).not.toThrow();
  });

  it('sanitizes SVG', () => {
    const svg = sanitizeSVG('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="5" height="5" onclick="alert(2)"/><foreignObject><div>x</div></foreignObject></svg>');
    expect(svg).toContain('<rect');
    expect(svg).not.toContain('script');
    expect(svg).not.toContain('onclick');
    expect(svg).not.toContain('foreignObject');
  });
});
