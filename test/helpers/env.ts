/** Sets (or, with `undefined`, removes) environment variables for a suite and restores them after. */
export function withEnv(values: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (entries: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  beforeAll(() => apply(values));
  afterAll(() => apply(saved));
}
