import { Module } from '@nestjs/common';
import { AuthModule } from 'nest-warden';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['HS256'], secret: process.env.JWT_SECRET ?? 'a-development-secret-of-at-least-32-bytes' },
    }),
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
