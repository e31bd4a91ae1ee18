import { Controller, Get, Injectable, Module } from '@nestjs/common';
import request from 'supertest';
import { AuthModule, type AuthModuleOptions, Owner, type OwnershipResolver, Roles } from '../lib/index.js';
import { CaptureLogger } from './helpers/capture-logger.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './helpers/tokens.js';

@Injectable()
class NoteOwnership implements OwnershipResolver<{ id: string }> {
  resolve() {
    return { resource: { id: '1' }, ownerId: 'u-owner' };
  }
}

@Controller()
class RolesTypoController {
  @Roles('admin')
  @Get('admin')
  admin() {
    return { ok: true };
  }

  @Roles('viewer')
  @Get('viewer')
  viewer() {
    return { ok: true };
  }

  @Roles('admn')
  @Get('typo')
  typo() {
    return { ok: true };
  }

  @Roles('admn', 'admin')
  @Get('typo-too')
  typoToo() {
    return { ok: true };
  }

  @Owner(NoteOwnership, { bypass: ['supervisr'] })
  @Get('notes/:id')
  note() {
    return { ok: true };
  }
}


function appModule(roles: AuthModuleOptions['roles']) {
  @Module({
    imports: [
      AuthModule.forRoot({ realm: 'test', jwt: { algorithms: ['HS256'], secret: TEST_SECRET, issuer: TEST_ISSUER, audience: TEST_AUDIENCE }, roles }),
    ],
    controllers: [RolesTypoController],
    providers: [NoteOwnership],
  })
  class RolesTypoModule {}
  return RolesTypoModule;
}

const HIERARCHY = { hierarchy: { admin: ['editor'], editor: ['viewer'] }, permissions: { supervisor: ['notes:*'] } };

describe.each(ADAPTERS)('@Roles() typos are warned about at boot when a hierarchy is configured (%s)', (adapter) => {
  it('warns once per unknown role, naming every use, and boots anyway', async () => {
    const logs = new CaptureLogger();
    const app = await createApp(adapter, { imports: [appModule(HIERARCHY)] }, { beforeInit: (a) => a.useLogger(logs) });
    try {
      const warnings = logs.at('warn', 'appears nowhere in roles.hierarchy');
      expect(warnings).toEqual([
        'Role "admn" (@Roles() on RolesTypoController.typo, @Roles() on RolesTypoController.typoToo) appears nowhere in roles.hierarchy or roles.permissions: a typo? Only callers holding exactly "admn" will match. Add it to roles.hierarchy if it is real.',
        'Role "supervisr" (@Owner() bypass on RolesTypoController.note) appears nowhere in roles.hierarchy or roles.permissions: a typo? Only callers holding exactly "supervisr" will match. Add it to roles.hierarchy if it is real.',
      ]);
      expect(logs.at('error')).toEqual([]);
      // A warning, not a refusal: the role still works for callers that really hold it.
      const holder = await signTestToken({ roles: ['admn'] });
      await request(app.getHttpServer()).get('/typo').set('Authorization', `Bearer ${holder}`).expect(200);
      const admin = await signTestToken({ roles: ['admin'] });
      await request(app.getHttpServer()).get('/typo').set('Authorization', `Bearer ${admin}`).expect(403);
    } finally {
      await app.close();
    }
  });

  it('stays silent without a hierarchy (roles may come straight from an identity provider)', async () => {
    for (const roles of [undefined, { permissions: { editor: ['posts:*'] } }, { hierarchy: {} }]) {
      const logs = new CaptureLogger();
      const app = await createApp(adapter, { imports: [appModule(roles)] }, { beforeInit: (a) => a.useLogger(logs) });
      try {
        expect(logs.at('warn', 'appears nowhere')).toEqual([]);
      } finally {
        await app.close();
      }
    }
  });

  it('stays silent when every role used is configured (a role of its own: admn: [])', async () => {
    const logs = new CaptureLogger();
    const roles = { hierarchy: { admin: ['editor'], editor: ['viewer'], admn: [] }, permissions: { supervisr: ['notes:*'] } };
    const app = await createApp(adapter, { imports: [appModule(roles)] }, { beforeInit: (a) => a.useLogger(logs) });
    try {
      expect(logs.at('warn', 'appears nowhere')).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
