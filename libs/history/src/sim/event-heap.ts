/** A binary min-heap of simulation events by (time, tie, order of insertion). */
export class EventHeap<T extends { at: number; tie: number }> {
  private readonly items: (T & { n: number })[] = [];
  private n = 0;

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    // The item is the heap's from now on: it takes its insertion number in place (no copy per event).
    const it = item as T & { n: number };
    it.n = this.n++;
    a.push(it);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const a = this.items;
    if (!a.length) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }

  private less(x: T & { n: number }, y: T & { n: number }): boolean {
    return x.at !== y.at ? x.at < y.at : x.tie !== y.tie ? x.tie < y.tie : x.n < y.n;
  }
}
