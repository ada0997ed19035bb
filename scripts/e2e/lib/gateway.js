'use strict';
// The gateway's e2e harness: a real `mosquitto` broker, the `iot-gateway` binary on a fresh
// SQLite file, batches signed like devices sign them, and MQTT through Debian's mosquitto
// clients (`mosquitto_pub`, `mosquitto_sub`).
//
// Env: IOT_GATEWAY_BIN (default: $CARGO_TARGET_DIR/debug/iot-gateway),
//      IOT_FIRMWARE_ELF (default: the firmware example's release ELF under $CARGO_TARGET_DIR).

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { u8aToHex } = require('@polkadot/util');

const provenance = require('./provenance');

const targetDir = process.env.CARGO_TARGET_DIR ||
  path.join(os.homedir(), '.cache', 'iot-parachain', 'target');

function gatewayBinary() {
  return process.env.IOT_GATEWAY_BIN || path.join(targetDir, 'debug', 'iot-gateway');
}

function firmwareElf() {
  return process.env.IOT_FIRMWARE_ELF || path.join(targetDir, 'firmware', 'target',
    'thumbv7em-none-eabihf', 'release', 'iot-device-firmware-example');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port, timeoutMs, what, exited) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${what} exited before listening on ${port}`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

/** A process with its log in `dir`; `stop()` ends it (SIGTERM), `kill()` with SIGKILL. */
function spawnLogged(bin, args, { dir, name, env }) {
  const logPath = path.join(dir, `${name}.log`);
  const fd = fs.openSync(logPath, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  fs.closeSync(fd);
  let exited = null;
  const done = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));
  process.once('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
  return {
    child,
    logPath,
    exited: () => exited,
    done,
    log: () => fs.readFileSync(logPath, 'utf8'),
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await Promise.race([done, sleep(5000)]);
      if (!exited) child.kill('SIGKILL');
      await done;
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      return done;
    },
  };
}

/** A mosquitto broker on a free loopback port. */
async function startBroker(dir) {
  const port = await freePort();
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(config, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    // Large enough for a 1,000-reading batch.
    'message_size_limit 16777216',
    'max_queued_messages 10000',
    '',
  ].join('\n'));
  const proc = spawnLogged('mosquitto', ['-c', config], { dir, name: 'mosquitto' });
  await waitForPort(port, 10_000, 'mosquitto', proc.exited);
  return { ...proc, port };
}

/** The gateway on `database`, anchoring through `nodeWs` with `account` (a secret URI). */
async function startGateway({ dir, database, nodeWs, mqttPort, account = '//Dave', name = 'gateway', env = {} }) {
  const bin = gatewayBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(`iot-gateway not found at ${bin}: build it (cargo build --workspace) or set IOT_GATEWAY_BIN`);
  }
  const port = await freePort();
  const args = ['run', '--node', nodeWs, '--database', database, '--listen', `127.0.0.1:${port}`];
  if (mqttPort) args.push('--mqtt-host', '127.0.0.1', '--mqtt-port', String(mqttPort));
  const proc = spawnLogged(bin, args, {
    dir, name, env: { IOT_GATEWAY_ACCOUNT: account, RUST_LOG: 'info', ...env },
  });
  await waitForPort(port, 60_000, 'iot-gateway', proc.exited);
  const url = `http://127.0.0.1:${port}`;
  return { ...proc, port, url };
}

/** An HTTP request to the gateway: `{ status, body }` (body parsed as JSON when it is). */
async function request(url, method = 'GET', body = undefined) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* text (metrics) */ }
  return { status: res.status, body: parsed };
}

/** Publishes `payload` (a string) to `topic` with QoS 1. */
function publish(port, topic, payload) {
  return new Promise((resolve, reject) => {
    const child = execFile('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-q', '1', '-t', topic, '-s'],
      (err) => (err ? reject(err) : resolve()));
    child.stdin.end(payload);
  });
}

/** Subscribes to `topic`; `next(predicate, ms)` resolves with the first matching JSON message. */
function subscribe(port, topic, dir, name) {
  const messages = [];
  const waiters = [];
  const child = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-q', '1', '-t', topic, '-v'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const space = line.indexOf(' ');
      let message;
      try { message = { topic: line.slice(0, space), body: JSON.parse(line.slice(space + 1)) }; } catch { continue; }
      messages.push(message);
      for (const w of [...waiters]) {
        if (w.predicate(message)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    }
  });
  return {
    messages,
    next(predicate, ms = 30_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { predicate, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no message on ${topic} matching within ${ms} ms; got ${JSON.stringify(messages)}`));
          }
        }, ms);
      });
    },
    stop() { child.kill('SIGTERM'); },
  };
}

/** A batch in the gateway's JSON, signed by `device` (lib/devices.js) for `genesisHash`. */
function signedBatch({ genesisHash, device, deviceId, stream, sequence, readings, contentId }) {
  const { root, count } = provenance.batchRoot(readings);
  const firstTimestamp = 1_700_000_000_000 + sequence * 1000;
  const lastTimestamp = firstTimestamp + readings.length;
  const signature = device.sign(provenance.anchorSigningBytes({
    genesisHash, device: deviceId, stream, sequence, root, count, firstTimestamp, lastTimestamp, contentId,
  }));
  return {
    stream,
    device: deviceId,
    sequence,
    firstTimestamp,
    lastTimestamp,
    readings: readings.map((r) => u8aToHex(r)),
    root: u8aToHex(root),
    count,
    ...(contentId ? { contentId: u8aToHex(contentId) } : {}),
    keyType: device.type.toLowerCase(),
    signature: u8aToHex(signature),
  };
}

/** Polls `GET /v1/streams/{stream}/batches/{sequence}` until its state is final. */
async function waitForState(url, stream, sequence, { timeoutMs = 120_000, want = ['anchored', 'stale', 'failed'] } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await request(`${url}/v1/streams/${stream}/batches/${sequence}`);
    if (last.status === 200 && want.includes(last.body.state)) return last.body;
    await sleep(500);
  }
  throw new Error(`batch ${sequence} of stream ${stream} not ${want.join('/')} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Runs `iot-gateway verify` on a proof: `{ code, verdict }`. */
function verifyWithCli(nodeWs, proof) {
  return new Promise((resolve, reject) => {
    const child = execFile(gatewayBinary(), ['verify', '--node', nodeWs, '-'], (err, stdout, stderr) => {
      const code = err ? err.code : 0;
      if (typeof code !== 'number') return reject(err);
      let verdict = null;
      try { verdict = JSON.parse(stdout); } catch { /* error text */ }
      resolve({ code, verdict, stderr });
    });
    child.stdin.end(JSON.stringify(proof));
  });
}

/** Runs the firmware example under QEMU (as scripts/firmware-qemu.sh does) and parses its lines. */
function runFirmware(args) {
  const elf = firmwareElf();
  if (!fs.existsSync(elf)) {
    throw new Error(`the firmware ELF is missing (${elf}): run scripts/firmware-qemu.sh first`);
  }
  return new Promise((resolve, reject) => {
    execFile('qemu-system-arm', ['-machine', 'mps2-an386', '-cpu', 'cortex-m4', '-nographic', '-monitor', 'none',
      '-semihosting-config', 'enable=on,target=native', '-kernel', elf, '-append', args.join(' ')],
    { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(new Error(`the firmware failed under QEMU: ${err.message}\n${stdout}`));
      resolve(stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)));
    });
  });
}

module.exports = {
  gatewayBinary, firmwareElf, startBroker, startGateway, request, publish, subscribe, signedBatch,
  waitForState, verifyWithCli, runFirmware, sleep,
};
