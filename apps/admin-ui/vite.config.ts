import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Built into dist/admin-ui and served by the ledger at /admin/ (npm run build:ui, from the project root).
 * No inline scripts or injected styles: the ledger's Content-Security-Policy allows only files from 'self'.
 */
export default defineConfig({
  root: 'apps/admin-ui',
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: '../../dist/admin-ui',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
  },
});
