/**
 * A fixed set of worker threads with fair scheduling. Tasks wait in one queue per lane (a request, a stream)
 * and idle workers take from the lanes in turn, so a one-hour file split into pieces cannot starve a
 * two-second request that arrives after it. A worker that dies is replaced and its task fails with a 500.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { EarshotError, ErrorCode } from "@earshot/protocol";
import type { Task, TaskResult, WorkerInit, WorkerReply } from "./messages.js";

interface Pending {
  id: number;
  task: Task;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

interface Slot {
  worker: Worker;
  running: Pending | undefined;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly lanes = new Map<string, Pending[]>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly init: WorkerInit,
    readonly size = availableParallelism(),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: this.init });
    const slot: Slot = { worker, running: undefined };
    worker.on("message", (reply: WorkerReply) => {
      const pending = slot.running;
      slot.running = undefined;
      if (pending && pending.id === reply.id) {
        if (reply.ok) pending.resolve(reply.result);
        else pending.reject(new EarshotError(reply.error.status, reply.error.code, reply.error.message));
      }
      this.dispatch();
    });
    worker.on("error", (err) => this.replace(slot, err));
    worker.on("exit", (code) => {
      if (!this.closed) this.replace(slot, new Error(`worker exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    slot.running?.reject(new EarshotError(500, ErrorCode.Internal, `The engine worker failed: ${err.message}`));
    slot.running = undefined;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  /** Run `task` on the next free worker, taking turns with the other lanes. */
  run<T extends Task>(lane: string, task: T, transfer: ArrayBuffer[] = []): Promise<TaskResult<T>> {
    if (this.closed)
      return Promise.reject(new EarshotError(503, ErrorCode.Unavailable, "The engine is shutting down."));
    return new Promise((resolve, reject) => {
      const queue = this.lanes.get(lane) ?? [];
      queue.push({ id: this.nextId++, task, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.lanes.set(lane, queue);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.running) continue;
      const next = this.takeNext();
      if (!next) return;
      slot.running = next;
      slot.worker.postMessage({ id: next.id, task: next.task }, next.transfer);
    }
  }

  /** Round-robin over lanes: take the head of the oldest lane, then move that lane to the back. */
  private takeNext(): Pending | undefined {
    for (const [lane, queue] of this.lanes) {
      const next = queue.shift();
      this.lanes.delete(lane);
      if (queue.length > 0) this.lanes.set(lane, queue);
      if (next) return next;
    }
    return undefined;
  }

  stats(): PoolStats {
    let queued = 0;
    for (const queue of this.lanes.values()) queued += queue.length;
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.running).length, queued };
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new EarshotError(503, ErrorCode.Unavailable, "The engine is shutting down.");
    for (const queue of this.lanes.values()) for (const pending of queue) pending.reject(error);
    this.lanes.clear();
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.running?.reject(error);
        await slot.worker.terminate();
      }),
    );
  }
}
