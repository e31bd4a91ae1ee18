import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import { type AuthRequest, readHeader } from './auth-request.js';

/**
 * The JSON object a request carries, for the module's own endpoints. Only `application/json` is
 * accepted: a cross-site HTML form or a "simple" `fetch` can send `text/plain` or form bodies
 * without a CORS preflight, never `application/json` (FastAPI CVE-2021-32677 was a CSRF through a
 * `text/plain` body parsed as JSON).
 */
export function readJsonObject(request: AuthRequest & { readonly body?: unknown }): Record<string, unknown> {
  const contentType = readHeader(request, 'content-type');
  const mediaType = contentType?.split(';', 1)[0].trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new UnsupportedMediaTypeException('Send the body as application/json');
  }
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestException('The body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A required, non-empty string field of at most `maxLength` characters; 400 otherwise. */
export function requireString(body: Record<string, unknown>, field: string, maxLength = 1024): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new BadRequestException(`"${field}" must be a non-empty string`);
  }
  if (value.length > maxLength) {
    throw new BadRequestException(`"${field}" must be at most ${maxLength} characters`);
  }
  return value;
}
