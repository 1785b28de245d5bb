'use strict';

// Docker HEALTHCHECK: exit 0 when /healthz answers 200 within 3 s.
const http = require('node:http');

const req = http.get(
  { host: '127.0.0.1', port: Number(process.env.PORT ?? 8080), path: '/healthz', timeout: 3000 },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (err) => {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
});
