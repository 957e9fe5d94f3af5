import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/main.ts', 'src/bench-worker.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'node20',
  platform: 'node',
  treeshake: true,
})
