// Reads uvu's summary (Total, Passed, Skipped) from a test run's output, the same way for every
// runtime, so that the numbers are comparable. A run that printed no summary crashed before it
// could report: it counts as one failed test.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

export function countUvu(output, status) {
  const text = output.replace(ANSI, '')
  const count = (label) => Number(text.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'))?.[1] ?? Number.NaN)
  const total = count('Total')
  const passed = count('Passed')
  const skipped = count('Skipped')
  if (!Number.isFinite(total) || !Number.isFinite(passed)) {
    return { passed: 0, failed: 1, skipped: 0, total: 1, problem: 'the test runner did not report totals' }
  }
  const skip = Number.isFinite(skipped) ? skipped : 0
  // uvu's Total counts the tests that ran; skipped ones are apart.
  const failed = total - passed
  const problem = status !== 0 && failed === 0 ? `the test process exited with ${status}` : null
  return { passed, failed, skipped: skip, total, problem }
}
