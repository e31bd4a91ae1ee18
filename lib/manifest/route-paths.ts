import { RequestMethod, type Type, VERSION_NEUTRAL, type VersioningOptions, VersioningType } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';
import type { RouteHandler } from '../policy/policy-metadata.js';

// Nest's documented route metadata keys (the constants are not in @nestjs/common's public index).
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
const VERSION_METADATA = '__version__';
/** Where `RouterModule.register()` writes a module's path (suffixed by the application id). */
const MODULE_PATH_METADATA = '__module_path__';

export interface RouteLocation {
  /** `GET`, `POST`, ... or `ALL` for `@All()`. */
  readonly method: string;
  /** The path as the router serves it: global prefix, RouterModule path, URI version, controller and method paths. */
  readonly path: string;
}

type Version = string | typeof VERSION_NEUTRAL | readonly (string | typeof VERSION_NEUTRAL)[];

const slash = (path: string) => (path.startsWith('/') ? path : `/${path}`);
const stripEnd = (path: string) => (path.endsWith('/') ? path.slice(0, -1) : path);
const join = (a: string, b: string) => stripEnd(a) + slash(b);
const asList = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/**
 * The method and paths of one route handler, composed the way Nest's router composes them (global prefix
 * and its exclusions, `RouterModule` paths, URI versioning, controller and method paths).
 */
export function routeLocations(
  config: ApplicationConfig,
  applicationId: string | undefined,
  module: Type | undefined,
  controller: Type,
  handler: RouteHandler,
): RouteLocation[] {
  const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  if (requestMethod === undefined) return []; // not an HTTP route (e.g. a GraphQL resolver)
  const method = RequestMethod[requestMethod] ?? String(requestMethod);
  const methodPaths = asList<string>(Reflect.getMetadata(PATH_METADATA, handler) ?? '/');
  const controllerPaths = asList<string>(Reflect.getMetadata(PATH_METADATA, controller) ?? '/');
  const modulePath = module
    ? ((Reflect.getMetadata(MODULE_PATH_METADATA + (applicationId ?? ''), module) ??
        Reflect.getMetadata(MODULE_PATH_METADATA, module)) as string | undefined)
    : undefined;
  const versioning = config.getVersioning();
  const version = (Reflect.getMetadata(VERSION_METADATA, handler) ??
    (versioning ? (Reflect.getMetadata(VERSION_METADATA, controller) ?? versioning.defaultVersion) : undefined)) as
    | Version
    | undefined;
  const prefix = config.getGlobalPrefix();

  const locations: RouteLocation[] = [];
  for (const versionPrefix of uriVersionPrefixes(version, versioning)) {
    for (const controllerPath of controllerPaths) {
      for (const methodPath of methodPaths) {
        let path = versionPrefix;
        if (modulePath) path = join(path, modulePath);
        path = join(join(path, controllerPath), methodPath);
        if (prefix && !excludedFromPrefix(config, path.slice(versionPrefix.length), requestMethod)) {
          path = stripEnd(slash(prefix)) + path;
        }
        path = slash(path || '/');
        locations.push({ method, path: path !== '/' ? stripEnd(path) : path });
      }
    }
  }
  return locations;
}

function uriVersionPrefixes(version: Version | undefined, versioning: VersioningOptions | undefined): string[] {
  if (version === undefined || versioning?.type !== VersioningType.URI) return [''];
  const prefix = versioning.prefix === false ? '' : (versioning.prefix ?? 'v');
  return asList(version).map((v) => (v === VERSION_NEUTRAL ? '' : `/${prefix}${String(v)}`));
}

interface ExcludedRoute {
  readonly requestMethod: RequestMethod;
  readonly pathRegex: RegExp;
}

function excludedFromPrefix(config: ApplicationConfig, path: string, requestMethod: RequestMethod): boolean {
  const excluded = (config.getGlobalPrefixOptions().exclude ?? []) as readonly ExcludedRoute[];
  return excluded.some(
    (route) =>
      (route.requestMethod === RequestMethod.ALL || (route.requestMethod as number) === -1 || route.requestMethod === requestMethod) &&
      route.pathRegex.test(slash(path)),
  );
}
