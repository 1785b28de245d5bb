import request from 'supertest';
import { createApp } from '../src/app';

describe('HTTP API', () => {
  const app = createApp();

  it('answers /health with the package version', async () => {
    const res = await request(app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ service: '@acme/quote-api', status: 'ok' });
  });

  it('rejects an unknown currency', async () => {
    const res = await request(app).get('/v1/quote?from=EUR&to=XXX&amount=1');
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('to');
  });

  it('accepts lower-case codes', async () => {
    const res = await request(app).get('/v1/quote?from=gbp&to=chf&amount=100');
    expect(res.status).toBe(200);
    expect(res.body.feeBps).toBe(50);
  });
});
