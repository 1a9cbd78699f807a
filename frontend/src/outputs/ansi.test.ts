import { describe, expect, it } from 'vitest';
import { ansiToHTML, setANSIText, stripAnsi } from './ansi';

describe('ansiToHTML', () => {
  const cases: [string, string, string][] = [
    ['plain text is escaped', 'a < b & "c"', 'a &lt; b &amp; &quot;c&quot;'],
    ['basic colour and reset', '\x1b[31mred\x1b[0m ok', '<span class="ansi-red-fg">red</span> ok'],
    ['bold bright', '\x1b[1;92mgo\x1b[m', '<span class="ansi-bright-green-fg ansi-bold">go</span>'],
    ['background', '\x1b[44mbg\x1b[49m', '<span class="ansi-blue-bg">bg</span>'],
    ['256 colours', '\x1b[38;5;196mx', '<span style="color:#ff0000">x</span>'],
    ['true colour', '\x1b[38;2;1;2;3mx', '<span style="color:#010203">x</span>'],
    ['other escapes dropped', 'a\x1b[2Kb\x1b]0;title\x07c', 'abc'],
    ['html inside colour is escaped', '\x1b[33m<b>\x1b[0m', '<span class="ansi-yellow-fg">&lt;b&gt;</span>'],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => expect(ansiToHTML(input)).toBe(want));
  }

  it('stripAnsi removes all escapes', () => {
    expect(stripAnsi('\x1b[1;31mpanic\x1b[0m: x')).toBe('panic: x');
  });
});

describe('setANSIText', () => {
  it.each([
    ['plain text, markup characters kept as text', 'a < b & "c"\n', 'a < b & "c"\n', 0],
    ['coloured text becomes spans', '\x1b[31mred\x1b[0m ok', 'red ok', 1],
  ])('%s', (_name, text, shown, spans) => {
    const el = document.createElement('pre');
    setANSIText(el, text);
    expect(el.textContent).toBe(shown);
    expect(el.querySelectorAll('span').length).toBe(spans);
  });
});
