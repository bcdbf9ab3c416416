import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { fail } from './validation';

/** Files and folders never uploaded with a code or model folder. */
const IGNORED = new Set([
  '__pycache__',
  '.git',
  '.DS_Store',
  '.ipynb_checkpoints',
]);

export interface LocalFile {
  /** Path relative to the uploaded folder, with '/' separators. */
  readonly relativePath: string;
  readonly absolutePath: string;
  /** Hex MD5 of the content (what azurerm's `content_md5` takes). */
  readonly md5: string;
}

/** The files of a folder (or a single file), sorted, with their MD5 sums. */
export function listFiles(root: string): LocalFile[] {
  const stat = fs.statSync(root);
  if (stat.isFile()) {
    return [fileEntry(path.basename(root), root)];
  }
  const out: LocalFile[] = [];
  // links are followed (a linked file is uploaded with its content); a folder
  // reached twice through links is listed once
  const seen = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    const real = fs.realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort(byName)) {
      if (IGNORED.has(entry.name) || entry.name.endsWith('.pyc')) continue;
      const abs = path.join(dir, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const target = entry.isSymbolicLink() ? fs.statSync(abs) : entry;
      if (target.isDirectory()) walk(abs, rel);
      else if (target.isFile()) out.push(fileEntry(rel, abs));
    }
  };
  walk(root, '');
  return out;
}

/** A content hash over names and contents: same folder, same hash. */
export function hashFiles(files: readonly LocalFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.relativePath}\0${f.md5}\0`);
  return h.digest('hex');
}

/** A hash of strings, for content-addressed names. */
export function hashStrings(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p}\0`);
  return h.digest('hex');
}

/** A GUID-shaped name derived from a hash (the form anonymous assets use). */
export function guidFromHash(hex: string): string {
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

function fileEntry(relativePath: string, absolutePath: string): LocalFile {
  const md5 = createHash('md5')
    .update(fs.readFileSync(absolutePath))
    .digest('hex');
  return { relativePath, absolutePath, md5 };
}

function byName(a: fs.Dirent, b: fs.Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * `listFiles` for user input: an unreadable entry (a link that loops or
 * points nowhere) fails naming the field and the path.
 */
export function listReadableFiles(field: string, root: string): LocalFile[] {
  try {
    return listFiles(root);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return fail(
      field,
      root,
      'must hold only readable files and folders (a link that loops or ' +
        `points nowhere?): ${err.code ?? String(e)} at ${err.path ?? root}`,
    );
  }
}
