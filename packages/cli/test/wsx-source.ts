// Runs wsx from its TypeScript sources (node --import tsx test/wsx-source.ts ARGS...), so that
// c8 sees the coverage of the subprocesses the end-to-end tests start.
import { main } from '../src/main.ts'

void main()
