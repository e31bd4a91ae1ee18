/**
 * The load generator, in its own process: `node .build/bench/load.js <url> <seconds> <connections> <credentials>`.
 * `credentials`: a tokens file of N lines (request i sends token i mod N; N = 1: warm, N large: cold),
 * `basic:<user>:<password>` for HTTP Basic, or `-` for none.
 * Prints one JSON line: { rps, p99, non2xx, ok (2xx per second), unavailable (503s), errors }.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

async function main(): Promise<void> {
  const [url, seconds, connections, tokensFile] = process.argv.slice(2);
  const basic = tokensFile?.startsWith('basic:') ? `Basic ${Buffer.from(tokensFile.slice('basic:'.length)).toString('base64')}` : undefined;
  const tokens = tokensFile && tokensFile !== '-' && !basic ? readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean) : [];
  let next = 0;
  const result = await autocannon({
    url,
    duration: Number(seconds),
    connections: Number(connections),
    headers: basic ? { authorization: basic } : undefined,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          if (tokens.length === 0) return request;
          const token = tokens[next++ % tokens.length];
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
        },
      },
    ],
  });
  process.stdout.write(
    JSON.stringify({
      rps: result.requests.average,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      ok: result['2xx'] / result.duration,
      unavailable: result.statusCodeStats?.['503']?.count ?? 0,
      errors: result.errors + result.timeouts,
    }) + '\n',
  );
}

void main();
