/**
 * DI token of the raw `forRoot()` options, in a file of its own: `AuthOptions` injects it and the
 * module definition imports the endpoint controllers (which inject `AuthOptions` through their
 * services), so taking it from the definition would make an import cycle.
 */
export const AUTH_MODULE_OPTIONS_TOKEN = 'AUTH_MODULE_OPTIONS';
