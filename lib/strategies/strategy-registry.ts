import { Inject, Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthOptions } from '../settings/core-settings.js';
import type { AuthStrategy } from './auth-strategy.js';
import { BUILT_IN_STRATEGIES, DEFAULT_STRATEGY_NAMES } from '../module/built-in-strategies.js';
import { CUSTOM_STRATEGIES } from './strategy-tokens.js';


/**
 * Every enabled strategy by name. Strategies are resolved through `ModuleRef` by class token, so
 * `overrideProvider(JwtStrategy).useValue(fake)` replaces the real one everywhere.
 */
@Injectable()
export class StrategyRegistry implements OnModuleInit {
  private readonly logger = new Logger('nest-warden');
  private readonly byName = new Map<string, AuthStrategy>();
  private defaults: readonly string[] = [];
  private loaded = false;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly options: AuthOptions,
    @Inject(CUSTOM_STRATEGIES) private readonly custom: readonly Type<AuthStrategy>[],
  ) {}

  /**
   * Loads every strategy once. Nest calls it at `app.init()`; the OpenAPI builder calls it earlier
   * when a document is built before `init()` (as `SwaggerModule.createDocument` usually is).
   */
  onModuleInit(): void {
    if (this.loaded) return;
    for (const token of BUILT_IN_STRATEGIES) this.register(this.moduleRef.get(token, { strict: false }), token);
    for (const token of this.custom) this.register(this.resolveCustom(token), token);
    this.defaults = this.resolveDefaults();
    this.loaded = true;
  }

  private resolveCustom(token: Type<AuthStrategy>): AuthStrategy {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch (cause) {
      throw new AuthConfigurationError(
        `nest-warden: the strategy ${token.name} listed in AuthModule.forRoot({ strategies }) is not a provider. ` +
          `Add ${token.name} to the providers of one of your modules.`,
        { cause },
      );
    }
  }

  /** Adds a strategy that is not a provider of its own (e.g. a second API-key location). */
  register(strategy: AuthStrategy, token?: Type<unknown>): void {
    if (strategy.enabled === false) return;
    const name = strategy.name ?? (token as { strategyName?: string } | undefined)?.strategyName;
    if (typeof name !== 'string' || !name) {
      throw AuthConfigurationError.create(
        `strategy ${token?.name ?? 'instance'} has no name.`,
        'Give it a readonly `name` such as "partner-key".',
      );
    }
    const existing = this.byName.get(name);
    if (existing && existing !== strategy) {
      throw AuthConfigurationError.create(
        `two strategies are named "${name}".`,
        'Strategy names are used in @Auth(...) and must be unique; rename one of them.',
      );
    }
    this.byName.set(name, strategy);
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
    const configured = this.options.defaultStrategies;
    if (configured) {
      for (const name of configured) this.assertKnown(name, 'defaultStrategies');
      return Object.freeze([...configured]);
    }
    const defaults = DEFAULT_STRATEGY_NAMES.filter((name) => this.byName.has(name));
    if (defaults.length === 0 && this.options.global) {
      this.logger.warn(
        'No default strategy is configured, so routes without @Auth(...) answer 401 to everyone. ' +
          'Configure `jwt`, set `defaultStrategies`, or pass `global: false`.',
      );
    }
    return Object.freeze(defaults);
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
