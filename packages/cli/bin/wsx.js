#!/usr/bin/env node
// The `wsx` command. The code is built by tsup into ../dist (run `pnpm build` first).
import { main } from '../dist/main.js'

main()
