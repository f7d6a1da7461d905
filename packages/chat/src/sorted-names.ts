/**
 * A set of names kept in code-unit order, for pages that start after a name: finding the start is
 * a binary search and a page costs its length, whatever the size of the set. Adding and removing
 * move the tail of an array, which is a memmove even at a million names.
 */
export class SortedNames {
  private readonly names: string[] = [];

  get size(): number {
    return this.names.length;
  }

  add(name: string): void {
    const index = this.lowerBound(name);
    if (this.names[index] !== name) this.names.splice(index, 0, name);
  }

  delete(name: string): void {
    const index = this.lowerBound(name);
    if (this.names[index] === name) this.names.splice(index, 1);
  }

  /** Up to `limit` names that sort after `after` (from the first when undefined), in order. */
  after(after: string | undefined, limit: number): string[] {
    let start = after === undefined ? 0 : this.lowerBound(after);
    if (after !== undefined && this.names[start] === after) start += 1;
    return this.names.slice(start, start + limit);
  }

  /** Index of the first name not below `name`. */
  private lowerBound(name: string): number {
    let low = 0;
    let high = this.names.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.names[middle]! < name) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
