'use strict';
// Starts scripts/sensor-sim/sim.js on a free port for a test file and stops it afterwards.

const { spawn } = require('node:child_process');
const path = require('node:path');

const SIM = path.join(__dirname, '..', '..', 'sensor-sim', 'sim.js');

/** Starts the simulator; resolves to { url, served(), stop() } once it listens. */
function startSimulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIM, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error('sensor simulator did not start')); }, 10_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/on (http:\/\/[^ ]+)/);
      if (match) {
        clearTimeout(timer);
        const url = match[1];
        resolve({
          url,
          /** The values the simulator served for `path`, oldest first. */
          served: async (p) => (await (await fetch(`${url}/served`)).json()).filter((s) => s.path === p).map((s) => s.value),
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
        });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`sensor simulator exited with ${code}`)); });
  });
}

module.exports = { startSimulator };
