import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { benchFanout, FANOUT_QUICK } from '../src/fanout.ts'
import { SMOKE } from '../src/harness.ts'

test('fan-out: both servers deliver every byte to every raw client; the row is complete', async () => {
  const row = await benchFanout(SMOKE, { ...FANOUT_QUICK, clients: 8, count: 3 })
  assert.is(row.clients, 8)
  // 3 messages of 1,024 bytes, each in a frame with a 4-byte header, checked at every client.
  assert.is(row.checkedBytes, 3 * 1028)
  assert.ok(row.ours.medianOpsPerSecond > 0 && row.peer.medianOpsPerSecond > 0)
  assert.ok(Number.isFinite(row.ratio) && row.ratio > 0)
})

test.run()
