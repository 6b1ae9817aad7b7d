import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { eventually } from '#test-support/eventually';
import { LiveClients } from '../src/live/live-clients.js';

/** The live streams' bounds, over real sockets: a reader that stops reading is cut off, one that reads is not. */
let server: Server;
let clients: LiveClients;
let port: number;
const sockets: Socket[] = [];

beforeEach(async () => {
  clients = new LiveClients({ maxStreams: 2, heartbeatMs: 60_000, maxBufferedBytes: 64 * 1024 });
  server = createServer((request, response) => {
    if (!clients.open(response, async () => true)) response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  clients.closeAll();
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function stream(read: boolean): { socket: Socket; received: () => number } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = 0;
  socket.write('GET /live HTTP/1.1\r\nHost: x\r\n\r\n');
  if (read) socket.on('data', (chunk) => (received += chunk.length));
  else socket.pause();
  return { socket, received: () => received };
}

it('closes a stream whose reader stopped reading once it is too far behind, and keeps the one that reads', async () => {
  const stuck = stream(false);
  const reading = stream(true);
  await eventually(() => expect(clients.count).toBe(2));
  const message = { appointmentId: 'a'.repeat(200) };
  // Enough to fill the stuck socket's kernel buffers and then the 64 KiB the server keeps for it.
  // Small bursts with a turn of the event loop between them, as changes come: the reading client keeps up.
  for (let round = 0; round < 5_000 && clients.count === 2; round++) {
    for (let i = 0; i < 50; i++) clients.broadcast('appointment', message);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await eventually(() => expect(clients.count).toBe(1));
  await eventually(() => expect(reading.received()).toBeGreaterThan(1_000_000));
  expect(stuck.socket.destroyed || stuck.socket.readableEnded || stuck.socket.isPaused()).toBe(true);
});

it('refuses a stream past the cap and takes one again once a stream closes', async () => {
  stream(true);
  const second = stream(true);
  await eventually(() => expect(clients.count).toBe(2));
  const third = stream(true);
  await eventually(() => expect(third.received()).toBeGreaterThan(0));
  expect(clients.count).toBe(2);
  second.socket.destroy();
  await eventually(() => expect(clients.count).toBe(1));
  stream(true);
  await eventually(() => expect(clients.count).toBe(2));
});
