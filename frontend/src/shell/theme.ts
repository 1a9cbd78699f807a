// Light and dark themes: the system's choice (prefers-color-scheme) until
// the user picks one, which is remembered.

export type Theme = 'light' | 'dark';
const key = 'firn-theme';

export function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function currentTheme(): Theme {
  const t = document.documentElement.dataset['theme'];
  return t === 'dark' || t === 'light' ? t : systemTheme();
}

export function initTheme(): void {
  const saved = localStorage.getItem(key);
  if (saved === 'dark' || saved === 'light') document.documentElement.dataset['theme'] = saved;
}

export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset['theme'] = next;
  localStorage.setItem(key, next);
  return next;
}
