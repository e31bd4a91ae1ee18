import { getOwnedResource, setOwnedResource } from '../request/request-state.js';
import { graphqlHttpRequest, graphqlRequest } from './graphql-request.js';

describe('graphqlHttpRequest', () => {
  it('finds the request at req (Express and Fastify with @nestjs/apollo) or request', () => {
    const req = { headers: { authorization: 'Bearer x' } };
    expect(graphqlHttpRequest({ req })).toBe(req);
    expect(graphqlHttpRequest({ request: req })).toBe(req);
  });

  it('explains how to fix a context without an HTTP request', () => {
    expect(() => graphqlHttpRequest({ user: {} })).toThrow(
      /carries no HTTP request.*context: \(\{ req \}\) => \(\{ req \}\)/,
    );
    expect(() => graphqlHttpRequest(undefined)).toThrow(TypeError);
    expect(() => graphqlHttpRequest({ req: {} })).toThrow(TypeError);
  });
});

describe('graphqlHttpRequest over graphql-ws', () => {
  const connection = (connectionParams?: Record<string, unknown>, url = '/graphql') => ({
    connectionInitReceived: true,
    acknowledged: true,
    subscriptions: {},
    connectionParams,
    extra: { request: { headers: { cookie: 'sid=1' }, url, socket: { remoteAddress: '127.0.0.1' } } },
  });

  it('reads connectionParams.authorization or .token, the upgrade headers and query, once per connection', () => {
    const ctx = connection({ authorization: 'Bearer abc' });
    const view = graphqlHttpRequest({ req: ctx });
    expect(graphqlHttpRequest({ req: ctx })).toBe(view);
    expect(view).toMatchObject({
      headers: { cookie: 'sid=1', authorization: 'Bearer abc' },
      ip: '127.0.0.1',
    });
    expect(graphqlHttpRequest(connection({ token: 'abc' })).headers.authorization).toBe('Bearer abc');
    const query = graphqlHttpRequest(connection(undefined, '/graphql?access_token=q&x=1'));
    expect(query.headers.authorization).toBe('Bearer q');
    expect(query.query).toEqual({ access_token: 'q', x: '1' });
    expect(graphqlHttpRequest(connection()).headers.authorization).toBeUndefined();
  });
});

describe('graphqlRequest', () => {
  const req = { headers: { authorization: 'Bearer x' }, user: 'from-passport' };

  it('gives each field resolution (its info object) one view over the shared request', () => {
    const info = {};
    const view = graphqlRequest([{}, { id: '1' }, { req }, info]);
    expect(graphqlRequest([{}, { id: '1' }, { req }, info])).toBe(view);
    expect(graphqlRequest([{}, { id: '1' }, { req }, {}])).not.toBe(view);
    expect(view.headers).toBe(req.headers);
    expect((view as { params?: unknown }).params).toEqual({ id: '1' });
  });

  it('keeps what the guard attaches on the view, not on the shared request', () => {
    const a = graphqlRequest([{}, { id: '1' }, { req }, {}]);
    const b = graphqlRequest([{}, { id: '2' }, { req }, {}]);
    expect(a.user).toBeUndefined();
    setOwnedResource(a, 'post-1');
    setOwnedResource(b, 'post-2');
    a.user = 'alice';
    expect([getOwnedResource(a), getOwnedResource(b), getOwnedResource(req)]).toEqual([
      'post-1',
      'post-2',
      undefined,
    ]);
    expect(req.user).toBe('from-passport');
  });

  it('answers the request itself when there is no info object', () => {
    expect(graphqlRequest([{}, {}, { req }])).toBe(req);
  });
});
