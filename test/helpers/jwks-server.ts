import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** A JWKS endpoint on loopback whose key set tests can rotate, count fetches of, and take down. */
export class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  /** The path of every request, in order: the key set is served at any path, tests check which one was asked. */
  readonly paths: string[] = [];
  /** When set, the server answers with this status instead of the key set. */
  failWith: number | undefined;
  private server: Server | undefined;

  get url(): string {
    return `${this.origin}/jwks.json`;
  }

  /** `http://127.0.0.1:<port>`, for tests that stand this server in for an identity provider. */
  get origin(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.fetches++;
      this.paths.push(req.url ?? '');
      if (this.failWith) {
        res.writeHead(this.failWith).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
