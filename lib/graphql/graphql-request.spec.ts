import { getOwnedResource, setOwnedResource } from '../http/request-state.js';
import { graphqlHttpRequest, graphqlRequest } from './graphql-request.js';

describe('graphqlHttpRequest', () => {
  it('finds the request at req (Express and Fastify with @nestjs/apollo) or request', () => {
    const req = { headers: { authorization: 'Bearer x' } };
    expect(graphqlHttpRequest({ req })).toBe(req);
    expect(graphqlHttpRequest({ request: req })).toBe(req);
  });

  it('explains how to fix a context without an HTTP request', () => {
    expect(() => graphqlHttpRequest({ connectionParams: {} })).toThrow(/carries no HTTP request.*context: \(\{ req \}\) => \(\{ req \}\)/);
    expect(() => graphqlHttpRequest(undefined)).toThrow(TypeError);
    expect(() => graphqlHttpRequest({ req: {} })).toThrow(TypeError);
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
    expect([getOwnedResource(a), getOwnedResource(b), getOwnedResource(req)]).toEqual(['post-1', 'post-2', undefined]);
    expect(req.user).toBe('from-passport');
  });

  it('answers the request itself when there is no info object', () => {
    expect(graphqlRequest([{}, {}, { req }])).toBe(req);
  });
});
