/**
 * ws's optional native add-on, bufferutil (masking and unmasking in C++). ws loads it when it is
 * installed unless WS_NO_BUFFER_UTIL is set when ws is loaded, so the "without" variant of a
 * scenario runs in a child process (addon-process.ts) whose environment sets it.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { BuildRow } from './building.ts'
import { spawnChild, withChildren } from './child.ts'
import type { FrameRow } from './frames.ts'
import type { MeasureOptions } from './harness.ts'
import type { TextRow } from './text.ts'

export type WsAddon = 'bufferutil' | 'none'

/** Whether ws, as loaded in this process, uses bufferutil. */
export function wsAddon(env: NodeJS.ProcessEnv = process.env): WsAddon {
  if (env.WS_NO_BUFFER_UTIL) return 'none'
  try {
    const fromWs = createRequire(createRequire(import.meta.url).resolve('ws'))
    const addon = fromWs('bufferutil') as { mask?: unknown }
    return typeof addon.mask === 'function' ? 'bufferutil' : 'none'
  } catch {
    return 'none'
  }
}

export interface AddonRows {
  frames: FrameRow[]
  building: BuildRow[]
  text: TextRow[]
}

export const ADDON_SCRIPT = join(import.meta.dirname, 'addon-process.ts')

/** Sizes per scenario for the child (each scenario's defaults when left out). */
export interface AddonSizes {
  frames?: readonly number[]
  building?: readonly number[]
  text?: readonly number[]
}

/**
 * Runs the scenarios where bufferutil matters (frame parsing with `options`, frame building and
 * text with `later`) in one child process where ws does not load it. Resolves with undefined when this process's ws has no
 * add-on either (bufferutil not installed): there is nothing to compare, the main rows already
 * are the "without" ones.
 */
export function withoutAddon(
  options: MeasureOptions,
  sizes: AddonSizes = {},
  later: MeasureOptions = options,
): Promise<AddonRows | undefined> {
  if (wsAddon() === 'none') return Promise.resolve(undefined)
  return withChildren(async (children) => {
    const child = await spawnChild(ADDON_SCRIPT, [JSON.stringify({ options, later, sizes })], {
      env: { ...process.env, WS_NO_BUFFER_UTIL: '1' },
      timeoutMs: 600_000,
    })
    children.push(child)
    const { addon, rows, error } = child.hello as { addon?: WsAddon; rows?: AddonRows; error?: string }
    if (error !== undefined || addon !== 'none' || rows === undefined) {
      throw new Error(`the run without bufferutil failed: ${error ?? `ws add-on ${addon}`}`)
    }
    return rows
  })
}
