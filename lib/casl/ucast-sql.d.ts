// @ucast/sql ships its types outside its package.json "exports", so TypeScript's nodenext
// resolution cannot see them. This declares the part nest-warden uses (lib/casl/query-filters.ts).
declare module '@ucast/sql' {
  /** A node of @ucast/core's condition tree, as `rulesToAST` (@casl/ability/extra) builds it. */
  export interface UcastCondition {
    readonly operator: string;
    readonly value: unknown;
    readonly field?: string;
  }
  export interface DialectOptions {
    regexp(field: string, placeholder: string, ignoreCase: boolean): string;
    escapeField(field: string, relationName?: string): string;
    paramPlaceholder(index: number): string;
  }
  export interface SqlQueryOptions extends DialectOptions {
    rootAlias?: string;
  }
  export const allInterpreters: Record<string, unknown>;
  export function createSqlInterpreter(
    operators: Record<string, unknown>,
  ): (condition: UcastCondition, options: SqlQueryOptions) => [string, unknown[], string[]];
  export const pg: DialectOptions;
  export const mysql: DialectOptions;
  export const sqlite: DialectOptions;
  export const mssql: DialectOptions;
  export const oracle: DialectOptions;
}
