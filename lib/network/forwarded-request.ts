import { type AuthRequest, readHeader } from '../request/auth-request.js';
import { AddressList } from './address-list.js';
import type { TrustProxyOption } from './request-policy.options.js';

interface SocketLike {
  readonly remoteAddress?: string;
  readonly encrypted?: boolean;
}

/** Express and Fastify requests both expose the Node socket (`req.socket`; Fastify also `req.raw.socket`). */
function socketOf(request: AuthRequest): SocketLike | undefined {
  const candidate = request as { socket?: SocketLike; raw?: { socket?: SocketLike } };
  return candidate.socket ?? candidate.raw?.socket;
}

/** `X-Forwarded-For` entries, right-most first; ports (`1.2.3.4:5678`, `[2001:db8::1]:443`) removed. */
function forwardedFor(request: AuthRequest): string[] {
  const header = readHeader(request, 'x-forwarded-for');
  if (!header) return [];
  const hops: string[] = [];
  for (const part of header.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
    const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
    hops.push(bracketed?.[1] ?? v4WithPort?.[1] ?? entry);
  }
  return hops.reverse();
}

/** What the request says about where it came from, after deciding which proxies to believe. */
export interface RequestOrigin {
  /** The socket's peer (the last hop). */
  readonly peer: string | undefined;
  /** The client, per `trustProxy`; may be an unparseable string a proxy forwarded. */
  readonly client: string | undefined;
  /** Whether the peer is a proxy whose forwarded headers are believed. */
  readonly peerTrusted: boolean;
  /** TLS on the socket, or `X-Forwarded-Proto: https` from a trusted peer. */
  readonly secure: boolean;
}

/**
 * Reads the client's address and scheme through `X-Forwarded-For` / `X-Forwarded-Proto`, believing
 * them only from trusted proxies. It does not follow Express's or Fastify's own `trustProxy` settings
 * (they differ between adapters); configure `AuthModule.forRoot({ trustProxy })` instead.
 */
export class ForwardedRequestReader {
  private readonly hops: number;
  private readonly proxies: AddressList | undefined;

  constructor(trust: TrustProxyOption | undefined) {
    this.hops = typeof trust === 'number' ? trust : 0;
    this.proxies = Array.isArray(trust) ? new AddressList(trust, 'trustProxy') : undefined;
  }

  /** Whether any proxy is trusted at all (`trustProxy` set). */
  get trustsProxies(): boolean {
    return this.hops > 0 || this.proxies !== undefined;
  }

  origin(request: AuthRequest): RequestOrigin {
    const socket = socketOf(request);
    const peer = socket?.remoteAddress;
    const peerTrusted = this.hops > 0 || (this.proxies?.contains(peer) ?? false);
    const tls = socket?.encrypted === true;
    if (!peerTrusted) return { peer, client: peer, peerTrusted, secure: tls };
    const chain = [peer, ...forwardedFor(request)];
    let index: number;
    if (this.proxies) {
      index = 0;
      while (index < chain.length - 1 && this.proxies.contains(chain[index])) index++;
    } else {
      index = Math.min(this.hops, chain.length - 1);
    }
    return { peer, client: chain[index], peerTrusted, secure: tls || this.forwardedHttps(request) };
  }

  /** The client's address per `trustProxy` (the socket peer when no proxy is trusted). */
  clientAddress(request: AuthRequest): string | undefined {
    return this.origin(request).client;
  }

  /**
   * The right-most `X-Forwarded-Proto` value: the one our own (trusted) proxy wrote. A client-supplied
   * value further left is never believed; proxies should overwrite the header (nginx `$scheme`, ALB do).
   */
  private forwardedHttps(request: AuthRequest): boolean {
    const header = readHeader(request, 'x-forwarded-proto');
    if (!header) return false;
    const values = header.split(',');
    return values[values.length - 1].trim().toLowerCase() === 'https';
  }
}
