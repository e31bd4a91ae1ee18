/** Decorator arguments are checked where they are written, so a typo fails at import with a clear message. */
export function assertNames(decorator: string, names: readonly unknown[], allowEmpty = false): readonly string[] {
  if (!allowEmpty && names.length === 0) {
    throw new TypeError(`@${decorator}() needs at least one name, e.g. @${decorator}('admin').`);
  }
  for (const name of names) {
    if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
      throw new TypeError(`@${decorator}() takes non-empty strings without surrounding spaces; got ${JSON.stringify(name)}.`);
    }
  }
  return Object.freeze([...(names as string[])]);
}
