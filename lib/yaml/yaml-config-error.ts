import * as path from 'path';

/** Where in a YAML file (or in which override) a problem was found. */
export interface YamlLocation {
  /** Absolute path of the YAML file. */
  readonly file: string;
  /**
   * 1-based line of the offending key or value.
   * @default - none: the value came from an override
   */
  readonly line?: number;
  /**
   * 1-based column of the offending key or value.
   * @default - none: the value came from an override
   */
  readonly column?: number;
  /**
   * The override (`path=value`) the value came from.
   * @default - none: the value is in the file
   */
  readonly override?: string;
}

/**
 * A YAML file for `az ml` that this library cannot turn into constructs: a
 * syntax error, an unknown or unsupported key, a value out of range or a
 * missing local path. The message starts with `file:line:column:` and names
 * the key, the value and what is allowed.
 */
export class YamlConfigError extends Error {
  /** Absolute path of the YAML file. */
  public readonly file: string;
  /** 1-based line, when the value is in the file. */
  public readonly line?: number;
  /** 1-based column, when the value is in the file. */
  public readonly column?: number;
  /** The override the value came from, if any. */
  public readonly override?: string;
  /** Dotted path of the key (`request_settings.request_timeout_ms`). */
  public readonly key: string;

  constructor(location: YamlLocation, key: string, detail: string) {
    super(`${describeLocation(location)}: ${detail}`);
    this.name = 'YamlConfigError';
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.override = location.override;
    this.key = key;
  }
}

/** `file:line:column`, or `file (set 'path=value')` for an override. */
export function describeLocation(location: YamlLocation): string {
  const file = displayPath(location.file);
  if (location.override !== undefined)
    return `${file} (set '${location.override}')`;
  if (location.line === undefined) return file;
  return `${file}:${location.line}:${location.column ?? 1}`;
}

/** A path relative to the working directory when it is below it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative)
    ? file
    : relative;
}
