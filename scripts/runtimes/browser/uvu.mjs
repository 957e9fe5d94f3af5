// Stands in for uvu in test bundles and under Deno (import map): the real uvu, with the tests
// listed for this runtime in exclusions.mjs registered as skipped (see uvu-exclusions.mjs).
import * as uvu from 'uvu'
import { wrapUvu } from './uvu-exclusions.mjs'

const wrapped = wrapUvu(uvu)
export const exec = uvu.exec
export const test = wrapped.test
export const suite = wrapped.suite
