// Tests that cannot run in a runtime, with the reason. They are registered with uvu's skip there,
// so they count as skipped, never as passed; an entry that matches no test fails the run.
// (In Chromium, a test file that reaches a Node built-in without a browser stand-in, such as
// node:net, is left out automatically and listed with the built-ins it needs: see main.mjs.)
// Files are relative to the workspace root; `test` is the name given to uvu. An entry without
// `test` leaves the whole file out of that runtime: its tests are not run there, and not counted.
export const EXCLUSIONS = [
  {
    runtime: 'chromium',
    file: 'packages/deflate/test/errors.test.ts',
    test: 'a bomb stops at the limit with bounded memory; without a limit it streams in fixed memory',
    reason: 'measures memory with process.memoryUsage(), which a browser page does not have',
  },
  {
    runtime: 'chromium',
    file: 'packages/proto/test/permessage-deflate.test.ts',
    test: 'a deflate bomb gets 1009 while inflating, with memory bounded',
    reason: 'measures memory with process.memoryUsage(), which a browser page does not have',
  },
  {
    runtime: 'deno',
    file: 'packages/deflate/test/round-trip.test.ts',
    test: 'at level 6 the compressed size stays within 1% of zlib level 6 at the same window and memLevel',
    reason:
      "Deno's node:zlib is not Node's zlib: the same input at level 6 gives other sizes (a 2.3 KB text: 116 bytes in Deno and Bun, 104 in Node), so it is no measure of ours",
  },
  {
    runtime: 'bun',
    file: 'packages/deflate/test/round-trip.test.ts',
    test: 'at level 6 the compressed size stays within 1% of zlib level 6 at the same window and memLevel',
    reason:
      "Bun's node:zlib is not Node's zlib: the same input at level 6 gives other sizes (a 2.3 KB text: 116 bytes in Deno and Bun, 104 in Node), so it is no measure of ours",
  },
  {
    runtime: 'bun',
    file: 'packages/proto/test/permessage-deflate.test.ts',
    test: 'a deflate bomb gets 1009 while inflating, with memory bounded',
    reason:
      "Bun's process.memoryUsage() counts the test's own 100 MiB input as growth (+101 MB in 2 of 3 runs); the same steps measured alone grow by 0.1 MB",
  },
]

export const exclusionsFor = (runtime) => EXCLUSIONS.filter((entry) => entry.runtime === runtime)

/** Single tests left out of a runtime (whole files: fileExclusionsFor). */
export const testExclusionsFor = (runtime) => exclusionsFor(runtime).filter((entry) => entry.test)

/** Whole files left out of a runtime. */
export const fileExclusionsFor = (runtime) => exclusionsFor(runtime).filter((entry) => !entry.test)
