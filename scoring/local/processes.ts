import { ChildProcess } from 'child_process';

/**
 * Collects a child's output line by line (the last `limit` lines) and calls
 * `onLine` for each; keeps the pipes drained so the child never blocks.
 */
export class OutputLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly limit = 5000,
    private readonly onLine?: (
      line: string,
      stream: 'stdout' | 'stderr',
    ) => void,
  ) {}

  attach(child: ChildProcess): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) this.add(line, stream);
      });
      child[stream]?.on('end', () => {
        if (pending) this.add(pending, stream);
        pending = '';
      });
    }
  }

  text(): string {
    return this.lines.join('\n');
  }

  private add(line: string, stream: 'stdout' | 'stderr'): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
    this.onLine?.(line, stream);
  }
}

/** Resolves with the exit code (or null after a signal) once `child` exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode);
  }
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
export async function stopChild(
  child: ChildProcess,
  graceMs = 5000,
): Promise<void> {
  // never started (spawn failed), or already gone
  if (child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([gone, killed]);
  clearTimeout(timer);
  await gone;
}

/**
 * Waits until `match` returns a value for a line of the child's output, or
 * fails if the child exits first or `timeoutMs` passes.
 */
export function waitForLine<T>(
  child: ChildProcess,
  match: (line: string) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const buffers = { stdout: '', stderr: '' };
    const listeners: Array<
      [NodeJS.ReadableStream, (chunk: Buffer | string) => void]
    > = [];
    const finish = (error?: Error, value?: T) => {
      clearTimeout(timer);
      for (const [stream, listener] of listeners)
        stream.removeListener('data', listener);
      child.removeListener('close', onExit);
      child.removeListener('error', onError);
      if (error) reject(error);
      else resolve(value as T);
    };
    const onError = (error: Error) =>
      finish(new Error(`${what} could not be started: ${error.message}`));
    const onExit = (code: number | null) =>
      finish(new Error(`${what} exited (status ${code}) before it was ready`));
    const timer = setTimeout(
      () => finish(new Error(`${what} was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      if (!stream) continue;
      const listener = (chunk: Buffer | string) => {
        buffers[name] += chunk.toString();
        const parts = buffers[name].split('\n');
        buffers[name] = parts.pop() ?? '';
        for (const line of parts) {
          const value = match(line);
          if (value !== undefined) {
            finish(undefined, value);
            return;
          }
        }
      };
      stream.on('data', listener);
      listeners.push([stream, listener]);
    }
    // 'close' comes after the output streams are drained, unlike 'exit'
    child.once('close', onExit);
    child.once('error', onError);
  });
}
