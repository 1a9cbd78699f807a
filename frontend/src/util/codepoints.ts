// The kernel counts cursor positions in Unicode code points; the editor
// counts UTF-16 code units. These convert between the two.

export function toCodePoints(s: string, utf16: number): number {
  let n = 0;
  for (let i = 0; i < utf16 && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

export function toUTF16(s: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}
