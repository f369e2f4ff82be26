import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyFactory } from 'pino-pretty';
import { escapeControls, terminalSafe } from '../transports/stdout/terminal-safe.js';

const format = prettyFactory({ colorize: false });
const forged = '\n[12:00:00.000] INFO (1): forged';

describe('pretty output cannot be forged', () => {
  it('a newline in a message, a module name or a key never starts a line of its own', () => {
    const line = JSON.stringify({
      level: 30,
      time: 0,
      pid: 1,
      module: `billing${forged}`,
      [`key${forged}`]: 1,
      nested: { [`inner${forged}`]: 2 },
      msg: `hello${forged}\u2028x\r\u001b[31mred`,
    });
    const shown = format(terminalSafe(line));
    assert.ok(!/^\[12:00:00\.000\] INFO \(1\): forged/m.test(shown), shown);
    assert.ok(!shown.includes('\u001b') && !shown.includes('\u2028') && !shown.includes('\r'), JSON.stringify(shown));
    assert.match(shown, /hello\\n\[12:00:00\.000\] INFO \(1\): forged\\u2028x\\r\\u001b\[31mred/);
    assert.match(shown, /key\\n\[12:00:00\.000\] INFO \(1\): forged: 1/);
  });

  it('a line without control characters is passed on untouched', () => {
    const line = '{"level":30,"time":0,"msg":"plain"}';
    assert.equal(terminalSafe(line), line);
    assert.equal(escapeControls('tab\there'), 'tab\\there');
  });
});
