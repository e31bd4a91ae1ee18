/** Role hierarchy and role → permission grants (`forRoot({ roles })`). */
export interface RoleOptions {
  /** Each role maps to the roles it implies: `{ admin: ['editor'], editor: ['viewer'] }`. */
  readonly hierarchy?: Readonly<Record<string, readonly string[]>>;
  /** Grants each role carries (wildcards allowed): `{ editor: ['posts:*'] }`. */
  readonly permissions?: Readonly<Record<string, readonly string[]>>;
}
