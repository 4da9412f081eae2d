/** A set of listeners where every subscription hands back its own cleanup. */
export class Listeners<Args extends unknown[]> {
  #listeners = new Set<(...args: Args) => void>();

  add(listener: (...args: Args) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(...args: Args): void {
    for (const listener of [...this.#listeners]) listener(...args);
  }

  clear(): void {
    this.#listeners.clear();
  }
}
