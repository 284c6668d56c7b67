// Vite builds the console into web/dist, which `picket run` serves as static files. Two pages:
// the console (index.html) and the rendering benchmark (bench.html, 5,000 synthetic tracks).
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      input: {
        index: resolve(__dirname, 'index.html'),
        bench: resolve(__dirname, 'bench.html'),
      },
    },
  },
  server: {
    // `npm run dev-server` serves the API on 8090; `npx vite` proxies to it while editing.
    proxy: {
      '/api': { target: 'http://127.0.0.1:8090', ws: true },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});
