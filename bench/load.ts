/**
 * The load generator, in its own process: `node .build/bench/load.js <url> <seconds> <connections> <tokensFile|->`.
 * With a tokens file of N lines, request i uses token i mod N (N = 1: warm; N large: cold).
 * Prints one JSON line: { rps, p99, non2xx, errors }.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

async function main(): Promise<void> {
  const [url, seconds, connections, tokensFile] = process.argv.slice(2);
  const tokens = tokensFile && tokensFile !== '-' ? readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean) : [];
  let next = 0;
  const result = await autocannon({
    url,
    duration: Number(seconds),
    connections: Number(connections),
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
      errors: result.errors + result.timeouts,
    }) + '\n',
  );
}

void main();
