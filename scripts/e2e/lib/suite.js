'use strict';
// One node per test file, shared by all tests of that file.
//
//   const { useNode } = require('../lib/suite');
//   const ctx = useNode();            // registers before/afterEach/after hooks
//   test('x', async () => { await ctx.api.query.system.number(); });
//
// Call useNode() once, at the top level of the test file.

const { before, after, afterEach } = require('node:test');
const { startNode, devKeyring } = require('./node');

const LOG_TAIL_LINES = 80;

/**
 * @param {object} [opts] passed to startNode()
 * @returns {{node, api, keyring, alice, bob, charlie, dave, eve, ferdie}}
 *          filled in by the before() hook, so read it inside tests only.
 */
function useNode(opts = {}) {
  const ctx = {};
  const readyTimeoutMs = opts.readyTimeoutMs ?? Number(process.env.IOT_E2E_READY_TIMEOUT_MS || 120_000);

  before(async () => {
    try {
      ctx.node = await startNode(opts);
    } catch (e) {
      // node:test repeats a before() error for every test of the file, so
      // print the long message (with the log tail) once and fail with a short one.
      process.stderr.write(`\n${e.message}\n`);
      throw new Error(`iot-node startup failed${e.logTail ? ' (log tail printed above)' : ''}: ${e.reason || e.message}`);
    }
    ctx.api = ctx.node.api;
    Object.assign(ctx, await devKeyring());
  }, { timeout: readyTimeoutMs + 60_000 }); // + time for stopping a node that never got ready

  // Dump the log right at the failure, while its tail still shows what the
  // node was doing then. `t.passed` needs Node >= 20.12.
  afterEach((t) => {
    if (t.passed === false && ctx.node) {
      process.stderr.write(
        `\n--- iot-node log, last ${LOG_TAIL_LINES} lines, after failed test "${t.name}" (${ctx.node.logPath}) ---\n` +
        `${ctx.node.logTail(LOG_TAIL_LINES)}\n--- end of iot-node log ---\n`);
    }
  });

  after(async () => {
    if (ctx.node) await ctx.node.stop();
  });

  return ctx;
}

module.exports = { useNode };
