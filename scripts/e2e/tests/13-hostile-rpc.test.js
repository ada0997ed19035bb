'use strict';
// Hostile RPC input: random and truncated extrinsic bytes, garbage and malformed JSON-RPC,
// oversized bodies and wrong parameters for our own `iot_*` methods. The node must answer each
// with an error (never a success, never a dropped process) and keep producing blocks.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { useNode } = require('../lib/suite');

const ctx = useNode();

/** POSTs `body` (string or bytes) to the node's HTTP RPC; returns { status, json|null }. */
async function post(body, contentType = 'application/json') {
  const res = await fetch(ctx.node.httpUrl, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json };
}

function call(method, params) {
  return post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
}

function isError({ status, json }) {
  const failed = (answer) => answer !== null && answer.error !== undefined && answer.result === undefined;
  // A batch is answered with one answer per request: every one must be an error.
  if (Array.isArray(json)) return status >= 400 || (json.length > 0 && json.every(failed));
  return status >= 400 || failed(json);
}

async function bestNumber() {
  const { json } = await call('chain_getHeader', []);
  return parseInt(json.result.number, 16);
}

test('random and truncated extrinsics are refused', async () => {
  const { api, alice } = ctx;
  const signed = await api.tx.balances.transferKeepAlive(ctx.bob.address, 1n).signAsync(alice);
  const bytes = signed.toU8a();
  const cases = [];
  for (let i = 0; i < 40; i += 1) cases.push(crypto.randomBytes(1 + (i * 7) % 300));
  for (const cut of [1, 2, 5, 20, bytes.length - 1]) cases.push(Buffer.from(bytes.slice(0, cut)));
  // A valid extrinsic with one byte flipped in its signature.
  const flipped = Buffer.from(bytes);
  flipped[10] ^= 0xff;
  cases.push(flipped);
  for (const data of cases) {
    const answer = await call('author_submitExtrinsic', [`0x${data.toString('hex')}`]);
    assert.ok(isError(answer), `accepted 0x${data.toString('hex').slice(0, 40)}…`);
  }
  // Not even hex.
  assert.ok(isError(await call('author_submitExtrinsic', ['0xzz'])));
  assert.ok(isError(await call('author_submitExtrinsic', [12])));
});

test('garbage, malformed and oversized JSON-RPC get errors', async () => {
  const bodies = [
    '', 'null', '{', '[]', '[{}]', '{"jsonrpc":"2.0"}', '{"jsonrpc":"2.0","id":1,"method":7}',
    '{"jsonrpc":"2.0","id":1,"method":"no_such_method","params":[]}',
    '{"jsonrpc":"2.0","id":1,"method":"state_call","params":["Core_version","0xzz"]}',
    '{"jsonrpc":"2.0","id":1,"method":"state_call","params":["NoSuchApi_call","0x"]}',
    '{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":["0xzz"]}',
    '{"jsonrpc":"2.0","id":1,"method":"chain_getBlockHash","params":[-1]}',
    '{"jsonrpc":"2.0","id":1,"method":"chain_getBlockHash","params":["x"]}',
    '"'.repeat(10_000),
    '['.repeat(50_000),
    crypto.randomBytes(4096).toString('latin1'),
  ];
  for (const body of bodies) {
    const answer = await post(body);
    assert.ok(isError(answer), `no error for ${body.slice(0, 60)}`);
  }
  // Bigger than the node's request limit (15 MiB by default).
  const huge = `{"jsonrpc":"2.0","id":1,"method":"system_health","params":["${'a'.repeat(16 * 1024 * 1024)}"]}`;
  // The server may answer 413 and close the connection while the body is still being sent: the
  // client then sees the connection reset ("fetch failed"), which is a refusal as well.
  let refused;
  try {
    refused = isError(await post(huge));
  } catch (err) {
    if (!(err instanceof TypeError && err.message === 'fetch failed')) throw err;
    refused = true;
  }
  assert.ok(refused, 'an oversized body is refused');
  assert.ok(Number.isInteger(await bestNumber()), 'the node still answers after the oversized body');
});

test('our iot_* methods refuse wrong parameters', async () => {
  const cases = [
    ['iot_feedStatus', []], ['iot_feedStatus', ['x']], ['iot_feedStatus', [-1]],
    ['iot_verifyInclusion', []], ['iot_verifyInclusion', [0, 0, '0xzz', 0, []]],
    ['iot_verifyInclusion', [0, 0, '0x00', 0, Array(1000).fill(`0x${'00'.repeat(32)}`)]],
    ['iot_nodeInfo', [1, 2, 3]],
  ];
  for (const [method, params] of cases) {
    const answer = await call(method, params);
    // A well-formed query about something that does not exist may answer null/false; a
    // malformed one must be an error. Either way it is never a crash.
    assert.ok(answer.status < 500, `${method} ${JSON.stringify(params).slice(0, 40)}: HTTP ${answer.status}`);
    assert.ok(answer.json !== null, `${method}: an answer`);
  }
});

test('after all that the node still produces blocks', async () => {
  const start = await bestNumber();
  const deadline = Date.now() + 30_000;
  while (await bestNumber() < start + 3) {
    assert.ok(Date.now() < deadline, 'no new blocks');
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((await call('system_health', [])).json.result.shouldHavePeers, false);
});
