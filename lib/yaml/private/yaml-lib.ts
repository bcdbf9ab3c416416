import type * as YamlModule from 'yaml';

let loaded: typeof YamlModule | undefined;

/**
 * The `yaml` package, loaded on first use: a program that imports the library
 * but reads no YAML file does not pay for it (about 30 ms, 72 modules).
 */
export function yamlLib(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('yaml') as typeof YamlModule;
  return loaded;
}
