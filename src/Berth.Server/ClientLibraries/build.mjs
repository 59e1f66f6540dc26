// Bundles the panel's code editor (src/code-editor.js, CodeMirror 6's ES modules) into one ES
// module with esbuild's API, run by Berth.Server.csproj after `npm ci`: node build.mjs OUTFILE.
// The API (not node_modules/.bin/esbuild) works whether or not npm ran esbuild's install script.
import { build } from 'esbuild';

const outfile = process.argv[2];
if (!outfile) {
  console.error('usage: node build.mjs OUTFILE');
  process.exit(2);
}

await build({
  entryPoints: ['src/code-editor.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2020'],
  logLevel: 'warning',
  outfile,
});
