/** The wait before reconnection attempt `attempt` (1, 2, ...): exponential back-off with jitter. */

/** The first wait, before jitter. */
export const FIRST_DELAY = 250
/** No wait is longer than this. */
export const MAX_DELAY = 15_000

/**
 * FIRST_DELAY doubled for each attempt after the first, capped at MAX_DELAY, then a random part
 * of it taken off (at most half), so that many clients cut off together do not all come back in
 * the same instant. `random` is for tests.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** Math.min(attempt - 1, 30))
  return Math.round(ceiling * (1 - random() / 2))
}
