import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthStore, TokenService, type TokenClient } from '../lib/index.js';
import { RecoveryContext } from '../lib/account-recovery/recovery-context.js';
import { TokenSettings } from '../lib/tokens/token-settings.js';
import { SESSIONS_OPTIONS, sessionsTestModule, ALL_ENDPOINTS } from './fixtures/sessions-app.js';
import { TOKEN_OPTIONS } from './fixtures/token-app.js';
import { ADAPTERS, type AdapterName, createApp } from './helpers/create-app.js';
import { CapturingMailer, InMemoryContacts } from './helpers/mailer.js';
import { loginAs } from './helpers/sessions.js';
import { MEMORY_STORE, REDIS_CLUSTER_STORE } from './helpers/store-variants.js';
import { InMemoryUsers } from './helpers/users.js';

/**
 * Issue 18, item 1: revocation cannot be refused by flooding. One signed-in principal refreshes
 * and revokes its own access token over and over (no password hash per round); on the old code
 * about 20,000 such writes filled the default MemoryStore's 10,000 `tokens:deny:` slots, after which
 * everyone else's logout-all, RFC 7009 revocation, password reset and refresh-reuse detection
 * answered 503 and the victims' tokens kept working.
 *
 * The flood runs in-process through `TokenService` (the methods `POST /auth/token` and
 * `POST /auth/revoke` call), at the issue's scale on a default-size MemoryStore, once per store: an
 * Express and a Fastify instance share that store (as two instances behind a balancer share
 * Redis), and the victims act over HTTP on each. On Redis (unbounded), a smaller flood shows the
 * attacker's writes stay in one bounded record.
 */
const FLOOD_ROUNDS = { MemoryStore: 10_000, 'Redis Cluster': 600 } as const;

// HS256 keeps the attacker's 20,000 signatures and verifications cheap for the test's time budget.
const OPTIONS = { ...SESSIONS_OPTIONS, jwt: undefined, tokens: { ...TOKEN_OPTIONS, signing: { secret: 'revocation-flood-signing-secret-0123456789' } } };

describe.each([MEMORY_STORE, REDIS_CLUSTER_STORE].map((variant) => [variant.name, variant] as const))(
  'revocation under a flood of one principal (issue 18 item 1) (%s)',
  (_name, variant) => {
    const apps = new Map<AdapterName, INestApplication>();
    let serial = 0;
    let mallory: Awaited<ReturnType<typeof newUser>>;
    let signIns = 0;
    /** The first, a middle and the last access token the attacker revoked. */
    const revokedSample: string[] = [];

    beforeAll(async () => {
      const [first, second] = variant.pair();
      // One user table and one contact table behind both instances, as one database would be.
      const users = new InMemoryUsers();
      const contacts = new InMemoryContacts();
      for (const [i, adapter] of ADAPTERS.entries()) {
        const module = sessionsTestModule(OPTIONS, { ...ALL_ENDPOINTS, tokenEndpoints: true });
        const store = i === 0 ? first : second;
        const app = await createApp(adapter, { imports: [module] }, {
          override: (b) => b.overrideProvider(AuthStore).useValue(store).overrideProvider(InMemoryUsers).useValue(users).overrideProvider(InMemoryContacts).useValue(contacts),
        });
        apps.set(adapter, app);
      }
      mallory = await newUser();
      const started = Date.now();
      await flood(apps.get('express')!);
      process.stdout.write(
        `[issue 18 item 1] ${variant.name}: flood of ${FLOOD_ROUNDS[variant.name as keyof typeof FLOOD_ROUNDS]} rounds in ${Date.now() - started} ms, ${signIns} sign-ins again\n`,
      );
    }, 60_000);
    afterAll(async () => {
      for (const app of apps.values()) await app.close();
    });

    async function newUser() {
      const name = `${variant.clockDriven ? 'm' : 'r'}user${++serial}`;
      const user = { id: `u-${name}`, username: name, password: `${name}-password`, email: `${name}@example.test`, roles: ['user'] };
      const app = apps.get('express')!;
      await app.get(InMemoryUsers).add(user);
      app.get(InMemoryContacts).emails.set(user.id, user.email);
      return user;
    }

    /**
     * The attacker: refresh, revoke the fresh access token, repeat (two writes a round). Should the
     * escalation end their own sign-in, they sign in again: in-process (`TokenService.issue`),
     * which skips the password hash a real attacker pays for each of those sign-ins.
     */
    async function flood(app: INestApplication): Promise<void> {
      const tokens = app.get(TokenService);
      const client = app.get(TokenSettings).clients.get('demo-client') as TokenClient;
      const account = (await app.get(InMemoryUsers).findById(mallory.id))!;
      const signInAgain = async () => (await tokens.issue(account, { clientId: client.id })).refreshToken!;
      let current = await signInAgain();
      const rounds = FLOOD_ROUNDS[variant.name as keyof typeof FLOOD_ROUNDS];
      for (let round = 0; round < rounds; round++) {
        let set;
        try {
          set = await tokens.refresh(current, client);
        } catch {
          signIns++;
          current = await signInAgain();
          set = await tokens.refresh(current, client);
        }
        current = set.refreshToken!;
        await tokens.revoke(set.accessToken, client);
        if (round === 0 || round === 1_000 || round === rounds - 1) revokedSample.push(set.accessToken);
      }
    }

    it('what the attacker wrote is one record of at most 32 entries (bounded per principal, on Redis too), and every token they revoked stays refused', async () => {
      const key = `tokens:deny:user:${createHash('sha256').update(mallory.id, 'utf8').digest('base64url').slice(0, 32)}`;
      const record = JSON.parse((await apps.get('express')!.get(AuthStore).get(key)) ?? 'null') as { jti: object; sid: object } | null;
      expect(record).not.toBeNull();
      expect(Object.keys(record!.jti).length + Object.keys(record!.sid).length).toBeLessThanOrEqual(32);
      for (const token of revokedSample) {
        await request(apps.get('fastify')!.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(401);
      }
    });

    describe.each(ADAPTERS)('victims on %s', (adapter) => {
      const server = () => apps.get(adapter)!.getHttpServer();
      const form = (path: string, fields: Record<string, string>) => request(server()).post(path).type('form').send(fields);
      const signIn = async (user: { username: string; password: string }) => {
        const res = await form('/auth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: 'demo-client' });
        expect(res.status).toBe(200);
        return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
      };
      const me = (access: string) => request(server()).get('/me').set('Authorization', `Bearer ${access}`);
      const refresh = (token: string) => form('/auth/token', { grant_type: 'refresh_token', refresh_token: token, client_id: 'demo-client' });

      it("another user's RFC 7009 revocation still succeeds and the token stops working", async () => {
        const victim = await signIn(await newUser());
        await me(victim.access).expect(200);
        const res = await form('/auth/revoke', { token: victim.access, client_id: 'demo-client' });
        expect(res.status).toBe(200);
        await me(victim.access).expect(401);
      });

      it('refresh-reuse detection still revokes the family and its access tokens', async () => {
        const victim = await signIn(await newUser());
        const rotated = await refresh(victim.refresh);
        expect(rotated.status).toBe(200);
        await me(rotated.body.access_token as string).expect(200);
        const reused = await refresh(victim.refresh); // the stolen, rotated-out token
        expect(reused.status).toBe(400);
        expect(reused.body.error).toBe('invalid_grant');
        await me(rotated.body.access_token as string).expect(401);
        expect((await refresh(rotated.body.refresh_token as string)).status).toBe(400);
      });

      it("another user's logout-all still succeeds and ends their tokens", async () => {
        const user = await newUser();
        const victim = await signIn(user);
        const session = await loginAs(apps.get(adapter)!, user);
        const res = await request(server()).post('/auth/session/logout-all').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
        expect(res.status).toBe(204);
        await me(victim.access).expect(401);
        expect((await refresh(victim.refresh)).status).toBe(400);
      });

      it("another user's password reset still succeeds and ends their tokens", async () => {
        const user = await newUser();
        const victim = await signIn(user);
        const app = apps.get(adapter)!;
        app.get(CapturingMailer).drain();
        await request(server()).post('/auth/password-reset').send({ email: user.email }).expect(202);
        await app.get(RecoveryContext).settled();
        const [mail] = app.get(CapturingMailer).drain();
        const res = await request(server()).post('/auth/password-reset/confirm').send({ token: mail.token, password: 'a-brand-new-password' });
        expect(res.status).toBe(204);
        await me(victim.access).expect(401);
        expect((await refresh(victim.refresh)).status).toBe(400);
      });
    });
  },
);
