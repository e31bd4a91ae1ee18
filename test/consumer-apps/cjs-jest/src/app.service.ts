import { Injectable } from '@nestjs/common';

@Injectable()
export class AppService {
  userCount(): number {
    return 2;
  }
}
