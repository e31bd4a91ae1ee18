import { Injectable, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { type UserAccount, UserDirectory } from '../lib/index.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { InMemoryUsers, type TestUser } from './helpers/users.js';

const CAROL: TestUser = { id: 'u-carol', username: 'carol', password: 'carol-password', roles: ['user'], scopes: ['items:read'] };

/** A directory that matches names as SQL's `lower(trim(name)) = lower(trim($1))` does: five spellings, one account. */
@Injectable()
class NormalizingUsers extends InMemoryUsers {
  override findByUsername(username: string): Promise<UserAccount | null> {
    return super.findByUsername(username.trim().toLowerCase());
  }
}

/** Every spelling the directory resolves to carol's account. */
const SPELLINGS = ['carol', 'carol ', ' carol', 'carol\t', 'CAROL'];
const THRESHOLD = 5;

const cases = ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((variant) => [adapter, variant.name, variant] as const));

describe.each(cases)('issue 18 item 3: the lockout counts accounts, not spellings (%s, %s)', (adapter, _name, variant) => {
  let app: INestApplication;

  beforeEach(async () => {
    app = await createApp(
      adapter,
      {
        imports: [
          tokenTestModule({
            providers: [
              {
                provide: NormalizingUsers,
                useFactory: async () => {
                  const users = new NormalizingUsers();
                  await users.add(CAROL);
                  return users;
                },
              },
              // Replaces the fixture's directory: the module's providers are registered after its own.
              { provide: UserDirectory, useExisting: NormalizingUsers },
            ],
          }),
        ],
      },
      { override: (builder) => variant.override(builder) },
    );
  });
  afterEach(() => app.close());

  const signIn = (username: string, password: string) =>
    request(app.getHttpServer())
      .post('/auth/token')
      .type('form')
      .send(new URLSearchParams({ grant_type: 'password', username, password }).toString());

  it(`allows ${THRESHOLD} wrong guesses in all across ${SPELLINGS.length} spellings (${SPELLINGS.length} × ${THRESHOLD} attempted), then refuses the right password through every spelling`, async () => {
    // The sanity check: the directory really does resolve every spelling to carol.
    for (const spelling of SPELLINGS) expect((await app.get(UserDirectory).findByUsername(spelling))?.id).toBe(CAROL.id);

    let checked = 0; // guesses answered 400 (the password was checked), not 429
    for (const spelling of SPELLINGS) {
      for (let i = 0; i < THRESHOLD; i++) {
        const res = await signIn(spelling, `guess-${spelling.trim()}-${i}`);
        expect([400, 429]).toContain(res.status);
        if (res.status === 400) checked++;
      }
    }
    expect(checked).toBe(THRESHOLD);
    for (const spelling of SPELLINGS) {
      const res = await signIn(spelling, CAROL.password);
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('a success through one spelling clears the failures counted through the others (they are one account)', async () => {
    for (let i = 0; i < THRESHOLD - 1; i++) await signIn(SPELLINGS[i], 'wrong').expect(400);
    await signIn('CAROL', CAROL.password).expect(200);
    for (let i = 0; i < THRESHOLD - 1; i++) await signIn(SPELLINGS[i + 1], 'wrong').expect(400);
    await signIn('carol', CAROL.password).expect(200);
  });

  it('still counts unknown users by the submitted name, so lockouts reveal nothing about which accounts exist', async () => {
    for (let i = 0; i < THRESHOLD; i++) await signIn('mallory', 'wrong').expect(400);
    await signIn('mallory', 'wrong').expect(429);
    await signIn('MALLORY', 'wrong').expect(429); // names are case-folded, as before
    await signIn('carol', CAROL.password).expect(200);
  });
});
