// Huge outputs are cut for display (the whole text stays in the notebook);
// a "show all" button reveals the rest.

export interface Truncated {
  text: string;
  truncated: boolean;
  /** Lines left out, and characters left out. */
  hiddenLines: number;
  hiddenChars: number;
}

export const defaultLimits = { maxLines: 1000, maxChars: 100_000 };

/**
 * truncate keeps the head of text within maxLines and maxChars, cutting
 * at a line end where it can.
 */
export function truncate(text: string, maxLines = defaultLimits.maxLines, maxChars = defaultLimits.maxChars): Truncated {
  let end = text.length;
  let lines = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      lines++;
      if (lines >= maxLines) {
        end = i + 1;
        break;
      }
    }
  }
  if (end > maxChars) {
    const nl = text.lastIndexOf('\n', maxChars - 1);
    end = nl > maxChars / 2 ? nl + 1 : maxChars;
  }
  if (end >= text.length) return { text, truncated: false, hiddenLines: 0, hiddenChars: 0 };
  let restLines = 0;
  for (let i = end; i < text.length; i++) if (text.charCodeAt(i) === 10) restLines++;
  if (text.charCodeAt(text.length - 1) !== 10) restLines++;
  return { text: text.slice(0, end), truncated: true, hiddenLines: restLines, hiddenChars: text.length - end };
}
