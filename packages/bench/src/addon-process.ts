/**
 * A child process for addon.ts, started with WS_NO_BUFFER_UTIL=1:
 * `addon-process.ts '{"options": {...}, "later": {...}, "sizes": {"frames": [...], ...}}'` runs the frame
 * parsing, frame building and text scenarios and prints `{"addon": ..., "rows": {...}}`, or
 * `{"error": ...}`, as one JSON line; it exits when its stdin ends.
 */
import type { AddonSizes } from './addon.ts'
import { wsAddon } from './addon.ts'
import { benchBuilding } from './building.ts'
import { serveCommands } from './child.ts'
import { benchFrames } from './frames.ts'
import type { MeasureOptions } from './harness.ts'
import { benchText } from './text.ts'

let answer: unknown
try {
  const { options, later, sizes } = JSON.parse(process.argv[2] ?? '') as {
    options: MeasureOptions
    later: MeasureOptions
    sizes: AddonSizes
  }
  answer = {
    addon: wsAddon(),
    rows: {
      frames: benchFrames(options, sizes.frames),
      building: benchBuilding(later, sizes.building),
      text: benchText(later, sizes.text),
    },
  }
} catch (error) {
  answer = { error: String(error) }
}
serveCommands(() => ({}))
process.stdout.write(`${JSON.stringify(answer)}\n`)
