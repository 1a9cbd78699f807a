// The notebook toolbar: every action has a labelled button with a stable
// data-testid ("btn-run", "btn-run-all", …).

export interface ToolSpec {
  id: string;
  label: string;
  icon: string;
  run: () => void;
}

export function toolbar(groups: ToolSpec[][], extra: HTMLElement[] = []): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'toolbar';
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Notebook actions');
  for (const g of groups) {
    const grp = document.createElement('div');
    grp.className = 'toolbar-group';
    for (const t of g) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn tool';
      b.dataset['testid'] = 'btn-' + t.id;
      b.title = t.label;
      b.setAttribute('aria-label', t.label);
      const icon = document.createElement('span');
      icon.className = 'tool-icon';
      icon.setAttribute('aria-hidden', 'true');
      icon.textContent = t.icon;
      b.append(icon);
      b.addEventListener('click', t.run);
      grp.append(b);
    }
    bar.append(grp);
  }
  for (const e of extra) bar.append(e);
  // Arrow keys move between the toolbar's buttons (roving focus).
  bar.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
    const items = Array.from(bar.querySelectorAll<HTMLElement>('button, select'));
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (i < 0) return;
    ev.preventDefault();
    items[(i + (ev.key === 'ArrowRight' ? 1 : items.length - 1)) % items.length]?.focus();
  });
  return bar;
}
