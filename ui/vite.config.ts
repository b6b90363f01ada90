/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'
import { defineConfig } from 'vite'

// The app embeds ui/dist (tauri.conf.json `build.frontendDist`); there is no dev server URL, so
// `cargo run` and the release build both serve these files through Tauri's own protocol, under
// the CSP in tauri.conf.json (no inline scripts or styles: Svelte's CSS is emitted as files).
export default defineConfig({
  // svelteTesting: in Vitest only, resolves Svelte's browser build and cleans the DOM after each test.
  plugins: [svelte(), svelteTesting()],
  // Relative asset URLs keep the bundle independent of the origin Tauri serves it from.
  base: './',
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK (Linux) and WKWebView (macOS) lag behind Chromium; Tauri's guide targets Safari 13+.
    target: ['es2021', 'safari13'],
    // Keep every asset a file: an inlined data: script or font would need a looser CSP.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    strictPort: true,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    restoreMocks: true,
  },
})
