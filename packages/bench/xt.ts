import { benchText } from './src/text.ts'
for (const r of benchText({ rounds: 5, roundMs: 200 })) console.log(r.messageBytes, Math.round(r.ours.medianOpsPerSecond * r.messagesPerOp), Math.round(r.peer.medianOpsPerSecond * r.messagesPerOp), r.ratio.toFixed(2))
