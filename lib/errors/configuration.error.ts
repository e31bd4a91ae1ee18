/**
 * Thrown at boot when nest-warden is configured in a way that cannot work or is unsafe.
 * The message always says what to change.
 */
export class AuthConfigurationError extends Error {
  override readonly name = 'AuthConfigurationError';
  readonly code = 'invalid_configuration';

  static create(problem: string, fix: string): AuthConfigurationError {
    return new AuthConfigurationError(`nest-warden: ${problem} ${fix}`);
  }
}
