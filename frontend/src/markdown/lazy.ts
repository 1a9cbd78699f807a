// The Markdown renderer (marked + KaTeX and its CSS) loads on first use,
// keeping it out of the main bundle.

type Renderer = typeof import('./render');
let loading: Promise<Renderer> | null = null;

export function loadMarkdown(): Promise<Renderer> {
  loading ??= import('./render');
  return loading;
}

/** fillMarkdown renders src into el once the renderer is loaded. */
export function fillMarkdown(el: HTMLElement, src: string): Promise<void> {
  el.classList.add('md-pending');
  el.textContent = src;
  return loadMarkdown().then((m) => {
    el.innerHTML = m.renderMarkdown(src);
    el.classList.remove('md-pending');
  });
}
