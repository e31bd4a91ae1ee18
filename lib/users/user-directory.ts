/** An account as nest-warden needs to see it for password logins. */
export interface UserAccount {
  readonly id: string;
  readonly username: string;
  /** An argon2id hash from `PasswordHasher.hash()`. */
  readonly passwordHash: string;
  readonly roles?: readonly string[];
  readonly permissions?: readonly string[];
  /** OAuth2 scopes this user may be granted. */
  readonly scopes?: readonly string[];
  /** Disabled accounts cannot log in (answered exactly like a wrong password). */
  readonly disabled?: boolean;
}

/**
 * Where nest-warden finds accounts for HTTP Basic, the password grant and session login.
 * Provide it in your module: `{ provide: UserDirectory, useClass: UsersService }`.
 */
export abstract class UserDirectory {
  abstract findByUsername(username: string): Promise<UserAccount | null>;
  abstract findById(id: string): Promise<UserAccount | null>;
  /** Called after a successful login when the stored hash uses outdated parameters. */
  updatePasswordHash?(id: string, passwordHash: string): Promise<void>;
}
