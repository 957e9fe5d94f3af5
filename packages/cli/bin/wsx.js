#!/usr/bin/env node
// The `wsx` command. The code is built by tsup into ../dist (`pnpm install` at the repository
// root builds it; so does `pnpm build`).
import { existsSync } from 'node:fs'

const built = new URL('../dist/main.js', import.meta.url)
if (!existsSync(built)) {
  console.error('wsx: not built yet: run `pnpm build` at the repository root')
  process.exit(1)
}
const { main } = await import(built.href)
main()
