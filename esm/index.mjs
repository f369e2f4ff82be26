// ES module entry: re-exports the one CommonJS build, so `import` and `require` in the same
// app share one root logger and one worker thread (no dual-package hazard). Node finds the
// names statically in tsc's CommonJS output (cjs-module-lexer), so they are not listed here;
// test/public-surface.test.ts checks both entries carry the same names.
export * from '../dist/src/index.js';
