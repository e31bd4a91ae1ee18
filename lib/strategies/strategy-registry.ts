import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { CoreSettings } from '../settings/core-settings.js';
import { AuthStrategy } from './auth-strategy.js';
import { AUTH_STRATEGIES, type StrategyContribution, StrategyGroup } from './strategy-tokens.js';

/**
 * Every enabled strategy by name, from the list the module contributes ({@link AUTH_STRATEGIES}).
 * Strategies are resolved through `ModuleRef` by class token, so `overrideProvider(JwtStrategy)`
 * replaces the real one everywhere, and the app's own strategies (providers of its modules) can
 * inject its services. The registry knows the contract only, never a strategy.
 */
@Injectable()
export class StrategyRegistry implements OnModuleInit {
  private readonly logger = new Logger('nest-warden');
  private readonly byName = new Map<string, AuthStrategy>();
  /** Names whose provider class protects unmarked routes (`static byDefault`), in contribution order. */
  private readonly defaultCandidates: string[] = [];
  private defaults: readonly string[] = [];
  private loaded = false;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly settings: CoreSettings,
    @Inject(AUTH_STRATEGIES) private readonly contributions: readonly StrategyContribution[],
  ) {}

  /**
   * Loads every strategy once. Nest calls it at `app.init()`; the OpenAPI builder calls it earlier
   * when a document is built before `init()` (as `SwaggerModule.createDocument` usually is).
   */
  onModuleInit(): void {
    if (this.loaded) return;
    for (const token of this.contributions) {
      const contributed = this.resolve(token);
      if (contributed instanceof StrategyGroup) for (const strategy of contributed.strategies()) this.register(strategy);
      else {
        const name = this.register(contributed, token);
        if (name !== undefined && protectsByDefault(token)) this.defaultCandidates.push(name);
      }
    }
    this.defaults = this.resolveDefaults();
    this.loaded = true;
  }

  private resolve(token: StrategyContribution): AuthStrategy | StrategyGroup {
    try {
      return this.moduleRef.get<AuthStrategy | StrategyGroup>(token, { strict: false });
    } catch (cause) {
      throw new AuthConfigurationError(
        `nest-warden: the strategy ${token.name} listed in AuthModule.forRoot({ strategies }) is not a provider. ` +
          `Add ${token.name} to the providers of one of your modules.`,
        { cause },
      );
    }
  }

  /**
   * The name it was registered under; `undefined` when the strategy is not configured (it stays out)
   * or took the place of a built-in (which keeps its place among the defaults).
   */
  private register(strategy: AuthStrategy, token?: StrategyContribution): string | undefined {
    if (strategy.enabled === false) return undefined;
    const name = strategy.name ?? (token as { strategyName?: string } | undefined)?.strategyName;
    if (typeof name !== 'string' || !name) {
      throw AuthConfigurationError.create(
        `strategy ${token?.name ?? strategy.constructor.name} has no name.`,
        'Give it a readonly `name` such as "partner-key".',
      );
    }
    const existing = this.byName.get(name);
    // An app's subclass of a built-in strategy under the built-in's name replaces it (in its place
    // among the defaults): `class MyJwt extends JwtStrategy` listed in `strategies` is the `jwt` strategy.
    const builtIn = existing?.constructor as (abstract new () => AuthStrategy) | undefined;
    if (existing && builtIn && strategy.constructor !== builtIn && strategy instanceof builtIn) {
      this.byName.set(name, strategy);
      return undefined;
    }
    if (existing && existing !== strategy) {
      throw AuthConfigurationError.create(
        `two strategies are named "${name}".`,
        'Strategy names are used in @Auth(...) and must be unique; rename one of them.',
      );
    }
    this.byName.set(name, strategy);
    return name;
  }

  get(name: string): AuthStrategy | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Strategies tried on routes that do not name any. */
  get defaultStrategies(): readonly string[] {
    return this.defaults;
  }

  private resolveDefaults(): readonly string[] {
    const configured = this.settings.defaultStrategies;
    if (configured) {
      for (const name of configured) this.assertKnown(name, 'defaultStrategies');
      this.warnAboutShadowing(configured);
      return Object.freeze([...configured]);
    }
    const defaults = [...this.defaultCandidates];
    if (defaults.length === 0 && this.settings.global) {
      this.logger.warn(
        'No default strategy is configured, so routes without @Auth(...) answer 401 to everyone. ' +
          'Configure `jwt`, set `defaultStrategies`, or pass `global: false`.',
      );
    }
    this.warnAboutShadowing(defaults);
    return Object.freeze(defaults);
  }

  /** Two default strategies reading one `Authorization` scheme: the second never sees a credential of its own. */
  private warnAboutShadowing(defaults: readonly string[]): void {
    const byScheme = new Map<string, string>();
    for (const name of defaults) {
      const scheme = this.byName.get(name)?.authorizationScheme;
      if (!scheme) continue;
      const first = byScheme.get(scheme);
      if (first === undefined) {
        byScheme.set(scheme, name);
        continue;
      }
      this.logger.warn(
        `Both "${first}" and "${name}" protect routes without @Auth(...), and both read ${scheme} credentials: a credential is checked ` +
          `by "${first}" first and never reaches "${name}". Set \`defaultStrategies\` to one of them and name the other with @Auth().`,
      );
    }
  }

  assertKnown(name: string, where: string): void {
    if (this.byName.has(name)) return;
    const known = this.names();
    throw AuthConfigurationError.create(
      `${where} names the strategy "${name}", which is not configured.`,
      known.length
        ? `Configured strategies: ${known.map((n) => `"${n}"`).join(', ')}. Configure "${name}" or fix the name.`
        : `No strategy is configured; add e.g. \`jwt\` to AuthModule.forRoot().`,
    );
  }
}

/** `static byDefault = true` declared on the class itself: a subclass of a default strategy is not one unless it says so. */
function protectsByDefault(token: StrategyContribution): boolean {
  return Object.hasOwn(token, 'byDefault') && (token as unknown as typeof AuthStrategy).byDefault === true;
}
