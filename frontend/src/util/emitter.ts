/** Emitter is a tiny typed event emitter. */
export class Emitter<Events extends Record<string, unknown>> {
  private handlers = new Map<keyof Events, Set<(v: never) => void>>();

  on<K extends keyof Events>(name: K, fn: (v: Events[K]) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
    }
    set.add(fn as (v: never) => void);
    return () => set.delete(fn as (v: never) => void);
  }

  emit<K extends keyof Events>(name: K, value: Events[K]): void {
    for (const fn of this.handlers.get(name) ?? []) (fn as (v: Events[K]) => void)(value);
  }
}
