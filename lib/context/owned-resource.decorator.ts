import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestFromContext } from './context-request.js';
import { getOwnedResource } from '../request/request-state.js';

/** Injects the resource that the `@Owner()` resolver loaded, so the handler does not load it again. */
export const OwnedResource = createParamDecorator((_: unknown, context: ExecutionContext) =>
  getOwnedResource(requestFromContext(context)),
);
