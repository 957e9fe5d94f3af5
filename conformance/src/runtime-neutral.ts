/**
 * Checks that a package's source could run in any JavaScript runtime: it imports no Node module,
 * touches no Node global and sets no timer, and its build runs in a context that has none of them.
 */
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join } from 'node:path'
import { createContext, runInContext } from 'node:vm'
import ts from 'typescript'
import { exportedFiles } from './workspace.ts'

/** Globals a runtime-neutral package must not touch: Node's, CommonJS's, and timers (DESIGN.md). */
export const FORBIDDEN_GLOBALS: ReadonlySet<string> = new Set([
  'Buffer',
  'process',
  'global',
  'require',
  'module',
  'exports',
  '__dirname',
  '__filename',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
])

const NODE_BUILTINS: ReadonlySet<string> = new Set(builtinModules)

export interface Finding {
  file: string
  line: number
  what: string
}

/** True when `specifier` names a Node built-in module (`node:fs`, `fs`, `fs/promises`, ...). */
export function isNodeModule(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0] ?? '')
}

/** True when `node` is an identifier used as a value or type reference, not a property name. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false
  if (ts.isQualifiedName(parent) && parent.right === node) return false
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessor(parent) ||
      ts.isSetAccessor(parent) ||
      ts.isEnumMember(parent)) &&
    parent.name === node
  ) {
    return false
  }
  return true
}

/** Finds Node imports and Node globals in one TypeScript source text. Comments and strings are ignored. */
export function scanSource(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)
  const findings: Finding[] = []
  const report = (node: ts.Node, what: string): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
    findings.push({ file, line, what })
  }
  const checkSpecifier = (node: ts.Node, specifier: ts.Expression | undefined): void => {
    if (specifier && ts.isStringLiteralLike(specifier) && isNodeModule(specifier.text)) {
      report(node, `imports the Node module '${specifier.text}'`)
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      checkSpecifier(node, node.moduleSpecifier)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      checkSpecifier(node, node.arguments[0])
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument
      if (ts.isLiteralTypeNode(argument)) checkSpecifier(node, argument.literal)
    } else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text) && isReference(node)) {
      report(node, `uses the Node global '${node.text}'`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return findings
}

/** Scans every given file. */
export function scanFiles(files: readonly string[]): Finding[] {
  return files.flatMap((file) => scanSource(file, readFileSync(file, 'utf8')))
}

export interface CompileResult {
  options: ts.CompilerOptions
  errors: string[]
}

/** Reads a tsconfig.json the way `tsc -p` does. Throws if the file itself is broken. */
export function readCompilerOptions(tsconfigPath: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfigPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
      },
    },
  )
  if (!parsed) throw new Error(`cannot read ${tsconfigPath}`)
  return parsed
}

/**
 * Type-checks `rootNames` with the compiler options of `tsconfigPath` and returns the errors as
 * text. Used both on a package's own sources and on a canary file that must fail.
 */
export function typeCheck(tsconfigPath: string, rootNames?: readonly string[]): CompileResult {
  const parsed = readCompilerOptions(tsconfigPath)
  const program = ts.createProgram({
    rootNames: rootNames ?? parsed.fileNames,
    options: { ...parsed.options, noEmit: true },
  })
  const errors = ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
  return { options: parsed.options, errors }
}

/**
 * Loads a package's CommonJS build into a fresh V8 context that has only the language's own
 * globals plus the few web-standard ones listed in `webGlobals`: no `Buffer`, `process`,
 * `setTimeout` or Node `require`. Workspace packages it requires (`@ws/<folder>` and their
 * subpaths, through each manifest's exports map) are loaded the same way from `packagesDir`, and
 * so are the build's own chunks (`./chunk-*.cjs` beside the file); anything else fails. Returns
 * the module's exports.
 */
export function loadInBareContext(
  packagesDir: string,
  folder: string,
  webGlobals: Record<string, unknown> = {},
): Record<string, unknown> {
  const context = createContext({ ...webGlobals })
  const cache = new Map<string, Record<string, unknown>>()
  /** The CommonJS file of `@ws/<name>` or of its subpath `./<subpath>`, from the exports map. */
  const entryFile = (name: string, subpath: string): string => {
    const file = exportedFiles(join(packagesDir, name), 'require').get(subpath)
    if (file === undefined) throw new Error(`@ws/${name} has no CommonJS entry for '${subpath}'`)
    return file
  }
  const load = (file: string): Record<string, unknown> => {
    const cached = cache.get(file)
    if (cached) return cached
    const module = { exports: {} as Record<string, unknown> }
    cache.set(file, module.exports)
    const bareRequire = (specifier: string): unknown => {
      if (/^\.\/chunk-[A-Za-z0-9_-]+\.cjs$/.test(specifier)) return load(join(dirname(file), specifier))
      const match = /^@ws\/([a-z0-9-]+)(\/[a-z0-9-]+)?$/.exec(specifier)
      if (!match?.[1])
        throw new Error(`${file} requires '${specifier}', which a runtime-neutral build may not`)
      return load(entryFile(match[1], `.${match[2] ?? ''}`))
    }
    const wrapper = runInContext(
      `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
      context,
      { filename: file },
    ) as (...args: unknown[]) => void
    wrapper(module.exports, bareRequire, module, file, dirname(file))
    cache.set(file, module.exports)
    return module.exports
  }
  return load(entryFile(folder, '.'))
}
