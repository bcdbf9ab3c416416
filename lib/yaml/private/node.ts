import { Token } from 'cdktf';
import type { Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';

import { yamlLib } from './yaml-lib';
import { YamlConfigError } from '../yaml-config-error';
import { KeySpec, nearestKey, writableKeys } from './keys';
import type { YamlSource } from './source';

/** A node of the file (or absent), with the dotted key path that reached it. */
export class YNode {
  constructor(
    public readonly source: YamlSource,
    node: unknown,
    /** Dotted key path: `request_settings.request_timeout_ms`. */
    public readonly key: string,
    /** The key's own node, for errors about the key. */
    public readonly keyNode?: unknown,
  ) {
    this.node = source.deref(node);
  }

  /** The YAML node (an alias resolved), or undefined when absent. */
  public readonly node: unknown;

  /** True when the key is absent or has no value (`key:` or `key: null`). */
  public get missing(): boolean {
    return (
      this.node === undefined ||
      this.node === null ||
      (yamlLib().isScalar(this.node) && this.node.value === null)
    );
  }

  /** The scalar value (string, number, boolean), or undefined for a collection. */
  public get scalar(): unknown {
    return yamlLib().isScalar(this.node) ? this.node.value : undefined;
  }

  public get isMap(): boolean {
    return yamlLib().isMap(this.node);
  }

  public get isSeq(): boolean {
    return yamlLib().isSeq(this.node);
  }

  /** Throws a located error about the value. */
  public fail(rule: string, value: unknown = this.shown()): never {
    const got = value === NO_VALUE ? '' : `; got ${show(value)}`;
    throw new YamlConfigError(
      this.source.locate(this.node ?? this.keyNode),
      this.key,
      `${this.subject} ${rule}${got}`,
    );
  }

  /** How messages name this node: the backticked key, or 'the file'. */
  private get subject(): string {
    return this.key === '' ? 'the file' : `\`${this.key}\``;
  }

  /** Throws a located error about the key itself. */
  public failKey(rule: string): never {
    throw new YamlConfigError(
      this.source.locate(this.keyNode ?? this.node),
      this.key,
      `\`${this.key}\` ${rule}`,
    );
  }

  /** Runs a construct check with this key's name, locating what it throws. */
  public check(fn: (field: string) => void): void {
    try {
      fn(this.key);
    } catch (e) {
      if (e instanceof YamlConfigError) throw e;
      throw new YamlConfigError(
        this.source.locate(this.node ?? this.keyNode),
        this.key,
        (e as Error).message,
      );
    }
  }

  /** A required key: fails at the parent mapping when absent. */
  public required(what: string): this {
    if (this.missing) {
      throw new YamlConfigError(
        this.source.locate(this.keyNode),
        this.key,
        `\`${this.key}\` is required: ${what}`,
      );
    }
    return this;
  }

  /**
   * The entries of a mapping, with every key checked against the spec:
   * unknown keys suggest the nearest one, and keys of the other file, read-only
   * and unsupported keys fail with their reason.
   */
  public entries(spec: KeySpec): Map<string, YNode> {
    if (!yamlLib().isMap(this.node))
      this.fail(`must be a mapping (${spec.title})`);
    const out = new Map<string, YNode>();
    for (const pair of (this.node as YAMLMap).items) {
      const name = keyText(pair.key);
      const child = new YNode(
        this.source,
        pair.value,
        this.key ? `${this.key}.${name}` : name,
        pair.key,
      );
      if (name === '<<')
        child.failKey(
          '(a YAML merge key) is not supported: write the keys out',
        );
      const rule = spec.keys[name];
      if (rule?.kind === 'supported') {
        out.set(name, child);
      } else if (rule?.kind === 'unsupported') {
        child.failKey(rule.reason);
      } else if (rule?.kind === 'readOnly') {
        child.failKey(
          `is read-only: the service sets it (was the file written by \`az ml ... show\`?); remove it`,
        );
      } else if (spec.explained?.[name] !== undefined) {
        child.failKey(spec.explained[name]);
      } else if (spec.elsewhere?.keys.includes(name)) {
        child.failKey(spec.elsewhere.where);
      } else {
        const near = nearestKey(name, spec);
        const hint = near !== undefined ? `; did you mean \`${near}\`?` : '';
        child.failKey(
          `is not a key of a ${spec.title}${hint} Allowed: ${writableKeys(spec).join(', ')}`,
        );
      }
    }
    return out;
  }

  /** A child of a mapping before its keys are checked (for `$schema`). */
  public peek(key: string): YNode {
    const pair = yamlLib().isMap(this.node)
      ? (this.node as YAMLMap).items.find((p) => keyText(p.key) === key)
      : undefined;
    return new YNode(this.source, pair?.value, key, pair?.key);
  }

  /** The items of a sequence. */
  public items(what: string): YNode[] {
    if (!yamlLib().isSeq(this.node)) this.fail(`must be a list (${what})`);
    return (this.node as YAMLSeq).items.map(
      (item, i) => new YNode(this.source, item, `${this.key}[${i}]`, item),
    );
  }

  /** A string (numbers are written as they read: `version: 1` is '1'). */
  public string(): string {
    const v = this.scalar;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && !isUnresolved(v)) return String(v);
    if (isUnresolved(v)) return Token.asString(v);
    return this.fail('must be a string');
  }

  /** A whole number in [min, max]; numeric strings count (as `--set` gives them). */
  public integer(min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.scalar;
    if (typeof v === 'number' && isUnresolved(v)) return v;
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? `at least ${min}`
        : `from ${min} to ${max}`;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      return this.fail(`must be a whole number ${range}`);
    }
    return n;
  }

  /** true or false; 'true'/'false' strings count (as `--set` gives them). */
  public boolean(): boolean {
    const v = this.scalar;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim()))
      return v.trim().toLowerCase() === 'true';
    return this.fail('must be true or false');
  }

  /** One of the allowed strings, compared without case. */
  public oneOf<T>(allowed: { readonly [value: string]: T }): T {
    const v = this.scalar;
    const match =
      typeof v === 'string'
        ? Object.keys(allowed).find((k) => k.toLowerCase() === v.toLowerCase())
        : undefined;
    if (match === undefined) {
      return this.fail(
        `must be one of ${Object.keys(allowed)
          .map((k) => `'${k}'`)
          .join(', ')}`,
      );
    }
    return allowed[match];
  }

  /**
   * A mapping of names to strings (tags, variables); numbers become strings,
   * booleans fail (Python would write them 'True').
   */
  public stringMap(what: string): { [key: string]: string } {
    if (isUnresolved(this.scalar))
      this.fail(
        `must be a mapping (${what}), not a single value known after apply`,
      );
    if (!yamlLib().isMap(this.node)) this.fail(`must be a mapping (${what})`);
    const out: { [key: string]: string } = {};
    for (const pair of (this.node as YAMLMap).items) {
      const name = keyText(pair.key);
      const child = new YNode(
        this.source,
        pair.value,
        `${this.key}.${name}`,
        pair.key,
      );
      const v = child.scalar;
      if (typeof v === 'boolean')
        child.fail(
          "must be a string: quote it ('true'), as YAML reads it as a boolean",
        );
      if (child.missing)
        child.fail('must be a string; write "" for an empty value');
      out[name] = child.string();
    }
    return out;
  }

  /** The value as plain data (for inline conda files). */
  public toJS(): unknown {
    return (this.node as Node | undefined)?.toJSON?.() ?? this.scalar;
  }

  /** The child of a mapping whose keys were checked. */
  public static child(
    entries: Map<string, YNode>,
    parent: YNode,
    key: string,
  ): YNode {
    return (
      entries.get(key) ??
      new YNode(
        parent.source,
        undefined,
        parent.key ? `${parent.key}.${key}` : key,
        parent.node,
      )
    );
  }

  private shown(): unknown {
    if (this.missing) return undefined;
    if (yamlLib().isScalar(this.node)) return (this.node as Scalar).value;
    if (yamlLib().isMap(this.node)) return 'a mapping';
    if (yamlLib().isSeq(this.node)) return 'a list';
    return undefined;
  }
}

/** Pass as `value` to `fail` to leave out the "; got ..." part. */
export const NO_VALUE = Symbol('no value');

function show(value: unknown): string {
  if (isUnresolved(value)) return 'a value known only after apply';
  if (value === 'a mapping' || value === 'a list') return value;
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

/** The text of a mapping key. */
export function keyText(key: unknown): string {
  return yamlLib().isScalar(key) ? String(key.value) : String(key);
}

function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}
