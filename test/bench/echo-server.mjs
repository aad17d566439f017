// The physical floor for the bench: a bare `ws` server on 127.0.0.1, in its own process like
// the broker. Prints {"port":N,"pid":N} once listening. For each text frame it receives:
//   "@<id>|..."  relays the frame to the client that connected with ?id=<id>
//   "!..."       appends the frame to the sync file (argv[2]), fdatasyncs, then echoes it
//   anything else is echoed back to the sender
import fs from 'node:fs';
import { WebSocketServer } from 'ws';

const syncFile = process.argv[2];
const fd = syncFile ? fs.openSync(syncFile, 'a') : undefined;
const byId = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });

wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('id');
  if (id) byId.set(id, ws);
  ws.on('close', () => {
    if (id && byId.get(id) === ws) byId.delete(id);
  });
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.charCodeAt(0) === 64 /* @ */) {
      const bar = text.indexOf('|');
      byId.get(text.slice(1, bar))?.send(text);
    } else if (text.charCodeAt(0) === 33 /* ! */ && fd !== undefined) {
      fs.write(fd, text + '\n', (err) => {
        if (err) throw err;
        fs.fdatasync(fd, (err2) => {
          if (err2) throw err2;
          ws.send(text);
        });
      });
    } else {
      ws.send(text);
    }
  });
});

wss.on('listening', () => {
  process.stdout.write(JSON.stringify({ port: wss.address().port, pid: process.pid }) + '\n');
});
