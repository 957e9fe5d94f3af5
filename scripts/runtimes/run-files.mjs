// Runs uvu test files the way uvu's own CLI does (UVU_DEFER, one UVU_QUEUE group per file), then
// prints uvu's usual summary (Total, Passed, Skipped), which the harness parses. Shared by Deno,
// Bun and the Chromium page. A file that fails to load becomes one failing test, so it is counted.

/** `files` is a list of [name, load], where load() imports the test file. */
export async function runFiles(files) {
  globalThis.UVU_DEFER = 1
  const uvu = await import('uvu')
  for (const [index, [name, load]] of files.entries()) {
    globalThis.UVU_INDEX = index
    globalThis.UVU_QUEUE.push([name])
    globalThis.WS_CURRENT_FILE = name
    try {
      await load()
    } catch (error) {
      const failed = uvu.suite(`could not load ${name}`)
      failed('loads', () => {
        throw error
      })
      failed.run()
    }
  }
  // Exclusions (browser bundles only) for these files that matched no test are stale: fail them.
  const names = new Set(files.map(([name]) => name))
  const unused = [...(globalThis.WS_EXCLUSIONS_UNUSED?.values() ?? [])].filter((entry) =>
    names.has(entry.file),
  )
  if (unused.length > 0) {
    globalThis.UVU_INDEX = files.length
    globalThis.UVU_QUEUE.push(['exclusions'])
    const stale = uvu.suite('exclusions')
    for (const entry of unused)
      stale(`excluded test exists: ${entry.file} › ${entry.test}`, () => {
        throw new Error('no such test: remove or fix this entry in scripts/runtimes/exclusions.mjs')
      })
    stale.run()
  }
  for (const entry of globalThis.WS_EXCLUDED ?? [])
    console.log(`not run in ${globalThis.WS_RUNTIME}: ${entry.file} › ${entry.test}: ${entry.reason}\n`)
  await uvu.exec()
}
