/**
 * DI token of the options passed to `forRoot()`/`forRootAsync()`. Only the module layer reads it
 * (`settings.providers.ts`); every feature injects its own validated settings instead.
 */
export const AUTH_MODULE_OPTIONS_TOKEN = 'AUTH_MODULE_OPTIONS';
