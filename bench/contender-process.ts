import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerFigure, WorkerReply, WorkerRequest, WorkerSetup, WorkerTask } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('./contender-worker.js', import.meta.url));

/** The orchestrator's handle on one contender's process. Its stdout goes to our stderr: our stdout is the report. */
export class ContenderProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(figure: WorkerFigure): void; reject(error: Error): void }>();

  private constructor(
    readonly setup: WorkerSetup,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.figure);
      else waiter?.reject(new Error(`${setup.contender}: ${reply.error}`));
    });
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${setup.contender} process exited with ${code}`));
      this.pending.clear();
    });
  }

  static start(setup: WorkerSetup): ContenderProcess {
    const child = fork(WORKER, [JSON.stringify(setup)], { stdio: ['ignore', 2, 2, 'ipc'] });
    return new ContenderProcess(setup, child);
  }

  run<Figure extends WorkerFigure>(task: WorkerTask): Promise<Figure> {
    const id = this.nextId++;
    const request: WorkerRequest = { id, task };
    return new Promise<Figure>((resolve, reject) => {
      this.pending.set(id, { resolve: (figure) => resolve(figure as Figure), reject });
      this.child.send(request, (error) => {
        if (!error) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.run({ kind: 'close' }).catch(() => undefined);
    if (this.child.connected) this.child.disconnect();
    await exited;
  }
}
