/**
 * `npm run server [-- --host 0.0.0.0] [--port 9000] [--path /tincan]`: a local signaling server
 * for development and self-hosting. Loopback only unless a host is given.
 */
import { parseArgs } from 'node:util';
import { startSignalingServer } from './signaling-server';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9000' },
    path: { type: 'string', default: '/tincan' },
  },
});

const server = await startSignalingServer({ host: values.host, port: Number(values.port), path: values.path });
console.log(`Tincan signaling server listening on ${server.url}`);
console.log(`Point a build at it:  TINCAN_SIGNALING_URL=${server.url} TINCAN_ICE_SERVERS=none npm run build`);
console.log('or set host/port/path in the extension’s options page. Ctrl-C stops it.');
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
