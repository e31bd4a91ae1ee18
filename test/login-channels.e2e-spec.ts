import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthEventListener } from '../lib/index.js';
import { basicTestModule } from './fixtures/basic-app.js';
import { sessionsTestModule } from './fixtures/sessions-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { RecordedEvents } from './helpers/recorded-events.js';
import { ALICE, InMemoryUsers } from './helpers/users.js';

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const RECORDER = [RecordedEvents, { provide: AuthEventListener, useExisting: RecordedEvents }];

/** Every password check names where it happened, so an audit trail can tell a Basic guess from a form login. */
describe.each(ADAPTERS)('security events name the login channel (%s)', (adapter) => {
  const apps: INestApplication[] = [];
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  async function boot(module: object): Promise<{ app: INestApplication; events: RecordedEvents }> {
    const app = await createApp(adapter, { imports: [module as never], providers: RECORDER });
    apps.push(app);
    await app.get(InMemoryUsers).add(ALICE);
    return { app, events: app.get(RecordedEvents) };
  }

  it('HTTP Basic: channel=basic on success and failure', async () => {
    const { app, events } = await boot(basicTestModule());
    await request(app.getHttpServer()).get('/basic/whoami').set('Authorization', basic(ALICE.username, 'wrong-password')).expect(401);
    await request(app.getHttpServer()).get('/basic/whoami').set('Authorization', basic(ALICE.username, ALICE.password)).expect(200);
    expect(events.ofType('login.failed')).toEqual([expect.objectContaining({ reason: 'invalid_credentials', userId: ALICE.id, channel: 'basic' })]);
    expect(events.ofType('login.succeeded')).toEqual([expect.objectContaining({ userId: ALICE.id, channel: 'basic' })]);
  });

  it('session login: channel=session on success and failure', async () => {
    const { app, events } = await boot(sessionsTestModule());
    await request(app.getHttpServer()).post('/auth/session').send({ username: ALICE.username, password: 'wrong-password' }).expect(401);
    await request(app.getHttpServer()).post('/auth/session').send({ username: ALICE.username, password: ALICE.password }).expect(200);
    expect(events.ofType('login.failed')).toEqual([expect.objectContaining({ reason: 'invalid_credentials', userId: ALICE.id, channel: 'session' })]);
    expect(events.ofType('login.succeeded')).toEqual([expect.objectContaining({ userId: ALICE.id, channel: 'session' })]);
  });
});
