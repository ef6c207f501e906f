/** Bounded FIFO with block-on-full and abortable waits on both ends. */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly putWaiters: (() => void)[] = [];
  private readonly takeWaiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length;
  }

  private static wait(list: (() => void)[], signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason ?? new Error("aborted"));
      const wake = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = list.indexOf(wake);
        if (i >= 0) list.splice(i, 1);
        reject(signal.reason ?? new Error("aborted"));
      };
      list.push(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  async put(item: T, signal: AbortSignal): Promise<void> {
    while (this.items.length >= this.capacity) await BoundedQueue.wait(this.putWaiters, signal);
    this.items.push(item);
    this.takeWaiters.shift()?.();
  }

  async take(signal: AbortSignal): Promise<T> {
    while (this.items.length === 0) await BoundedQueue.wait(this.takeWaiters, signal);
    const item = this.items.shift() as T;
    this.putWaiters.shift()?.();
    return item;
  }

  clear(): void {
    this.items.length = 0;
    while (this.putWaiters.length) this.putWaiters.shift()?.();
  }
}
