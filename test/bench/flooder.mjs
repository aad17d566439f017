// A connection flood against a broker, in its own process like a hostile local program:
//   node flooder.mjs <port> <tcp> <ws> <hellers> <protocol>
// keeps <tcp> TCP sockets open that never send a request, <ws> WebSockets that upgrade and
// never say hello, and <hellers> WebSockets that send mesh/hello without a proof in bursts;
// whatever the broker closes is opened again at once. Reads commands on stdin:
//   "stats"  prints {"opened":{"tcp":N,"ws":N},"closedByBroker":N,"hellos":{"sent":N,"answered":N,"refused":N}}
//   "stop"   closes everything, prints the stats and exits
import net from 'node:net';
import readline from 'node:readline';
import { clearInterval, setImmediate, setInterval } from 'node:timers';
import WebSocket from 'ws';

const [port, tcpN, wsN, hellersN, protocol] = process.argv.slice(2).map(Number);
const stats = { opened: { tcp: 0, ws: 0 }, closedByBroker: 0, hellos: { sent: 0, answered: 0, refused: 0 } };
const open = new Set();
let stopping = false;

function keepTcp() {
  if (stopping) return;
  const socket = net.connect({ host: '127.0.0.1', port });
  stats.opened.tcp++;
  open.add(socket);
  socket.on('error', () => undefined);
  socket.resume(); // read and drop whatever comes, so the broker's close is seen
  socket.on('close', () => {
    open.delete(socket);
    if (stopping) return;
    stats.closedByBroker++;
    setImmediate(keepTcp);
  });
}

function keepWs(hello) {
  if (stopping) return;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  stats.opened.ws++;
  open.add(ws);
  let timer;
  ws.on('error', () => undefined);
  ws.on('open', () => {
    if (!hello) return;
    let id = 0;
    const burst = () => {
      for (let i = 0; i < 50 && ws.readyState === WebSocket.OPEN; i++) {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'mesh/hello', params: { protocol, nonce: 'f'.repeat(32) } }));
        stats.hellos.sent++;
      }
    };
    burst();
    timer = setInterval(burst, 20);
  });
  ws.on('message', (data) => {
    const answer = JSON.parse(data.toString());
    if (answer.result) stats.hellos.answered++;
    else if (answer.error?.data?.reason === 'rateLimited') stats.hellos.refused++;
  });
  ws.on('close', () => {
    clearInterval(timer);
    open.delete(ws);
    if (stopping) return;
    stats.closedByBroker++;
    setImmediate(() => keepWs(hello));
  });
}

for (let i = 0; i < tcpN; i++) keepTcp();
for (let i = 0; i < wsN; i++) keepWs(false);
for (let i = 0; i < hellersN; i++) keepWs(true);

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'stats') process.stdout.write(JSON.stringify(stats) + '\n');
  if (line !== 'stop') return;
  stopping = true;
  for (const s of open) {
    if (s instanceof WebSocket) s.terminate();
    else s.destroy();
  }
  process.stdout.write(JSON.stringify(stats) + '\n');
  process.exit(0);
});
