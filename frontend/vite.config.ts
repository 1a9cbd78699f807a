import { defineConfig } from 'vitest/config';

// The UI is embedded in the Go binary and may be served under any path
// prefix, so every asset URL is relative (base "./"). KaTeX's fonts stay
// separate files (assetsInlineLimit 0) and load only when math is shown.
export default defineConfig({
  base: './',
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
