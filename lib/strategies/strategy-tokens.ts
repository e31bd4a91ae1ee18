/** DI token for the custom strategy classes listed in `forRoot({ strategies })`. */
export const CUSTOM_STRATEGIES = Symbol('nest-warden:custom-strategies');
