// Runs every compiled test file with node's built-in runner. Listing the files here keeps
// one command working on Node 20 (no globs in --test) and on Node 22+ alike.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'dist', 'test');
if (!existsSync(root)) {
  console.error('dist/test is missing: run `npm run build` first (npm test does it for you)');
  process.exit(1);
}
const only = process.argv.slice(2);
const files = readdirSync(root)
  .filter((name) => name.endsWith('.test.js'))
  .filter((name) => only.length === 0 || only.some((part) => name.includes(part)))
  .sort()
  .map((name) => join(root, name));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(result.status ?? 1);
