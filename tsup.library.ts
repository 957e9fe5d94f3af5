import { defineConfig } from 'tsup'

/**
 * The build every published library shares: src/index.ts to ESM and CJS with .d.ts beside
 * them. `neutral` for the runtime-neutral core packages, `node` for the adapters.
 */
export function libraryConfig(platform: 'neutral' | 'node'): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'es2022',
    platform,
    treeshake: true,
  })
}
