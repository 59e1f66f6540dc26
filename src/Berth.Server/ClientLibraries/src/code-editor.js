// The panel's code editor (CodeMirror 6), bundled by esbuild at build time into
// wwwroot/lib/code-editor/code-editor.js (Berth.Server.csproj) and driven by the Blazor
// component Components/Shared/CodeEditor.razor. One entry point for every feature that edits
// text (the file manager; stacks' compose files): create, setValue, getValue, length, setLanguage, dispose.
//
// Highlighting uses @lezer/highlight's classHighlighter: tokens get stable class names
// (tok-propertyName, tok-string, tok-comment, …) that panel.css colours, so the look follows
// the panel's theme and tests can see that a token was highlighted.
import { EditorState, Compartment } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightSpecialChars, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, StreamLanguage, indentOnInput, bracketMatching } from '@codemirror/language';
import { classHighlighter } from '@lezer/highlight';
import { yaml } from '@codemirror/lang-yaml';
import { json } from '@codemirror/lang-json';
import { markdown } from '@codemirror/lang-markdown';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { dockerFile } from '@codemirror/legacy-modes/mode/dockerfile';
import { properties } from '@codemirror/legacy-modes/mode/properties';

// The language names are CodeLanguage's (Components/Panel/CodeLanguage.cs); anything else is plain text.
const languages = {
  yaml: () => yaml(),
  json: () => json(),
  markdown: () => markdown(),
  shell: () => StreamLanguage.define(shell),
  dockerfile: () => StreamLanguage.define(dockerFile),
  env: () => StreamLanguage.define(properties),
};

function languageExtension(name) {
  const make = languages[name];
  return make ? make() : [];
}

export function create(host, value, language, label) {
  const mode = new Compartment();
  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: value ?? '',
      extensions: [
        lineNumbers(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(classHighlighter),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': label ?? '', spellcheck: 'false', 'data-testid': 'code-editor-content' }),
        mode.of(languageExtension(language)),
      ],
    }),
  });
  host.dataset.language = language || 'text';
  host.berthEditor = { view, mode };
  return true;
}

export function setValue(host, value) {
  const editor = host.berthEditor;
  if (editor && editor.view.state.doc.toString() !== (value ?? '')) {
    editor.view.dispatch({ changes: { from: 0, to: editor.view.state.doc.length, insert: value ?? '' } });
  }
}

export function setLanguage(host, language) {
  const editor = host.berthEditor;
  if (editor) {
    editor.view.dispatch({ effects: editor.mode.reconfigure(languageExtension(language)) });
    host.dataset.language = language || 'text';
  }
}

// UTF-8 bytes rather than a string: Blazor streams a typed array back to .NET, so a file of a
// few MB does not run into the SignalR message size limit of a plain return value.
export function getValue(host) {
  const editor = host.berthEditor;
  return new TextEncoder().encode(editor ? editor.view.state.doc.toString() : '');
}

// The text's length: an empty text is not streamed (a stream of no bytes never ends on the .NET side).
export function length(host) {
  const editor = host.berthEditor;
  return editor ? editor.view.state.doc.length : 0;
}

export function dispose(host) {
  const editor = host.berthEditor;
  if (editor) {
    editor.view.destroy();
    delete host.berthEditor;
  }
}
