/**
 * Packs workspace packages the way they are published and installs them into a fresh project,
 * so tests can use them exactly as a user gets them.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface CommandResult {
  status: number
  stdout: string
  stderr: string
}

/** Runs a command to completion and captures its output; never throws for a non-zero exit. */
export function runCommand(command: string, args: readonly string[], cwd: string): CommandResult {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  return {
    status: result.error ? -1 : (result.status ?? -1),
    stdout: result.stdout ?? '',
    stderr: result.error ? result.error.message : (result.stderr ?? ''),
  }
}

/** Like `runCommand`, but throws with the command's output when it fails. */
export function runOrThrow(command: string, args: readonly string[], cwd: string): string {
  const result = runCommand(command, args, cwd)
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}) in ${cwd}\n${result.stdout}\n${result.stderr}`,
    )
  }
  return result.stdout
}

/** `pnpm pack` (which runs the package's prepack build) into `destination`; returns the tarball path. */
export function packPackage(packageDir: string, destination: string): string {
  mkdirSync(destination, { recursive: true })
  const before = new Set(readdirSync(destination))
  runOrThrow('pnpm', ['pack', '--pack-destination', destination], packageDir)
  const created = readdirSync(destination).filter((name) => name.endsWith('.tgz') && !before.has(name))
  if (created.length !== 1) throw new Error(`pnpm pack in ${packageDir} made ${created.length} tarballs`)
  return join(destination, created[0] as string)
}

/** Lists the files inside a package tarball, without the leading `package/`. */
export function tarballFiles(tarball: string): string[] {
  return runOrThrow('tar', ['-tzf', tarball], '/')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^package\//, ''))
    .sort()
}

/** Reads the package.json inside a tarball, as published (workspace: ranges already replaced). */
export function tarballManifest(tarball: string): Record<string, unknown> {
  return JSON.parse(runOrThrow('tar', ['-xzOf', tarball, 'package/package.json'], '/'))
}

/**
 * Creates a fresh project in `projectDir` and installs the tarballs into it with npm, offline:
 * the packages have no third-party runtime dependencies, so nothing needs the network.
 */
export function installIntoFreshProject(projectDir: string, tarballs: readonly string[]): void {
  mkdirSync(projectDir, { recursive: true })
  writeFileSync(
    join(projectDir, 'package.json'),
    `${JSON.stringify({ name: 'fresh-consumer', version: '1.0.0', private: true }, null, 2)}\n`,
  )
  runOrThrow(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...tarballs],
    projectDir,
  )
}
