/** Entry point of `pnpm fuzz`: see cli.ts. */
import { main } from './cli.ts'

process.exitCode = main(process.argv.slice(2))
