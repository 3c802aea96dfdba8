// OAuth 2.0 client credentials and bearer tokens against a real local HTTP server that plays the token endpoint and
// a DICOMweb root which checks the token (Orthanc itself does not speak OAuth): the token is fetched once and reused,
// fetched again once after a 401, and a refused client secret is SOURCE_AUTH_FAILED; no secret reaches a message.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDicomwebSources } from '../../src/config/dicomweb-sources.js';
import { DicomwebClient } from '../../src/dicomweb/client.js';
import { searchStudies } from '../../src/dicomweb/qido.js';

let server: Server;
let base: string;
let tokensIssued = 0;
let validToken = '';
const seenAuthorization: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/token' && req.method === 'POST') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== 'right-secret') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          return;
        }
        tokensIssued++;
        validToken = `token-${tokensIssued}`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: validToken, expires_in: 3600 }));
        return;
      }
      seenAuthorization.push(req.headers.authorization ?? '');
      const ok = req.headers.authorization === `Bearer ${validToken}` || req.headers.authorization === 'Bearer static-token';
      if (!ok) {
        res.writeHead(401).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/dicom+json' })
        .end(JSON.stringify([{ '0020000D': { vr: 'UI', Value: ['1.2.3.4'] }, '00080061': { vr: 'CS', Value: ['MR'] } }]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const source = (auth: object) =>
  parseDicomwebSources(JSON.stringify([{ name: 'oauth-archive', baseUrl: `${base}/dicom-web`, auth, projects: ['*'] }]))[0];

describe('OAuth client credentials and bearer tokens', () => {
  it('fetches a token once, reuses it, and fetches a new one once after a 401', async () => {
    const client = new DicomwebClient(
      source({ type: 'oauth2', tokenUrl: `${base}/token`, clientId: 'spinegraph', clientSecret: 'right-secret' }),
    );
    expect(await searchStudies(client, {})).toEqual([
      { studyInstanceUid: '1.2.3.4', studyDate: null, modalities: ['MR'], description: null, seriesCount: null, instanceCount: null },
    ]);
    await searchStudies(client, {});
    expect(tokensIssued).toBe(1);
    validToken = 'revoked-by-the-server';
    await searchStudies(client, {});
    expect(tokensIssued).toBe(2);
    expect(seenAuthorization.slice(-2)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('reports a refused client secret as SOURCE_AUTH_FAILED without the secret', async () => {
    const client = new DicomwebClient(
      source({ type: 'oauth2', tokenUrl: `${base}/token`, clientId: 'spinegraph', clientSecret: 'wrong-secret' }),
    );
    const error = await searchStudies(client, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SOURCE_AUTH_FAILED' });
    expect(String((error as Error).message)).not.toContain('wrong-secret');
  });

  it('sends a static bearer token, and reports a refused one', async () => {
    expect(await searchStudies(new DicomwebClient(source({ type: 'bearer', token: 'static-token' })), {})).toHaveLength(1);
    await expect(searchStudies(new DicomwebClient(source({ type: 'bearer', token: 'nope' })), {})).rejects.toMatchObject({
      code: 'SOURCE_AUTH_FAILED',
      message: expect.stringMatching(/"oauth-archive" refused spinegraph's credentials \(HTTP 401\)/),
    });
  });
});
