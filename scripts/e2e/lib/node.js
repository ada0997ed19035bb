'use strict';
// Harness for end-to-end tests against a real `iot-node --dev` process.
//
// Every test file starts its own node (see lib/suite.js), so tests never
// depend on chain state left behind by another file.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { ApiPromise, WsProvider } = require('@polkadot/api');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady, mnemonicGenerate } = require('@polkadot/util-crypto');

const env = process.env;

/** Custom RPCs served by iot-node, decorated onto `api.rpc`. */
const IOT_RPC = {
  iot: {
    nodeInfo: {
      description: 'Node name, version, para id, mode ("dev" | "collator") and chain',
      params: [],
      type: 'Json',
    },
  },
};

const DEV_ACCOUNTS = ['alice', 'bob', 'charlie', 'dave', 'eve', 'ferdie'];

function intFromEnv(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

const DEFAULT_TX_TIMEOUT_MS = intFromEnv('IOT_E2E_TX_TIMEOUT_MS', 60_000);

/** Path of the node binary: $IOT_NODE_BIN or the cargo debug build. */
function nodeBinary() {
  if (env.IOT_NODE_BIN) return env.IOT_NODE_BIN;
  const target = env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache/iot-parachain/target');
  return path.join(target, 'debug', 'iot-node');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with `message` (a string or a function giving one) unless `promise` settles within `ms`. */
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const text = typeof message === 'function' ? message() : message;
      reject(new Error(`${text} (timed out after ${ms} ms)`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Distinct free TCP ports. All listeners stay open until every port is known,
 * so the OS cannot hand out the same port twice. Binding without a host checks
 * the wildcard address, which is what the p2p port listens on.
 */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, resolve);
      });
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
  }
}

function readTail(file, lines) {
  let text;
  try {
    // Only the end of the file matters; cap the read for long runs.
    const fd = fs.openSync(file, 'r');
    try {
      const { size } = fs.fstatSync(fd);
      const length = Math.min(size, 512 * 1024);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, size - length);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return `<cannot read ${file}: ${e.message}>`;
  }
  return text.replace(/\n$/, '').split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------
// Emergency cleanup: whatever happens to the test process, no node survives it.
// ---------------------------------------------------------------------------

const running = new Set(); // entries: { child, tmpDir, keep }

function killAllSync() {
  for (const entry of running) {
    try {
      entry.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    if (!entry.keep) {
      try {
        fs.rmSync(entry.tmpDir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // best effort: the node may still be exiting
      }
    }
  }
  running.clear();
}

let exitHooksInstalled = false;
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' also fires after an uncaught exception or unhandled rejection.
  process.on('exit', killAllSync);
  // A signal with a handler no longer terminates the process, so exit explicitly.
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.on(signal, () => {
      killAllSync();
      process.exit(128 + number);
    });
  }
}

// ---------------------------------------------------------------------------
// Node lifecycle
// ---------------------------------------------------------------------------

/** One JSON-RPC call over plain HTTP (the RPC port serves HTTP and WS). */
async function httpRpc(port, method, params = []) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/**
 * Connects an ApiPromise without auto-reconnect: with the default provider a
 * node that is gone makes polkadot.js retry forever and the test hang.
 */
async function connectApi(wsUrl, { rpc, apiOptions, timeoutMs }) {
  const provider = new WsProvider(wsUrl, false);
  let offError = () => {};
  try {
    const failed = new Promise((_, reject) => {
      offError = provider.on('error', (e) =>
        reject(new Error(`WebSocket error on ${wsUrl}: ${e?.message || e?.error?.message || e}`)));
    });
    await provider.connect();
    await withTimeout(Promise.race([provider.isReady, failed]), timeoutMs, `connecting to ${wsUrl}`);
    const api = ApiPromise.create({ provider, rpc, noInitWarn: true, throwOnConnect: true, ...apiOptions });
    return { provider, api: await withTimeout(Promise.race([api, failed]), timeoutMs, `initialising the API on ${wsUrl}`) };
  } catch (e) {
    await provider.disconnect().catch(() => {});
    throw e;
  } finally {
    offError();
  }
}

/**
 * Starts `iot-node --dev` on free ports in a fresh temp dir and connects an API.
 *
 * @param {object} [opts]
 * @param {string} [opts.bin]            node binary (default: nodeBinary())
 * @param {number} [opts.blockTimeMs]    --dev-block-time (default $IOT_E2E_BLOCK_TIME or 1000)
 * @param {number} [opts.readyTimeoutMs] max wait for RPC + blocks (default $IOT_E2E_READY_TIMEOUT_MS or 120000)
 * @param {number} [opts.minBlocks]      best block height to wait for (default 2)
 * @param {string[]} [opts.args]         extra CLI args, e.g. ['-lruntime=debug']
 * @param {object} [opts.env]            extra environment for the node
 * @param {object} [opts.rpc]            extra custom RPC definitions for polkadot.js
 * @param {object} [opts.apiOptions]     extra ApiPromise.create options (types, ...)
 * @param {boolean} [opts.keep]          keep the temp dir (default $IOT_E2E_KEEP=1)
 * @param {string} [opts.basePath]       the node's database directory (default: in the temp dir,
 *                                       removed on stop); the caller owns a directory it passes
 * `provider.send(method, params)` makes raw JSON-RPC calls.
 * @returns {Promise<{api, provider, wsUrl, httpUrl, ports, tmpDir, logPath, child,
 *                    logTail: (n?: number) => string, stop: () => Promise<void>}>}
 */
async function startNode(opts = {}) {
  const bin = opts.bin || nodeBinary();
  const blockTimeMs = opts.blockTimeMs ?? intFromEnv('IOT_E2E_BLOCK_TIME', 1000);
  const readyTimeoutMs = opts.readyTimeoutMs ?? intFromEnv('IOT_E2E_READY_TIMEOUT_MS', 120_000);
  const minBlocks = opts.minBlocks ?? 2;
  const keep = opts.keep ?? env.IOT_E2E_KEEP === '1';

  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`iot-node binary not found or not executable: ${bin}\n` +
      'Build it (cargo build -p iot-node) or point IOT_NODE_BIN at it.');
  }

  await cryptoWaitReady();
  installExitHooks();

  const [rpcPort, p2pPort, promPort] = await freePorts(3);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-e2e-'));
  const logPath = path.join(tmpDir, 'node.log');
  const args = [
    '--dev',
    '--dev-block-time', String(blockTimeMs),
    '--base-path', opts.basePath || path.join(tmpDir, 'data'),
    '--rpc-port', String(rpcPort),
    '--port', String(p2pPort),
    '--prometheus-port', String(promPort),
    '--no-telemetry',
    '--rpc-cors', 'all',
    ...(opts.args || []),
  ];

  // The node writes straight into the log file: no pipe to drain, and the
  // log survives this process for post-mortems (IOT_E2E_KEEP=1).
  const logFd = fs.openSync(logPath, 'a');
  fs.writeSync(logFd, `$ ${bin} ${args.join(' ')}\n`);
  const child = spawn(bin, args, {
    stdio: ['ignore', logFd, logFd],
    env: { ...env, ...opts.env },
  });
  fs.closeSync(logFd);

  const entry = { child, tmpDir, keep };
  running.add(entry);

  let exited = null; // set once the process is gone
  let ready = false; // before that, startNode reports an exit itself
  let stopping = false;
  const exitPromise = new Promise((resolve) => {
    child.once('error', (err) => { // spawn failure: 'exit' may never come
      exited = exited || { error: err };
      resolve(exited);
    });
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(entry);
      if (ready && !stopping) {
        process.stderr.write(`iot-node (pid ${child.pid}) exited unexpectedly: ${describeExit(exited)}; log: ${logPath}\n`);
      }
      resolve(exited);
    });
  });

  // Resolves with the exit info, or null after `ms`; clears its timer so a
  // pending timeout does not keep the test process alive.
  const exitWithin = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    exitPromise.then((info) => {
      clearTimeout(timer);
      resolve(info);
    });
  });

  const logTail = (n = 80) => readTail(logPath, n);
  const wsUrl = `ws://127.0.0.1:${rpcPort}`;
  let api = null;
  let provider = null;

  let stopped = null;
  const stop = () => (stopped ??= doStop()); // idempotent, concurrent calls share one stop

  async function doStop() {
    stopping = true;
    if (api) await api.disconnect().catch(() => {});
    if (!exited) {
      child.kill('SIGTERM');
      if (!(await exitWithin(10_000))) {
        child.kill('SIGKILL');
        await exitWithin(5_000);
      }
    }
    running.delete(entry);
    if (keep) {
      process.stderr.write(`IOT_E2E_KEEP=1: node data and log kept in ${tmpDir}\n`);
    } else {
      try {
        fs.rmSync(tmpDir, { recursive: true, force: true, maxRetries: 3 });
      } catch (e) {
        process.stderr.write(`cannot remove ${tmpDir}: ${e.message}\n`);
      }
    }
  }

  // Startup failure: the error carries the log tail, since the temp dir
  // (and the log with it) is gone afterwards unless IOT_E2E_KEEP=1.
  const fail = async (reason) => {
    const tail = logTail(60);
    await stop();
    const err = new Error(`${reason}\n--- iot-node log, last 60 lines ---\n${tail}\n---`);
    Object.assign(err, { reason, logTail: tail, logPath: keep ? logPath : null });
    throw err;
  };

  // Phase 1: poll plain HTTP until the RPC answers and blocks are being built.
  // Racing against exitPromise makes a crashing node fail at once.
  const deadline = Date.now() + readyTimeoutMs;
  let height = -1;
  let lastError = 'no answer yet';
  while (height < minBlocks) {
    if (exited) return fail(`iot-node exited before it was ready: ${describeExit(exited)}`);
    if (Date.now() > deadline) {
      return fail(`iot-node not ready after ${readyTimeoutMs} ms ` +
        `(best block ${height < 0 ? 'unknown' : height}, want ${minBlocks}; last RPC error: ${lastError})`);
    }
    try {
      const header = await Promise.race([httpRpc(rpcPort, 'chain_getHeader'), exitPromise]);
      if (header && header.number) {
        height = parseInt(header.number, 16);
        lastError = 'none';
      }
    } catch (e) {
      lastError = e.cause?.code || e.message;
    }
    if (height < minBlocks) await Promise.race([sleep(250), exitPromise]);
  }

  // Phase 2: WebSocket API.
  try {
    ({ api, provider } = await connectApi(wsUrl, {
      rpc: { ...IOT_RPC, ...opts.rpc },
      apiOptions: opts.apiOptions,
      timeoutMs: 30_000,
    }));
  } catch (e) {
    return fail(`cannot connect the API: ${e.message}`);
  }
  ready = true;

  return {
    api,
    provider,
    wsUrl,
    httpUrl: `http://127.0.0.1:${rpcPort}`,
    ports: { rpc: rpcPort, p2p: p2pPort, prometheus: promPort },
    tmpDir,
    logPath,
    child,
    logTail,
    stop,
  };
}

function describeExit(exited) {
  if (exited.error) return `spawn failed: ${exited.error.message}`;
  return exited.signal ? `killed by ${exited.signal}` : `exit code ${exited.code}`;
}

// ---------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------

/**
 * sr25519 keyring (ss58 42) holding the dev accounts.
 * @returns {Promise<{keyring, alice, bob, charlie, dave, eve, ferdie}>}
 */
async function devKeyring() {
  await cryptoWaitReady(); // sr25519 lives in wasm
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const accounts = { keyring };
  for (const name of DEV_ACCOUNTS) {
    accounts[name] = keyring.addFromUri(`//${name[0].toUpperCase()}${name.slice(1)}`, { name });
  }
  return accounts;
}

/** A fresh, unfunded sr25519 account (so tests never share balances). */
function randomAccount(keyring) {
  return keyring.addFromUri(mnemonicGenerate());
}

// ---------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------

/**
 * Decodes a DispatchError into { name, module? }.
 * name is "pallet.Error" for module errors (e.g. "balances.DeltaZero"),
 * "token.FundsUnavailable" / "arithmetic.Underflow" for typed errors, or the
 * variant name ("BadOrigin").
 */
function decodeDispatchError(registry, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name, docs } = registry.findMetaError(dispatchError.asModule);
    return { name: `${section}.${name}`, module: { section, name, docs: docs.join(' ') } };
  }
  const inner = dispatchError.value;
  const type = dispatchError.type;
  const name = inner && typeof inner.type === 'string'
    ? `${type[0].toLowerCase()}${type.slice(1)}.${inner.type}`
    : type;
  return { name };
}

/**
 * Errors of calls dispatched *inside* a successful extrinsic (sudo.Sudid,
 * sudo.SudoAsDone, utility.DispatchedAs, proxy.ProxyExecuted... carry a
 * Result; utility.batch stops with BatchInterrupted). The extrinsic itself
 * succeeds, so without this check a failing sudo call would look like a pass.
 */
function nestedDispatchError(events) {
  for (const { event } of events) {
    if (event.section === 'utility' && event.method === 'BatchInterrupted') {
      return { event, dispatchError: event.data.error ?? event.data[1] };
    }
    for (const field of event.data) {
      if (field && field.isErr === true && field.asErr && typeof field.asErr.isModule === 'boolean') {
        return { event, dispatchError: field.asErr };
      }
    }
  }
  return null;
}

function txLabel(tx) {
  try {
    return `${tx.method.section}.${tx.method.method}`;
  } catch {
    return 'extrinsic';
  }
}

/**
 * Signs and submits `tx`, resolving once it is in a finalized block.
 *
 * Rejects if the transaction is invalid/dropped, if the extrinsic failed
 * (system.ExtrinsicFailed), if a nested dispatch failed (see
 * nestedDispatchError; disable with allowNestedErrors), or on timeout.
 * The rejection is an Error whose message contains the decoded error name and
 * which carries: dispatchError, errorName, module ({section, name, docs} for
 * module errors), events, result.
 *
 * @param tx      a SubmittableExtrinsic (api.tx.pallet.call(...))
 * @param signer  a KeyringPair
 * @param {object} [opts] { timeoutMs = $IOT_E2E_TX_TIMEOUT_MS or 60000,
 *                          allowNestedErrors = false, ...signAndSend options (nonce, tip) }
 * @returns {Promise<{blockHash, blockNumber, txHash, txIndex, events, result}>}
 */
function signAndFinalize(tx, signer, opts = {}) {
  const { timeoutMs = DEFAULT_TX_TIMEOUT_MS, allowNestedErrors = false, ...signOptions } = opts;
  const label = txLabel(tx);
  return new Promise((resolve, reject) => {
    let unsub = null;
    let settled = false;
    let lastStatus = 'not submitted';

    const finish = (err, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (unsub) unsub();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(
      `${label} not finalized within ${timeoutMs} ms (last status: ${lastStatus})`)), timeoutMs);

    const onStatus = (result) => {
      const { status } = result;
      lastStatus = status.type;
      if (result.internalError) {
        return finish(new Error(`${label}: ${result.internalError.message || result.internalError}`));
      }
      if (status.isInvalid || status.isDropped || status.isUsurped || status.isFinalityTimeout) {
        return finish(new Error(`${label}: transaction ${status.type}`));
      }
      if (!status.isFinalized) return;

      const failure = result.dispatchError
        ? { dispatchError: result.dispatchError, event: null }
        : allowNestedErrors ? null : nestedDispatchError(result.events);
      if (failure) {
        const { name, module } = decodeDispatchError(tx.registry, failure.dispatchError);
        const where = failure.event ? ` (in ${failure.event.section}.${failure.event.method})` : '';
        const err = new Error(`${label} failed${where}: ${name}${module?.docs ? ` - ${module.docs}` : ''}`);
        Object.assign(err, { dispatchError: failure.dispatchError, errorName: name, module, events: result.events, result });
        return finish(err);
      }
      finish(null, {
        blockHash: status.asFinalized,
        blockNumber: result.blockNumber?.toNumber?.(),
        txHash: result.txHash,
        txIndex: result.txIndex,
        events: result.events,
        result,
      });
    };

    tx.signAndSend(signer, signOptions, onStatus).then(
      (u) => {
        unsub = u;
        if (settled) u();
      },
      // Rejected by the pool at submission, e.g. "1010: Invalid Transaction: Inability to pay some fees".
      (e) => finish(new Error(`${label} rejected: ${e.message}`)),
    );
  });
}

/** Resolves with the finalized height once it is >= n. */
async function waitForFinalizedHeight(api, n, { timeoutMs = DEFAULT_TX_TIMEOUT_MS } = {}) {
  let unsub = null;
  let done = false;
  let last = -1;
  const reached = new Promise((resolve, reject) => {
    api.rpc.chain.subscribeFinalizedHeads((header) => {
      last = header.number.toNumber();
      if (last >= n) resolve(last);
    }).then((u) => {
      unsub = u;
      if (done) u(); // we already gave up before the subscription was set up
    }, (e) => reject(new Error(`waiting for finalized height ${n}: ${e.message}`)));
  });
  try {
    return await withTimeout(reached, timeoutMs, () => `finalized height ${n} not reached (last seen ${last})`);
  } finally {
    done = true;
    if (unsub) unsub();
  }
}

/** Free balance of `address` as a BigInt (optionally at a block hash). */
async function freeBalance(api, address, at) {
  const source = at ? await api.at(at) : api;
  const { data } = await source.query.system.account(address);
  return data.free.toBigInt();
}

module.exports = {
  IOT_RPC,
  startNode,
  nodeBinary,
  freePorts,
  devKeyring,
  randomAccount,
  signAndFinalize,
  decodeDispatchError,
  waitForFinalizedHeight,
  freeBalance,
  withTimeout,
  sleep,
};
