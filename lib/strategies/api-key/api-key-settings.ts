import { AuthConfigurationError } from '../../errors/configuration.error.js';
import type { ApiKeyStrategyOptions } from './api-key.options.js';

/**
 * The `apiKeys` section of the module options as a list: the first entry is `ApiKeyStrategy`, each
 * further one a strategy of its own under its required `name`. Each strategy checks its entry in
 * depth when it starts.
 */
export class ApiKeySettings {
  readonly entries: readonly ApiKeyStrategyOptions[];

  constructor(option: ApiKeyStrategyOptions | readonly ApiKeyStrategyOptions[] | undefined) {
    const entries: readonly ApiKeyStrategyOptions[] = option === undefined ? [] : Array.isArray(option) ? option : [option as ApiKeyStrategyOptions];
    entries.forEach((entry, index) => {
      if (entry === null || typeof entry !== 'object') {
        throw AuthConfigurationError.create(`apiKeys[${index}] must be an object.`, 'Pass e.g. apiKeys: { header: "X-API-Key", keys: [...] }.');
      }
      if (index > 0 && (typeof entry.name !== 'string' || !entry.name)) {
        throw AuthConfigurationError.create(
          'every apiKeys entry after the first needs a `name`.',
          'Name it as routes will: apiKeys: [{ header: "X-API-Key", ... }, { name: "partner-key", query: "key", ... }].',
        );
      }
    });
    this.entries = Object.freeze([...entries]);
  }
}
