'use strict';
// A feed server that misbehaves the ways a hostile one does, next to well-behaved endpoints, on
// raw TCP (node:http would tidy up what we want to get wrong). Keeps connections alive by default,
// as an attacker's server would, and counts the requests per connection, so a test can tell
// whether a client reused one.
//
//   GET /good/<n>     {"value": 1000+n}, correct Content-Length, connection kept open
//   GET /smuggle      {"value": 1} with Content-Length 12, then a second, unasked-for response
//                     {"value": 99999} on the same connection: whoever reuses the connection
//                     reads it as the answer to its next request
//   GET /hang-head    accepts and never answers
//   GET /hang-body    headers (Content-Length 50) and 10 bytes of body, then nothing
//   GET /short        Content-Length 100, 20 bytes, then the connection closes
//   GET /exponent     {"value": 1e2147483600}: valid JSON, out of any range
//   GET /redirect     302 to /good/1
//   GET /gzip         gzip-compressed JSON with Content-Encoding: gzip

const net = require('node:net');
const zlib = require('node:zlib');

function response(status, headers, body) {
  const lines = [`HTTP/1.1 ${status}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), Buffer.from(body)]);
}

function json(body) {
  return response('200 OK', { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, body);
}

/** Starts the server on 127.0.0.1; resolves to { port, stats(), stop() }. */
function startHostileServer() {
  const connections = [];
  const sockets = new Set();
  const hits = {};
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const connection = { requests: 0 };
    connections.push(connection);
    let buffered = '';
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        connection.requests += 1;
        const path = head.split(' ')[1] || '/';
        hits[path] = (hits[path] || 0) + 1;
        const closeAsked = /\r\nconnection:\s*close/i.test(head);
        const good = path.match(/^\/good\/(\d+)$/);
        if (good) {
          socket.write(json(`{"value": ${1000 + Number(good[1])}}`));
        } else if (path === '/smuggle') {
          const first = '{"value": 1}';
          socket.write(Buffer.concat([json(first), json('{"value": 99999}')]));
        } else if (path === '/hang-head') {
          // Nothing, ever.
        } else if (path === '/hang-body') {
          socket.write(response('200 OK', { 'Content-Length': 50 }, '{"value": 1'));
        } else if (path === '/short') {
          socket.end(response('200 OK', { 'Content-Length': 100 }, '{"value": 12345678,'));
          return;
        } else if (path === '/exponent') {
          socket.write(json('{"value": 1e2147483600}'));
        } else if (path === '/redirect') {
          socket.write(response('302 Found', { Location: '/good/1', 'Content-Length': 0 }, ''));
        } else if (path === '/gzip') {
          const body = zlib.gzipSync('{"value": 7}');
          socket.write(response('200 OK', { 'Content-Encoding': 'gzip', 'Content-Length': body.length }, body));
        } else {
          socket.write(response('404 Not Found', { 'Content-Length': 0 }, ''));
        }
        // An honest server closes when asked; this one only does so after the answer is out.
        if (closeAsked && path !== '/hang-head' && path !== '/hang-body') socket.end();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        /** Requests per path, and the most requests any one connection carried. */
        stats: () => ({ hits: { ...hits }, maxRequestsPerConnection: Math.max(0, ...connections.map((c) => c.requests)) }),
        stop: () => new Promise((done) => {
          server.close(() => done());
          for (const socket of sockets) socket.destroy();
        }),
      });
    });
  });
}

module.exports = { startHostileServer };
