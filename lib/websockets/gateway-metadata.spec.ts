import { Reflector } from '@nestjs/core';
import {
  GATEWAY_METADATA as NEST_GATEWAY,
  MESSAGE_MAPPING_METADATA as NEST_MESSAGE_MAPPING,
} from '@nestjs/websockets/constants.js';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import {
  GATEWAY_METADATA,
  gatewayHandlers,
  isGateway,
  MESSAGE_MAPPING_METADATA,
} from './gateway-metadata.js';

@WebSocketGateway()
class EventsGateway {
  @SubscribeMessage('events') events(): void {}
  handleConnection(): void {}
}

class NotAGateway {}

describe('gateway metadata', () => {
  it('reads the keys @nestjs/websockets writes', () => {
    expect([GATEWAY_METADATA, MESSAGE_MAPPING_METADATA]).toEqual([NEST_GATEWAY, NEST_MESSAGE_MAPPING]);
  });

  it('finds gateways and their message handlers only', () => {
    const reflector = new Reflector();
    expect(isGateway(reflector, EventsGateway)).toBe(true);
    expect(isGateway(reflector, NotAGateway)).toBe(false);
    expect(gatewayHandlers(reflector, EventsGateway, ['events', 'handleConnection'])).toEqual([
      { handler: EventsGateway.prototype.events, methodName: 'events' },
    ]);
  });
});
