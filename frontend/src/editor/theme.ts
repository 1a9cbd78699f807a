// Editor colours come from CSS variables, so light and dark themes switch
// without rebuilding editors.

import { EditorView } from '@codemirror/view';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

export const editorTheme = EditorView.theme({
  '&': { color: 'var(--fg)', backgroundColor: 'var(--code-bg)', fontSize: 'var(--code-size)' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--fg)', padding: '6px 0' },
  '.cm-gutters': { backgroundColor: 'var(--code-bg)', color: 'var(--muted)', border: 'none' },
  '&.cm-focused': { outline: 'none' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-activeLine': { backgroundColor: 'transparent' },
  '&.cm-focused .cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '.cm-matchingBracket': { backgroundColor: 'var(--bracket-bg)', outline: '1px solid var(--bracket-outline)' },
  '.cm-nonmatchingBracket': { backgroundColor: 'var(--error-bg)' },
  '.cm-error-line': { backgroundColor: 'var(--error-bg)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-fg)' },
  '.cm-inspect': { maxWidth: '560px', maxHeight: '320px', overflow: 'auto', padding: '6px 8px', margin: 0, whiteSpace: 'pre-wrap', fontFamily: 'var(--mono)', fontSize: '12px' },
  '.cm-completion-doc': { maxWidth: '420px' },
  '.cm-completion-doc pre': { margin: 0, whiteSpace: 'pre-wrap', fontFamily: 'var(--mono)', fontSize: '12px' },
  '.cm-completion-doc p': { margin: '4px 0 0' },
});

export const highlight = syntaxHighlighting(HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword], color: 'var(--tok-keyword)' },
  { tag: [t.string, t.special(t.string), t.character], color: 'var(--tok-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--tok-number)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--tok-comment)', fontStyle: 'italic' },
  { tag: [t.typeName, t.standard(t.typeName)], color: 'var(--tok-type)' },
  { tag: [t.function(t.variableName), t.function(t.definition(t.variableName))], color: 'var(--tok-func)' },
  { tag: [t.definition(t.variableName)], color: 'var(--tok-def)' },
  { tag: [t.operator, t.punctuation], color: 'var(--tok-op)' },
  { tag: t.propertyName, color: 'var(--tok-prop)' },
  { tag: t.heading, fontWeight: 'bold' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strong, fontWeight: 'bold' },
]));
