import { defineConfig, type Plugin } from 'vitest/config';

// KaTeX's stylesheet offers each font as woff2, woff and ttf; every
// webview Firn runs in (Chromium, WebKitGTK, WebView2, Safari) takes the
// woff2, so the other two would only make the binary 0.8 MB larger.
function woff2Only(): Plugin {
  return {
    name: 'firn-woff2-only',
    generateBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (/\.(woff|ttf)$/.test(name)) delete bundle[name];
      }
    },
  };
}

// The UI is embedded in the Go binary and may be served under any path
// prefix, so every asset URL is relative (base "./"). KaTeX's fonts stay
// separate files (assetsInlineLimit 0) and load only when math is shown.
export default defineConfig({
  base: './',
  plugins: [woff2Only()],
  // The sanitizing policy is shared with the Go side: the dev server may
  // read it from internal/sanitize (the build bundles it).
  server: { fs: { allow: ['.', '../internal/sanitize'] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
    // CodeMirror is most of the main chunk; it is needed at once.
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
  },
});
