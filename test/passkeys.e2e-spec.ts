import { type INestApplication, Module } from '@nestjs/common';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { AuthModule, Clock, PasskeyDirectory, UserDirectory } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { passkeysTestModule } from './fixtures/passkeys-app.js';
import { CHROMIUM_PATH, closeBrowser, launchBrowser } from './helpers/browser.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import {
  addVirtualAuthenticator,
  createInPage,
  credentialsOf,
  freePort,
  getInPage,
  InMemoryPasskeys,
  softwareAssertion,
} from './helpers/passkeys.js';
import { loginAs, sessionFrom, type TestSession } from './helpers/sessions.js';
import { FlakyStore } from './helpers/flaky-store.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { RecordedEvents } from './helpers/recorded-events.js';
import { InMemoryUsers, type TestUser } from './helpers/users.js';

/** Pages may reach loopback names only (`localhost` and its subdomains, which Chromium resolves to loopback). */
async function loopbackContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    return hostname === 'localhost' || hostname.endsWith('.localhost') ? route.continue() : route.abort('blockedbyclient');
  });
  return context;
}

const LOCKOUT_THRESHOLD = 4;
const UNVERIFIED = (options: Record<string, unknown>) => ({ ...options, userVerification: 'discouraged' });

describe.each(ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((store) => [adapter, store.name, store] as const)))(
  'passkeys (%s, %s)',
  (adapter, _storeName, variant) => {
    const clock = new FakeClock(Date.now());
    let browser: Browser;
    let context: BrowserContext;
    let app: INestApplication;
    let second: INestApplication;
    let origin: string;
    let port: number;
    let otherOrigin: string;
    let serial = 0;
    const server = () => app.getHttpServer();

    beforeAll(async () => {
      expect(CHROMIUM_PATH).toBe('/usr/bin/chromium');
      browser = await launchBrowser();
      context = await loopbackContext(browser);
      port = await freePort();
      origin = `http://localhost:${port}`;
      // sub.localhost:port is an accepted origin of the same relying party; localhost:otherPort is not.
      const origins = [origin, `http://sub.localhost:${port}`];
      const [storeA, storeB] = variant.pair();
      const lockout = { accountThreshold: LOCKOUT_THRESHOLD };
      app = await createApp(adapter, { imports: [passkeysTestModule(origins, { store: storeA, lockout })] }, {
        override: (b) => b.overrideProvider(Clock).useValue(clock),
      });
      await app.listen(port);
      // A second instance on the same state, as behind a balancer (its own directory is synced in the test).
      second = await createApp(adapter, { imports: [passkeysTestModule(origins, { store: storeB, lockout })] }, {
        override: (b) => b.overrideProvider(Clock).useValue(clock),
      });
      otherOrigin = `http://localhost:${await freePort()}`;
      await second.listen(Number(new URL(otherOrigin).port));
    });
    afterAll(async () => {
      await closeBrowser(browser);
      await second?.close();
      await app?.close();
    });

    async function newUser(): Promise<TestUser> {
      const name = `pk${++serial}`;
      const user = { id: `u-${name}`, username: name, password: `${name}-password`, roles: ['user'] };
      await app.get(InMemoryUsers).add(user);
      await second.get(InMemoryUsers).add(user);
      return user;
    }

    /** A page on `pageOrigin` with its own authenticator. */
    async function pageWithAuthenticator(pageOrigin = origin, options: Parameters<typeof addVirtualAuthenticator>[1] = {}) {
      const page = await context.newPage();
      await page.goto(`${pageOrigin}/blank`);
      return { page, authenticator: await addVirtualAuthenticator(page, options) };
    }

    const post = (path: string, session?: TestSession, target: INestApplication = app) => {
      const req = request(target.getHttpServer()).post(path);
      return session ? req.set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf) : req;
    };

    /** Registers a passkey for `user` through the endpoints, made by the page's authenticator. */
    async function register(user: TestUser, page: Page): Promise<{ session: TestSession; credentialId: string }> {
      const session = await loginAs(app, user);
      const options = await post('/auth/passkeys/registration/options', session).send({});
      expect(options.status).toBe(200);
      const response = await createInPage(page, options.body);
      const created = await post('/auth/passkeys/registration', session).send({ response, name: 'Laptop' });
      expect(created.status).toBe(201);
      for (const stored of app.get(InMemoryPasskeys).passkeys.values()) if (stored.id === created.body.id) await second.get(InMemoryPasskeys).add(stored);
      return { session, credentialId: created.body.id as string };
    }

    async function signInOptions(body: object = {}, target: INestApplication = app) {
      const res = await post('/auth/passkeys/authentication/options', undefined, target).send(body);
      expect(res.status).toBe(200);
      return res.body as Record<string, unknown>;
    }

    const snapshot = (credentialId: string) => JSON.stringify(app.get(InMemoryPasskeys).passkeys.get(credentialId));

    it('registers a passkey, then signs in without a username: a session whose amr is hwk, user, mfa', async () => {
      const user = await newUser();
      const { page } = await pageWithAuthenticator();
      const session = await loginAs(app, user);
      const options = await post('/auth/passkeys/registration/options', session).send({});
      expect(options.status).toBe(200);
      expect(options.headers['cache-control']).toBe('no-store');
      expect(options.body).toMatchObject({
        rp: { id: 'localhost', name: 'Nest Warden Test' },
        user: { name: user.username },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      expect(options.body.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const response = await createInPage(page, options.body);
      const created = await post('/auth/passkeys/registration', session).send({ response, name: 'Laptop' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: response.id, name: 'Laptop', deviceType: 'singleDevice', backedUp: false });
      const stored = app.get(InMemoryPasskeys).passkeys.get(created.body.id as string)!;
      expect(stored).toMatchObject({ userId: user.id, counter: 1, transports: ['internal'] });

      const get = await signInOptions();
      expect(get).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [] });
      const assertion = await getInPage(page, get);
      const signedIn = await post('/auth/passkeys/authentication').send({ response: assertion });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.amr).toEqual(['hwk', 'user', 'mfa']);
      const passkeySession = sessionFrom(signedIn, signedIn.body.csrfToken as string);
      const me = await request(server()).get('/me').set('Cookie', passkeySession.cookie);
      expect(me.body).toEqual({ id: user.id, username: user.username, strategy: 'session', amr: ['hwk', 'user', 'mfa'] });
      // A passkey with user verification is the second factor.
      const vault = await request(server()).get('/vault').set('Cookie', passkeySession.cookie);
      expect(vault.status).toBe(200);
      expect(app.get(InMemoryPasskeys).passkeys.get(created.body.id as string)).toMatchObject({ counter: 2, lastUsedAt: clock.now() });
      expect(app.get(RecordedEvents).ofType('login.succeeded').at(-1)).toMatchObject({ userId: user.id, username: user.username, channel: 'passkey' });
      await page.close();
    });

    it('with a username, the options allow only that account\'s passkeys; an unknown username looks the same as one without', async () => {
      const user = await newUser();
      const { page } = await pageWithAuthenticator();
      const { credentialId } = await register(user, page);
      const options = await signInOptions({ username: user.username });
      expect(options.allowCredentials).toEqual([{ id: credentialId, type: 'public-key', transports: ['internal'] }]);
      const unknown = await signInOptions({ username: 'nobody-here' });
      expect(unknown.allowCredentials).toEqual([]);
      const res = await post('/auth/passkeys/authentication').send({ response: await getInPage(page, options) });
      expect(res.status).toBe(200);
      await page.close();
    });

    it('lists, renames and deletes the user\'s passkeys (deleting needs the second factor)', async () => {
      const user = await newUser();
      const { page } = await pageWithAuthenticator();
      const { session, credentialId } = await register(user, page);
      const list = await request(server()).get('/auth/passkeys').set('Cookie', session.cookie);
      expect(list.status).toBe(200);
      expect(list.body).toEqual([expect.objectContaining({ id: credentialId, name: 'Laptop', transports: ['internal'] })]);
      expect(JSON.stringify(list.body)).not.toContain('publicKey');
      const renamed = await request(server()).patch(`/auth/passkeys/${credentialId}`).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).send({ name: 'Work laptop' });
      expect(renamed.status).toBe(200);
      expect(app.get(InMemoryPasskeys).passkeys.get(credentialId)!.name).toBe('Work laptop');
      const other = await newUser();
      const otherSession = await loginAs(app, other);
      const notTheirs = await request(server()).patch(`/auth/passkeys/${credentialId}`).set('Cookie', otherSession.cookie).set('X-CSRF-Token', otherSession.csrf).send({ name: 'Mine' });
      expect(notTheirs.status).toBe(404);
      // A password session is one factor: deleting is refused until a passkey step-up.
      const del = () => request(server()).delete(`/auth/passkeys/${credentialId}`);
      const refused = await del().set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
      expect(refused.status).toBe(403);
      const stepOptions = await post('/auth/passkeys/step-up/options', session).send({});
      expect(stepOptions.status).toBe(200);
      const stepped = await post('/auth/passkeys/step-up', session).send({ response: await getInPage(page, stepOptions.body) });
      expect(stepped.status).toBe(200);
      expect(stepped.body.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
      const strong = sessionFrom(stepped, stepped.body.csrfToken as string);
      expect((await del().set('Cookie', strong.cookie).set('X-CSRF-Token', strong.csrf)).status).toBe(204);
      expect(app.get(InMemoryPasskeys).passkeys.has(credentialId)).toBe(false);
      await page.close();
    });

    it('refuses a cross-site sign-in (login CSRF) and replaces the session the request came with (no fixation)', async () => {
      const user = await newUser();
      const { page } = await pageWithAuthenticator();
      await register(user, page);
      const crossSite = await post('/auth/passkeys/authentication').set('Origin', 'https://evil.example').send({ response: await getInPage(page, await signInOptions()) });
      expect(crossSite.status).toBe(403);
      expect(crossSite.body.message).toBe('Cross-site request refused');
      const earlier = await loginAs(app, user);
      const res = await post('/auth/passkeys/authentication').set('Cookie', earlier.cookie).send({ response: await getInPage(page, await signInOptions()) });
      expect(res.status).toBe(200);
      const fresh = sessionFrom(res, res.body.csrfToken as string);
      expect(fresh.id).not.toBe(earlier.id);
      expect((await request(server()).get('/me').set('Cookie', earlier.cookie)).status).toBe(401);
      expect((await request(server()).get('/me').set('Cookie', fresh.cookie)).status).toBe(200);
      await page.close();
    });

    it('keeps the backup flags: a synced passkey is multiDevice, and a change of its backup state is recorded at sign-in', async () => {
      const user = await newUser();
      const { page, authenticator } = await pageWithAuthenticator(origin, { backupEligible: true });
      const { credentialId } = await register(user, page);
      expect(app.get(InMemoryPasskeys).passkeys.get(credentialId)).toMatchObject({ deviceType: 'multiDevice', backedUp: false });
      const [credential] = await credentialsOf(authenticator);
      await authenticator.cdp.send('WebAuthn.setCredentialProperties', {
        authenticatorId: authenticator.authenticatorId,
        credentialId: credential.credentialId,
        backupState: true,
      });
      const res = await post('/auth/passkeys/authentication').send({ response: await getInPage(page, await signInOptions()) });
      expect(res.status).toBe(200);
      expect(app.get(InMemoryPasskeys).passkeys.get(credentialId)).toMatchObject({ deviceType: 'multiDevice', backedUp: true });
      await page.close();
    });

    describe('refusals: clear errors, nothing changed', () => {
      it('a replayed assertion: the challenge works once, also across two instances on one store', async () => {
        const user = await newUser();
        const { page } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        const assertion = await getInPage(page, await signInOptions());
        const [a, b] = await Promise.all([
          post('/auth/passkeys/authentication').send({ response: assertion }),
          post('/auth/passkeys/authentication', undefined, second).send({ response: assertion }),
        ]);
        expect([a.status, b.status].sort()).toEqual([200, 401]);
        const refused = a.status === 401 ? a : b;
        expect(refused.body.message).toBe('The passkey challenge expired or was used already: start again');
        const before = snapshot(credentialId);
        const again = await post('/auth/passkeys/authentication').send({ response: assertion });
        expect(again.status).toBe(401);
        expect(again.body.message).toBe('The passkey challenge expired or was used already: start again');
        expect(again.headers['set-cookie']).toBeUndefined();
        expect(snapshot(credentialId)).toBe(before);
        await page.close();
      });

      it('an expired challenge', async () => {
        const user = await newUser();
        const { page } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        const assertion = await getInPage(page, await signInOptions());
        const before = snapshot(credentialId);
        clock.advance(5 * 60_000 + 1);
        const res = await post('/auth/passkeys/authentication').send({ response: assertion });
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('The passkey challenge expired or was used already: start again');
        expect(snapshot(credentialId)).toBe(before);
        await page.close();
      });

      it('a wrong origin: the page on another origin (another port) of the same rpId', async () => {
        const user = await newUser();
        const { page, authenticator } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        const [credential] = await credentialsOf(authenticator);
        const foreign = await pageWithAuthenticator(otherOrigin);
        await foreign.authenticator.cdp.send('WebAuthn.addCredential', { authenticatorId: foreign.authenticator.authenticatorId, credential });
        const before = snapshot(credentialId);
        const assertion = await getInPage(foreign.page, await signInOptions());
        const res = await post('/auth/passkeys/authentication').send({ response: assertion });
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('The passkey was used on an origin this site does not accept');
        expect(snapshot(credentialId)).toBe(before);
        await Promise.all([page.close(), foreign.page.close()]);
      });

      it('a wrong relying-party id: the same key used for another rpId from an accepted origin', async () => {
        const user = await newUser();
        const { page, authenticator } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        const [credential] = await credentialsOf(authenticator);
        const sub = await pageWithAuthenticator(`http://sub.localhost:${port}`);
        await sub.authenticator.cdp.send('WebAuthn.addCredential', {
          authenticatorId: sub.authenticator.authenticatorId,
          credential: { ...credential, rpId: 'sub.localhost' },
        });
        const before = snapshot(credentialId);
        const assertion = await getInPage(sub.page, { ...(await signInOptions()), rpId: 'sub.localhost' });
        const res = await post('/auth/passkeys/authentication').send({ response: assertion });
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('The passkey is for another relying party (rpId)');
        expect(snapshot(credentialId)).toBe(before);
        await Promise.all([page.close(), sub.page.close()]);
      });

      it('no user verification while it is required', async () => {
        const user = await newUser();
        const { page, authenticator } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: false });
        const before = snapshot(credentialId);
        const assertion = await getInPage(page, UNVERIFIED(await signInOptions()));
        const res = await post('/auth/passkeys/authentication').send({ response: assertion });
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('User verification (PIN or biometrics) is required');
        expect(snapshot(credentialId)).toBe(before);
        await page.close();
      });

      it("another user's passkey: for a username's sign-in, and for a signed-in user's step-up", async () => {
        const alice = await newUser();
        const bob = await newUser();
        const { page } = await pageWithAuthenticator();
        const { credentialId } = await register(alice, page);
        const before = snapshot(credentialId);
        // Bob's sign-in options list none of Alice's passkeys; her passkey answers anyway.
        const asBob = await post('/auth/passkeys/authentication').send({ response: await getInPage(page, { ...(await signInOptions({ username: bob.username })), allowCredentials: [] }) });
        expect(asBob.status).toBe(401);
        expect(asBob.body.message).toBe('This passkey belongs to another account');
        // Bob, signed in, steps up with Alice's passkey: 400 (his session stays valid), no step-up.
        const bobPage = await pageWithAuthenticator();
        await register(bob, bobPage.page);
        const bobSession = await loginAs(app, bob);
        const options = await post('/auth/passkeys/step-up/options', bobSession).send({});
        const stepUp = await post('/auth/passkeys/step-up', bobSession).send({ response: await getInPage(page, { ...options.body, allowCredentials: [] }) });
        expect(stepUp.status).toBe(400);
        expect(stepUp.body.message).toBe('This passkey belongs to another account');
        expect((await request(server()).get('/vault').set('Cookie', bobSession.cookie)).status).toBe(403);
        expect(snapshot(credentialId)).toBe(before);
        await Promise.all([page.close(), bobPage.page.close()]);
      });

      it('a signature counter that went backwards (a cloned authenticator)', async () => {
        const user = await newUser();
        const { page, authenticator } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        expect((await post('/auth/passkeys/authentication').send({ response: await getInPage(page, await signInOptions()) })).status).toBe(200);
        const [credential] = await credentialsOf(authenticator);
        // The clone: the same key with the counter from before the last sign-in.
        const clone = await pageWithAuthenticator();
        await clone.authenticator.cdp.send('WebAuthn.addCredential', {
          authenticatorId: clone.authenticator.authenticatorId,
          credential: { ...credential, signCount: 0 },
        });
        const before = snapshot(credentialId);
        const res = await post('/auth/passkeys/authentication').send({ response: await getInPage(clone.page, await signInOptions()) });
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('The passkey signature counter went backwards: the authenticator may be cloned');
        expect(snapshot(credentialId)).toBe(before);
        await Promise.all([page.close(), clone.page.close()]);
      });

      it('accepts a counter of 0 after 0 (an authenticator without a counter, WebAuthn §6.1.1), and keeps it 0', async () => {
        const user = await newUser();
        const { page, authenticator } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        // As registered by an authenticator that keeps no counter (most synced passkeys).
        const directory = app.get(InMemoryPasskeys);
        directory.passkeys.set(credentialId, { ...directory.passkeys.get(credentialId)!, counter: 0 });
        const [credential] = await credentialsOf(authenticator);
        for (let i = 0; i < 2; i++) {
          const { challenge } = (await signInOptions()) as { challenge: string };
          const response = softwareAssertion(credential, { challenge, origin, rpId: 'localhost', counter: 0 });
          const res = await post('/auth/passkeys/authentication').send({ response });
          expect(res.status).toBe(200);
          expect(res.body.amr).toEqual(['hwk', 'user', 'mfa']);
          expect(directory.passkeys.get(credentialId)!.counter).toBe(0);
        }
        // 0 after a real counter is a counter that went backwards.
        directory.passkeys.set(credentialId, { ...directory.passkeys.get(credentialId)!, counter: 3 });
        const { challenge } = (await signInOptions()) as { challenge: string };
        const refused = await post('/auth/passkeys/authentication').send({ response: softwareAssertion(credential, { challenge, origin, rpId: 'localhost', counter: 0 }) });
        expect(refused.status).toBe(401);
        expect(refused.body.message).toBe('The passkey signature counter went backwards: the authenticator may be cloned');
        await page.close();
      });

      it('a bad signature, an unknown passkey, and a step-up without any passkey', async () => {
        const user = await newUser();
        const { page, authenticator } = await pageWithAuthenticator();
        const { credentialId } = await register(user, page);
        const [credential] = await credentialsOf(authenticator);
        const before = snapshot(credentialId);
        const { challenge } = (await signInOptions()) as { challenge: string };
        const forged = softwareAssertion(credential, { challenge, origin, rpId: 'localhost', counter: 9 }) as { response: { signature: string } };
        const bytes = Buffer.from(forged.response.signature, 'base64url');
        bytes[bytes.length - 1] ^= 0xff;
        forged.response.signature = bytes.toString('base64url');
        const bad = await post('/auth/passkeys/authentication').send({ response: forged });
        expect(bad.status).toBe(401);
        expect(bad.body.message).toBe('The passkey signature is invalid');
        expect(snapshot(credentialId)).toBe(before);

        const unknown = await post('/auth/passkeys/authentication').send({
          response: softwareAssertion({ ...credential, credentialId: Buffer.from('nobody registered this').toString('base64') }, {
            challenge: ((await signInOptions()) as { challenge: string }).challenge,
            origin,
            rpId: 'localhost',
            counter: 9,
          }),
        });
        expect(unknown.status).toBe(401);
        expect(unknown.body.message).toBe('Unknown passkey');
        expect(unknown.headers['www-authenticate']).toBe('Cookie realm="test", cookie-name="nw_session"');

        const stranger = await loginAs(app, await newUser());
        const none = await post('/auth/passkeys/step-up/options', stranger).send({});
        expect(none.status).toBe(400);
        expect(none.body.message).toBe('This account has no passkey');
        await page.close();
      });

      it('failed assertions count toward the account lockout (429, the right passkey too)', async () => {
        const user = await newUser();
        const { page, authenticator } = await pageWithAuthenticator();
        await register(user, page);
        await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: false });
        const events = app.get(RecordedEvents);
        events.clear();
        for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
          const res = await post('/auth/passkeys/authentication').send({ response: await getInPage(page, UNVERIFIED(await signInOptions())) });
          expect(res.status).toBe(401);
        }
        await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: true });
        const locked = await post('/auth/passkeys/authentication').send({ response: await getInPage(page, await signInOptions()) });
        expect(locked.status).toBe(429);
        const failed = events.ofType('login.failed');
        expect(failed.map((e) => [e.reason, e.userId, e.channel])).toEqual([
          ...Array.from({ length: LOCKOUT_THRESHOLD }, () => ['invalid_credentials', user.id, 'passkey']),
          ['locked', user.id, 'passkey'],
        ]);
        expect(events.ofType('login.locked')).toEqual([expect.objectContaining({ scope: 'account', userId: user.id, channel: 'passkey' })]);
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
        await page.close();
      });

      it('a registration answering another challenge, or from a wrong origin, is refused and stores nothing', async () => {
        const user = await newUser();
        const { page } = await pageWithAuthenticator();
        const session = await loginAs(app, user);
        const options = await post('/auth/passkeys/registration/options', session).send({});
        const response = await createInPage(page, options.body);
        const other = await newUser();
        const otherSession = await loginAs(app, other);
        const stolen = await post('/auth/passkeys/registration', otherSession).send({ response });
        expect(stolen.status).toBe(400);
        expect(stolen.body.message).toBe('This passkey challenge was issued to another account');
        const replay = await post('/auth/passkeys/registration', session).send({ response });
        expect(replay.status).toBe(400);
        expect(replay.body.message).toBe('The passkey challenge expired or was used already: start again');
        const foreign = await pageWithAuthenticator(otherOrigin);
        const fresh = await post('/auth/passkeys/registration/options', session).send({});
        const wrongOrigin = await post('/auth/passkeys/registration', session).send({ response: await createInPage(foreign.page, fresh.body) });
        expect(wrongOrigin.status).toBe(400);
        expect(wrongOrigin.body.message).toBe('The passkey was used on an origin this site does not accept');
        expect(await app.get(InMemoryPasskeys).listByUser(user.id)).toEqual([]);
        expect(await app.get(InMemoryPasskeys).listByUser(other.id)).toEqual([]);
        await Promise.all([page.close(), foreign.page.close()]);
      });

      it('a body that is no passkey response: 400, nothing consumed or counted', async () => {
        for (const response of [undefined, 'x', { id: 'a', rawId: 'b', type: 'public-key', response: {} }, { id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: 'bm90IGpzb24' } }]) {
          const res = await post('/auth/passkeys/authentication').send({ response });
          expect(res.status).toBe(400);
          expect(res.body.message).toMatch(/^Malformed passkey response: /);
        }
      });
    });
  },
);

/** `userVerification: 'preferred'`: a touch is enough to sign in, but then it is one factor. */
describe.each(ADAPTERS)('passkeys without user verification (%s)', (adapter) => {
  let browser: Browser;
  let app: INestApplication;
  let origin: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    const port = await freePort();
    origin = `http://localhost:${port}`;
    app = await createApp(adapter, { imports: [passkeysTestModule([origin], { passkeys: { rpId: 'localhost', origins: [origin], userVerification: 'preferred' } })] });
    await app.listen(port);
  });
  afterAll(async () => {
    await closeBrowser(browser);
    await app?.close();
  });

  it('signs in with amr hwk, user (no mfa); a password session stepped up with it gains mfa', async () => {
    const user = { id: 'u-touch', username: 'touch', password: 'touch-password' };
    await app.get(InMemoryUsers).add(user);
    const page = await (await loopbackContext(browser)).newPage();
    await page.goto(`${origin}/blank`);
    const authenticator = await addVirtualAuthenticator(page);
    const session = await loginAs(app, user);
    const post = (path: string, s?: TestSession) => {
      const req = request(app.getHttpServer()).post(path);
      return s ? req.set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf) : req;
    };
    const options = await post('/auth/passkeys/registration/options', session).send({});
    expect(options.body.authenticatorSelection.userVerification).toBe('preferred');
    expect((await post('/auth/passkeys/registration', session).send({ response: await createInPage(page, options.body) })).status).toBe(201);
    // From now on the user only touches the authenticator (the page asks for no verification).
    await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: false });

    const get = await post('/auth/passkeys/authentication/options').send({});
    const signedIn = await post('/auth/passkeys/authentication').send({ response: await getInPage(page, UNVERIFIED(get.body)) });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.amr).toEqual(['hwk', 'user']);
    const touchOnly = sessionFrom(signedIn, signedIn.body.csrfToken as string);
    expect((await request(app.getHttpServer()).get('/vault').set('Cookie', touchOnly.cookie)).status).toBe(403);

    // The same key again is no second factor; a password plus the key is.
    const again = await post('/auth/passkeys/step-up/options', touchOnly).send({});
    const sameFactor = await post('/auth/passkeys/step-up', touchOnly).send({ response: await getInPage(page, UNVERIFIED(again.body)) });
    expect(sameFactor.body.amr).toEqual(['hwk', 'user']);
    const stepOptions = await post('/auth/passkeys/step-up/options', session).send({});
    const stepped = await post('/auth/passkeys/step-up', session).send({ response: await getInPage(page, UNVERIFIED(stepOptions.body)) });
    expect(stepped.body.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    const strong = sessionFrom(stepped, stepped.body.csrfToken as string);
    expect((await request(app.getHttpServer()).get('/vault').set('Cookie', strong.cookie)).status).toBe(200);
  });
});

describe.each(ADAPTERS)('passkeys: configuration errors at boot, store outages (%s)', (adapter) => {
  const origins = ['http://localhost:3000'];

  it('refuses to boot without the passkeys option, a PasskeyDirectory, or sessions for sign-in, naming the fix', async () => {
    await expect(createApp(adapter, { imports: [passkeysTestModule(origins, { passkeys: undefined })] })).rejects.toThrow(
      'nest-warden: passkeyEndpoints are mounted but the passkeys option is missing. Add passkeys: { rpId, origins } to AuthModule.forRoot(), or remove passkeyEndpoints.',
    );
    @Module({
      imports: [AuthModule.forRoot({ passkeys: { rpId: 'localhost', origins }, passkeyEndpoints: true })],
      providers: [InMemoryUsers, { provide: UserDirectory, useExisting: InMemoryUsers }, InMemoryPasskeys, { provide: PasskeyDirectory, useExisting: InMemoryPasskeys }],
    })
    class NoSessionModule {}
    await expect(createApp(adapter, { imports: [NoSessionModule] })).rejects.toThrow(
      'nest-warden: passkey sign-in and step-up start sessions, but the session option is missing. Add session: {} to AuthModule.forRoot(), or set authentication and stepUp to false in passkeyEndpoints.',
    );
    @Module({
      imports: [AuthModule.forRoot({ session: {}, passkeys: { rpId: 'localhost', origins }, passkeyEndpoints: true })],
      providers: [InMemoryUsers, { provide: UserDirectory, useExisting: InMemoryUsers }],
    })
    class NoDirectoryModule {}
    await expect(createApp(adapter, { imports: [NoDirectoryModule] })).rejects.toThrow(
      'nest-warden: passkeys need a PasskeyDirectory. Provide one in your module: { provide: PasskeyDirectory, useClass: YourPasskeyRepository }.',
    );
    @Module({
      imports: [AuthModule.forRoot({ session: {}, passkeys: { rpId: 'localhost', origins }, passkeyEndpoints: true })],
      providers: [InMemoryPasskeys, { provide: PasskeyDirectory, useExisting: InMemoryPasskeys }],
    })
    class NoUsersModule {}
    await expect(createApp(adapter, { imports: [NoUsersModule] })).rejects.toThrow(
      'nest-warden: passkeys need a UserDirectory (a passkey sign-in starts a session for the account it finds). Provide one in your module: { provide: UserDirectory, useClass: YourUsersService }.',
    );
    await expect(createApp(adapter, { imports: [passkeysTestModule(['http://evil.example'])] })).rejects.toThrow(
      "passkeys.origins: http://evil.example is not https.",
    );
  });

  it('fails closed while the store is down: 503 with Retry-After, never a sign-in', async () => {
    const store = new FlakyStore(new FakeClock());
    const app = await createApp(adapter, { imports: [passkeysTestModule(origins, { store })] });
    try {
      store.down = true;
      const options = await request(app.getHttpServer()).post('/auth/passkeys/authentication/options').send({});
      expect(options.status).toBe(503);
      expect(options.headers['retry-after']).toBeDefined();
      const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: 'AAAA', origin: origins[0] })).toString('base64url');
      const response = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON, authenticatorData: 'AAAA', signature: 'AAAA' } };
      const signIn = await request(app.getHttpServer()).post('/auth/passkeys/authentication').send({ response });
      expect(signIn.status).toBe(503);
      expect(signIn.headers['set-cookie']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
