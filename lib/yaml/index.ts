export * from './yaml-config-error';
export * from './endpoint-yaml';
export * from './deployment-yaml';
export type { YamlOverrides } from './private/source';
