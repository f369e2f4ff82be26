import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { runFixture } from './support/run-fixture.js';

// An app bundled with the real esbuild API where the optional peer `@opentelemetry/api` is
// not installed: logferry's compiled files are copied into a temporary project whose only
// node_modules entries are pino and thread-stream (linked), so esbuild cannot resolve the peer
// from anywhere. No `external` is set: the build must succeed because logferry's lazy load is
// invisible to it.

const projectRoot = join(__dirname, '..', '..');
let project: string;

const APP = `const { createLogger, flushLogs } = require('./logferry/dist/src/index.js');
require('./logferry/dist/src/integrations/http.js');
require('./logferry/dist/src/integrations/fastify.js');
createLogger('bundled').info('no tracing here');
flushLogs(5000).then(() => process.stderr.write('flushed\\n'));
`;

describe('an app bundled without the optional @opentelemetry/api', () => {
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'logferry-no-otel-'));
    cpSync(join(projectRoot, 'dist', 'src'), join(project, 'logferry', 'dist', 'src'), { recursive: true });
    mkdirSync(join(project, 'node_modules'));
    for (const name of ['pino', 'thread-stream']) {
      symlinkSync(join(projectRoot, 'node_modules', name), join(project, 'node_modules', name), 'dir');
    }
    writeFileSync(join(project, 'app.cjs'), APP);
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('builds with esbuild (no external set), and the bundle runs without trace ids', async () => {
    const outfile = join(project, 'out', 'app.js');
    const result = await build({
      absWorkingDir: project,
      entryPoints: ['app.cjs'],
      bundle: true,
      platform: 'node',
      outfile,
      logLevel: 'silent',
      metafile: true,
    });
    assert.deepEqual(result.errors, []);
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(
      inputs.some((input) => input.endsWith('trace-ids.js')),
      'the bundle holds logferry',
    );
    assert.ok(!inputs.some((input) => input.includes('@opentelemetry')), 'nothing of @opentelemetry was bundled');
    // The bundle runs from a folder where the peer cannot be found either: no trace ids, no failure.
    const run = await runFixture(outfile, { cwd: project, env: { LOG_LEVEL: 'info', NODE_ENV: 'production' } });
    assert.equal(run.code, 0, run.stderr);
    const line = JSON.parse(
      run.stdout
        .trim()
        .split('\n')
        .find((text) => text.includes('no tracing here')) ?? 'null',
    );
    assert.equal(line?.msg, 'no tracing here');
    assert.equal(line?.trace_id, undefined);
  });
});
