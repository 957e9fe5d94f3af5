/**
 * The interactive mode of `wsx connect`, when stdin and stdout are a terminal: a prompt (node:
 * readline, with line editing and history), messages received printed above it without breaking
 * the line being typed, colours unless NO_COLOR is set, and slash commands.
 */
import { createInterface, type Interface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { isValidWireCloseCode, MAX_CLOSE_REASON_BYTES } from '@ws/proto'
import type { ConnectSettings } from './args.ts'
import type { Input, InputHandlers, Outgoing } from './connect-input.ts'
import type { Sink, Style } from './connect-output.ts'
import { decode, ENCODING_WORDS } from './encoding.ts'

export interface TerminalIo {
  stdin: Readable
  stdout: Writable
  env?: NodeJS.ProcessEnv
}

/** Interactive when both ends are a terminal, and the input is lines (not --binary, not --jsonl). */
export function isInteractive(
  io: TerminalIo,
  settings: Pick<ConnectSettings, 'input' | 'jsonl'> = { input: 'lines', jsonl: false },
): boolean {
  const tty = (stream: unknown): boolean => (stream as { isTTY?: boolean }).isTTY === true
  return tty(io.stdin) && tty(io.stdout) && settings.input !== 'binary' && !settings.jsonl
}

/** Colours are used unless NO_COLOR is set to a non-empty value (https://no-color.org). */
export function useColour(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR ?? '') === ''
}

const COLOURS: Record<Style, string> = {
  text: '',
  binary: '\x1b[36m',
  control: '\x1b[35m',
  error: '\x1b[31m',
  info: '\x1b[33m',
}
const RESET = '\x1b[0m'

export const SLASH_HELP = [
  'Type a line to send it as a text message. Commands:',
  '  /ping [text]             send a ping (the pong shows with --show-control)',
  '  /close [code [reason]]   close with a code (default 1000) and a reason, then exit',
  '  /binary HEX              send a binary message, e.g. /binary 48 69 ff',
  '  /quit                    close with 1000 and exit (so does Ctrl-D)',
  '  /help                    this help',
  '  //text                   send "/text" (a line that starts with a slash)',
]

/** Parses one typed line: a message to send, or a slash command. */
export function parseTyped(
  line: string,
  mode: 'lines' | 'hex' | 'base64',
): Outgoing | { kind: 'help' } | { kind: 'error'; message: string } {
  if (!line.startsWith('/') || line.startsWith('//')) {
    const text = line.startsWith('//') ? line.slice(1) : line
    if (mode === 'lines') return { kind: 'text', data: text }
    const data = decode(text, mode)
    return data === undefined
      ? { kind: 'error', message: `not valid ${ENCODING_WORDS[mode]}: not sent` }
      : { kind: 'binary', data }
  }
  const match = /^\/(\S*)\s*(.*)$/.exec(line) as RegExpExecArray
  const [, name, rest] = match as unknown as [string, string, string]
  switch (name) {
    case 'ping':
      if (Buffer.byteLength(rest) > 125) return { kind: 'error', message: 'a ping carries at most 125 bytes' }
      return { kind: 'ping', data: rest }
    case 'quit':
      return { kind: 'close', code: 1000, reason: '' }
    case 'help':
      return { kind: 'help' }
    case 'binary': {
      const data = decode(rest, 'hex')
      return data === undefined
        ? { kind: 'error', message: `/binary needs ${ENCODING_WORDS.hex}` }
        : { kind: 'binary', data }
    }
    case 'close': {
      const [, codeText = '', reason = ''] = /^(\S*)\s*(.*)$/.exec(rest) as unknown as [
        string,
        string,
        string,
      ]
      const code = codeText === '' ? 1000 : /^\d+$/.test(codeText) ? Number(codeText) : Number.NaN
      if (!isValidWireCloseCode(code)) {
        return {
          kind: 'error',
          message: `/close: '${codeText}' is not a close code to send (1000, 3000-4999, ...)`,
        }
      }
      if (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) {
        return { kind: 'error', message: `/close: the reason is longer than ${MAX_CLOSE_REASON_BYTES} bytes` }
      }
      return { kind: 'close', code, reason }
    }
    default:
      return { kind: 'error', message: `unknown command '/${name}': /help lists them` }
  }
}

/** The prompt, the screen and the typed lines; `close` puts the terminal back. */
export function startTerminal(
  io: TerminalIo,
  settings: ConnectSettings,
): { sink: Sink; input: Input; close: () => void } {
  const colour = useColour(io.env ?? process.env)
  const paint = (text: string, style: Style): string =>
    colour && COLOURS[style] !== '' ? `${COLOURS[style]}${text}${RESET}` : text
  let rl: Interface | undefined
  let stopped = false
  const decoder = new TextDecoder()
  /** Prints above the prompt: clear the prompt's line, print, draw the prompt and the typed text again. */
  const print = (text: string, style: Style): void => {
    const body = text.endsWith('\n') ? text.slice(0, -1) : text
    if (rl === undefined || stopped) {
      io.stdout.write(`${paint(body, style)}\n`)
      return
    }
    io.stdout.write(`\r\x1b[2K${paint(body, style)}\n`)
    rl.prompt(true)
  }
  const sink: Sink = {
    out: (data, style) => {
      print(typeof data === 'string' ? data : decoder.decode(data), style)
      return undefined
    },
    err: (line, style) => print(line, style),
  }
  const mode = settings.input === 'binary' ? 'lines' : settings.input
  const input: Input = {
    start(handlers: InputHandlers) {
      rl = createInterface({
        input: io.stdin,
        output: io.stdout,
        terminal: true,
        prompt: colour ? '\x1b[1;32m>\x1b[0m ' : '> ',
      })
      rl.on('line', (line) => {
        const typed = parseTyped(line, mode)
        if (typed.kind === 'help') for (const help of SLASH_HELP) print(help, 'info')
        else if (typed.kind === 'error') print(`wsx: ${typed.message}`, 'error')
        else handlers.item(typed)
        if (!stopped) rl?.prompt()
      })
      // Ctrl-D on an empty line, or the end of the input; Ctrl-C does the same.
      rl.on('close', () => {
        if (!stopped) handlers.end()
      })
      rl.on('SIGINT', () => rl?.close())
      rl.prompt()
    },
    pause: () => rl?.pause(),
    resume: () => rl?.resume(),
    stop() {
      if (stopped) return
      stopped = true
      if (rl !== undefined) {
        io.stdout.write('\r\x1b[2K')
        rl.close()
      }
    },
  }
  return { sink, input, close: () => input.stop() }
}
