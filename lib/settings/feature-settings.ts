import { AuthConfigurationError } from '../errors/configuration.error.js';

/**
 * A feature's section of the module options, validated once when the module starts. Features that
 * are off when their section is absent extend this: `enabled` says whether it is there, and
 * `require()` turns the use of an absent feature into a boot error that names the option to add.
 */
export abstract class FeatureSettings<T> {
  /** The validated section; `undefined` when the feature is off. */
  readonly config: T | undefined;

  protected constructor(
    config: T | undefined,
    private readonly whenMissing: { readonly problem: string; readonly fix: string },
  ) {
    this.config = config;
  }

  get enabled(): boolean {
    return this.config !== undefined;
  }

  /** The validated section, or a configuration error naming the option that is missing. */
  require(): T {
    if (this.config === undefined) throw AuthConfigurationError.create(this.whenMissing.problem, this.whenMissing.fix);
    return this.config;
  }
}
