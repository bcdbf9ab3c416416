import { Token } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import type { Document, Node } from 'yaml';

import { yamlLib } from './yaml-lib';
import { YamlConfigError, YamlLocation } from '../yaml-config-error';
import { keyText, YNode } from './node';

/**
 * Overrides applied to a file before it is read, like `az ml ... --set`:
 * `'path.to.key=value'` strings, or an object from dotted paths to values
 * (which may be cdktf tokens).
 */
export type YamlOverrides =
  readonly string[] | { readonly [path: string]: unknown };

/**
 * One YAML file, parsed with positions, with overrides applied. Readers
 * throw `YamlConfigError`s that point at the key or value.
 */
export class YamlSource {
  /** Reads and parses a file; syntax errors are located. */
  public static read(file: string, overrides?: YamlOverrides): YamlSource {
    const absolute = path.resolve(file);
    if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
      throw new YamlConfigError(
        { file: absolute },
        '',
        'must be an existing YAML file',
      );
    }
    return new YamlSource(
      absolute,
      fs.readFileSync(absolute, 'utf8'),
      overrides,
    );
  }

  /** Absolute path of the file. */
  public readonly file: string;
  /** Folder that relative paths in the file resolve against. */
  public readonly folder: string;
  private readonly lines = new (yamlLib().LineCounter)();
  private readonly doc: Document;
  /** Nodes made by overrides, with the override's text. */
  private readonly origins = new WeakMap<object, string>();

  private constructor(file: string, text: string, overrides?: YamlOverrides) {
    this.file = file;
    this.folder = path.dirname(file);
    const docs = yamlLib().parseAllDocuments(text, {
      lineCounter: this.lines,
      uniqueKeys: true,
    });
    const docList = Array.isArray(docs) ? docs : [];
    for (const d of docList) {
      const e = d.errors[0];
      if (e) {
        const pos = e.linePos?.[0];
        const detail = e.message
          .split('\n')[0]
          .replace(/ at line \d+, column \d+:?$/, '');
        if (e.code === 'DUPLICATE_KEY') {
          const key =
            /^\s*(?:-\s+)?["']?([^"':]+)/
              .exec(text.slice(e.pos[0]))?.[1]
              ?.trim() ?? '';
          throw new YamlConfigError(
            { file, line: pos?.line, column: pos?.col },
            key,
            `\`${key}\` appears twice: keep one`,
          );
        }
        throw new YamlConfigError(
          { file, line: pos?.line, column: pos?.col },
          '',
          `is not valid YAML: ${detail}`,
        );
      }
    }
    if (docList.length > 1) {
      const pos = this.position(docList[1].contents);
      throw new YamlConfigError(
        { file, ...pos },
        '',
        'must hold one YAML document; found a second one',
      );
    }
    this.doc = docList[0] ?? new (yamlLib().Document)();
    if (
      this.doc.contents === null ||
      (yamlLib().isScalar(this.doc.contents) &&
        this.doc.contents.value === null)
    ) {
      this.doc.contents = new (yamlLib().YAMLMap)();
    }
    for (const [target, value, text] of parseOverrides(file, overrides)) {
      this.applyOverride(target, value, text);
    }
  }

  /** The top-level mapping. */
  public root(): YNode {
    return new YNode(this, this.doc.contents, '');
  }

  /** Where a node is: line and column, or the override that made it. */
  public locate(node: unknown): YamlLocation {
    const override =
      node && typeof node === 'object' ? this.origins.get(node) : undefined;
    if (override !== undefined) return { file: this.file, override };
    return { file: this.file, ...this.position(node) };
  }

  /** The node an alias points to; other nodes as they are. */
  public deref(node: unknown): unknown {
    return yamlLib().isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** A path given in the file, resolved against the file's folder (`file:` prefix allowed). */
  public resolvePath(value: string): string {
    const p = value.startsWith('file:') ? value.slice('file:'.length) : value;
    return path.resolve(this.folder, p);
  }

  private position(node: unknown): { line?: number; column?: number } {
    const range = (node as Node | undefined)?.range;
    // only the mapping made for an empty file has no range
    if (!range) return { line: 1, column: 1 };
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  }

  private applyOverride(
    segments: string[],
    value: unknown,
    text: string,
  ): void {
    const mark = (n: unknown) => {
      if (!n || typeof n !== 'object') return;
      this.origins.set(n, text);
      if (yamlLib().isMap(n)) {
        for (const pair of n.items) {
          mark(pair.key);
          mark(pair.value);
        }
      } else if (yamlLib().isSeq(n)) {
        n.items.forEach(mark);
      }
    };
    let parent: unknown = this.doc.contents;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      if (!yamlLib().isMap(parent) && !yamlLib().isSeq(parent)) {
        const key = segments.slice(0, i + 1).join('.');
        throw new YamlConfigError(
          { file: this.file, override: text },
          key,
          `\`${key}\` cannot be set: its parent is not a mapping`,
        );
      }
      let child: unknown;
      if (yamlLib().isSeq(parent)) {
        const index = Number(segment);
        if (
          !Number.isInteger(index) ||
          index < 0 ||
          index > parent.items.length
        ) {
          const key = segments.slice(0, i + 1).join('.');
          throw new YamlConfigError(
            { file: this.file, override: text },
            key,
            `\`${key}\` must index the list: 0 to ${parent.items.length}`,
          );
        }
        child = parent.items[index];
        if (last || !(yamlLib().isMap(child) || yamlLib().isSeq(child))) {
          child = last ? this.doc.createNode(value) : new (yamlLib().YAMLMap)();
          mark(child);
          parent.items[index] = child;
        }
      } else {
        const pair = parent.items.find((p) => keyText(p.key) === segment);
        child = pair?.value;
        if (last || !(yamlLib().isMap(child) || yamlLib().isSeq(child))) {
          child = last ? this.doc.createNode(value) : new (yamlLib().YAMLMap)();
          mark(child);
          if (pair) {
            pair.value = child as Node;
          } else {
            const newPair = this.doc.createPair(segment, child);
            mark(newPair.key);
            parent.items.push(newPair);
          }
        }
      }
      parent = child;
    });
  }
}

function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** `[segments, value, text]` per override; strings are `path=value`. */
function parseOverrides(
  file: string,
  overrides?: YamlOverrides,
): [string[], unknown, string][] {
  if (overrides === undefined) return [];
  const pairs: [string, unknown, string][] = isStringList(overrides)
    ? overrides.map((o) => {
        const eq = o.indexOf('=');
        if (eq <= 0) {
          throw new YamlConfigError(
            { file, override: o },
            '',
            "must be written 'path.to.key=value'",
          );
        }
        return [o.slice(0, eq).trim(), o.slice(eq + 1), o];
      })
    : Object.entries(overrides).map(([k, v]) => [
        k,
        v,
        `${k}=${isUnresolved(v) ? '<known after apply>' : JSON.stringify(v)}`,
      ]);
  return pairs.map(([key, value, text]) => {
    const segments = key.split('.');
    if (segments.some((s) => s === '')) {
      throw new YamlConfigError(
        { file, override: text },
        key,
        `\`${key}\` must be a dotted path of keys, like 'request_settings.request_timeout_ms'`,
      );
    }
    return [segments, value, text];
  });
}

function isStringList(o: YamlOverrides): o is readonly string[] {
  return Array.isArray(o);
}
