import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnedServer {
  url: string;
  /** Its process id, for its CPU time (/proc/<pid>/stat). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * A built `main` in a Node process of its own, once it has printed the URL it listens on (`listening`'s first group);
 * its stderr goes to `log` under `name`, and `stop` ends it with SIGTERM and waits for it to exit.
 */
export async function spawnServer(
  name: string,
  main: string,
  options: { nodeFlags?: string[]; env: Record<string, string>; listening: RegExp },
  log: (line: string) => void,
): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), main], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = options.listening.exec(output);
        if (found) resolve(found[1]);
      });
      child.stderr!.on('data', (chunk: Buffer) => log(`${name}: ${chunk.toString().trim()}`));
      child.once('exit', (code) => reject(new Error(`the ${name} exited with ${code} before listening:\n${output.slice(-2000)}`)));
    });
    child.stdout!.removeAllListeners('data');
    child.stdout!.resume();
    return { url, pid: child.pid!, stop: () => stop(child) };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
