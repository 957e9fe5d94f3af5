/** Where the workspace's packages are, and which rules apply to each. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * Packages that must run unchanged in any JavaScript runtime (browser, Deno, Bun, workers): no
 * `node:` imports, no Node globals, no timers, compiled without Node's types. See DESIGN.md.
 */
export const RUNTIME_NEUTRAL = ['crypto', 'deflate', 'proto', 'driver', 'web', 'deno'] as const

/**
 * Packages whose tests also run in Deno, Bun and headless Chromium, besides Node (scripts/runtimes,
 * run by `pnpm test`). Add a package by its folder name; a folder without test/*.test.ts is skipped.
 * The driver holds the in-memory transport.
 */
export const MULTI_RUNTIME = ['crypto', 'deflate', 'proto', 'driver', 'web'] as const

/** Packages that may use Node's APIs. Every folder in packages/ must be in one of the two lists. */
export const NODE_ONLY = ['bench', 'node-tcp', 'node-tls', 'node', 'node-h2', 'cli'] as const

export interface PackageInfo {
  /** Folder name under packages/. */
  folder: string
  dir: string
  manifest: {
    name: string
    version: string
    private?: boolean
    dependencies?: Record<string, string>
    [key: string]: unknown
  }
}

/** Every package folder under packages/ that has a package.json. */
export function listPackages(root = workspaceRoot): PackageInfo[] {
  const packagesDir = join(root, 'packages')
  return readdirSync(packagesDir)
    .filter((folder) => existsSync(join(packagesDir, folder, 'package.json')))
    .sort()
    .map((folder) => {
      const dir = join(packagesDir, folder)
      return { folder, dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }
    })
}

/**
 * The built files a package's exports map gives for `condition`, by subpath ('.', './h2'), as
 * absolute paths; entries without that condition (such as './package.json') are left out.
 */
export function exportedFiles(dir: string, condition: 'import' | 'require'): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, string | Partial<Record<'import' | 'require', { default?: string }>>>
  }
  const files = new Map<string, string>()
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const file = typeof target === 'string' ? undefined : target[condition]?.default
    if (file !== undefined) files.set(subpath, join(dir, file))
  }
  return files
}

/** Recursively lists the `.ts` files under `dir`. */
export function listSourceFiles(dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...listSourceFiles(path))
    else if (entry.name.endsWith('.ts')) files.push(path)
  }
  return files.sort()
}
