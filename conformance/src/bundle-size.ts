/**
 * Bundle size as an application would ship it: an entry bundled by esbuild from the published
 * builds (dist/index.js) of the runtime-neutral packages, minified ESM for the neutral platform,
 * then gzipped (node:zlib, default level). 1 KB is 1,024 bytes.
 */
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { exportedFiles, RUNTIME_NEUTRAL, workspaceRoot } from './workspace.ts'

export const KB = 1024

export interface BundleSize {
  minified: number
  gzipped: number
  /** Workspace-relative paths of the files that put at least one byte into the bundle. */
  inputs: string[]
  /** The minified bundle. */
  code: string
}

/**
 * `@ws/<folder>` resolves to that package's published ESM build, and so does each subpath in its
 * exports map (`@ws/proto/h2`), read from the manifest.
 */
export function distAliases(
  folders: readonly string[] = [...RUNTIME_NEUTRAL, 'driver', 'web'],
): Record<string, string> {
  const aliases: Record<string, string> = {}
  for (const folder of folders) {
    for (const [subpath, file] of exportedFiles(join(workspaceRoot, 'packages', folder), 'import')) {
      aliases[`@ws/${folder}${subpath.slice(1)}`] = file
    }
  }
  return aliases
}

/** Bundles `source` (an ES module importing `@ws/*`) and measures it. */
export async function measureBundle(source: string): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir: workspaceRoot, sourcefile: 'entry.js', loader: 'js' },
    absWorkingDir: workspaceRoot,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    alias: distAliases(),
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  // One entry, written to memory: one output file.
  const code = result.outputFiles[0].contents
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
    .filter(([, use]) => use.bytesInOutput > 0)
    .map(([path]) => path)
  return { minified: code.length, gzipped: gzipSync(code).length, inputs, code: result.outputFiles[0].text }
}

/** Whether any byte of the bundle came from packages/<folder>. */
export const usesPackage = (size: BundleSize, folder: string): boolean =>
  size.inputs.some((path) => path.startsWith(`packages/${folder}/`))

export const formatKB = (bytes: number): string => `${(bytes / KB).toFixed(1)} KB`
