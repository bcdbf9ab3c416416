export { YamlConfigError } from './yaml-config-error';
export type { YamlLocation } from './yaml-config-error';
export { EndpointYaml } from './endpoint-yaml';
export type {
  EndpointFromYamlOptions,
  EndpointYamlProps,
  YamlLoadOptions,
} from './endpoint-yaml';
export { DeploymentYaml } from './deployment-yaml';
export type { YamlOverrides } from './private/source';
