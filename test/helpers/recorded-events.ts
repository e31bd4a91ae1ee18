import { Injectable } from '@nestjs/common';
import { type AuthEvent, AuthEventListener } from '../../lib/index.js';

/** An `AuthEventListener` that keeps what it receives: `{ provide: AuthEventListener, useExisting: RecordedEvents }`. */
@Injectable()
export class RecordedEvents extends AuthEventListener {
  readonly events: AuthEvent[] = [];

  handle(event: AuthEvent): void {
    this.events.push(event);
  }

  ofType<T extends AuthEvent['type']>(type: T): Extract<AuthEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<AuthEvent, { type: T }> => event.type === type);
  }

  clear(): void {
    this.events.length = 0;
  }
}
