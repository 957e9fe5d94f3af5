import { defineConfig } from 'tsup'

/**
 * The build every published library shares: src/index.ts to ESM and CJS with .d.ts beside
 * them. `neutral` for the runtime-neutral core packages, `node` for the adapters.
 */
export function libraryConfig(
  platform: 'neutral' | 'node',
  entry: string[] = ['src/index.ts'],
): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry,
    // With more than one entry, shared code goes to chunks in both formats (tsup splits only
    // ESM by default; a CJS entry would otherwise get its own copy of every shared class).
    splitting: entry.length > 1,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'es2022',
    platform,
    treeshake: true,
  })
}
