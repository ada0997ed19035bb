#!/usr/bin/env node
'use strict';
// A small sensor simulator: HTTP endpoints answering JSON like device gateways and vendor clouds
// do, with plausible variation, plus the broken answers a feed must survive. No dependencies.
//
//   node scripts/sensor-sim/sim.js [--port 8787] [--host 127.0.0.1]
//
// Sensors (values change every few seconds):
//   GET /solar     {"inverter":{"power_w":1234.5,"online":true},"ts":…}   a solar inverter over a day
//   GET /room      {"temperature_c":21.4,"humidity_pct":45.2,"ts":…}      a room that drifts
//   GET /washer    {"detergent_pct":63.0,"cycles":812,"ts":…}             a washer using up detergent
//   GET /fixed     {"value":42.5}                                          a constant, for tests
// Failures:
//   /broken → HTTP 500; /slow → answers after 60 s; /huge → 2 MB of JSON; /invalid → not JSON;
//   /missing → JSON without the field; /text → the value as a string.
// Introspection:
//   GET /served    the last 200 values served: [{"path","value","at"}]  (tests compare with the chain)
//   GET /health    "ok"

const http = require('node:http');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const port = Number(arg('port', process.env.SENSOR_SIM_PORT || 8787));
const host = arg('host', '127.0.0.1');
const started = Date.now();
const served = [];

/** Values hold for 3 s so that operators fetching in the same round agree. */
function step() {
  return Math.floor((Date.now() - started) / 3000);
}

/** Deterministic noise in [-1, 1] for a step and a channel. */
function noise(n, channel) {
  const x = Math.sin(n * 12.9898 + channel * 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

const round1 = (v) => Math.round(v * 10) / 10;

const sensors = {
  '/solar': () => {
    const n = step();
    // A compressed day: one "day" every 10 minutes; night gives 0 W.
    const sun = Math.max(0, Math.sin((n % 200) / 200 * Math.PI));
    const power = round1(4200 * sun + 35 * noise(n, 1) * sun);
    return { value: power, body: { inverter: { power_w: power, online: true }, ts: Date.now() } };
  },
  '/room': () => {
    const n = step();
    const t = round1(21 + 1.5 * Math.sin(n / 40) + 0.2 * noise(n, 2));
    return { value: t, body: { temperature_c: t, humidity_pct: round1(45 + 5 * noise(n, 3)), ts: Date.now() } };
  },
  '/washer': () => {
    const n = step();
    const pct = round1(Math.max(0, 100 - (n % 500) * 0.2));
    return { value: pct, body: { detergent_pct: pct, cycles: 800 + Math.floor(n / 5), ts: Date.now() } };
  },
  '/fixed': () => ({ value: 42.5, body: { value: 42.5 } }),
};

function send(res, status, body, type = 'application/json') {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(status, { 'content-type': type, 'content-length': bytes.length });
  res.end(bytes);
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://sim').pathname;
  if (sensors[path]) {
    const { value, body } = sensors[path]();
    served.push({ path, value, at: Date.now() });
    if (served.length > 200) served.shift();
    return send(res, 200, body);
  }
  switch (path) {
    case '/broken': return send(res, 500, { error: 'internal error' });
    case '/slow': return void setTimeout(() => send(res, 200, { value: 1 }), 60_000);
    case '/huge': return send(res, 200, `{"value":1,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    case '/invalid': return send(res, 200, '<html>maintenance</html>', 'text/html');
    case '/missing': return send(res, 200, { other: 1 });
    case '/text': return send(res, 200, { value: '42.5' });
    case '/served': return send(res, 200, served);
    case '/health': return send(res, 200, 'ok', 'text/plain');
    default: return send(res, 404, { error: 'no such sensor' });
  }
});

server.listen(port, host, () => {
  console.log(`sensor simulator on http://${host}:${server.address().port} (/solar /room /washer /fixed; /broken /slow /huge /invalid /missing /text)`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
