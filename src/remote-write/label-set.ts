/**
 * A reusable label set for one series (or exemplar) being written: names
 * and values in two parallel arrays, sorted in place. Remote write wants a
 * series' labels, `__name__` included, sorted by name (remote_write_spec.md
 * "Labels"; 2.0 "labels_refs ... should be sorted lexicographically"), in
 * the order Prometheus' labels.Labels keeps them: Go string comparison,
 * which is UTF-8 byte order.
 */

/**
 * Compares two strings in UTF-8 byte order (= code point order). JavaScript's
 * `<` compares UTF-16 code units, which differs only where a surrogate
 * (a code point above U+FFFF) meets U+E000..U+FFFF: in code point order the
 * surrogate pair comes last, so the two ranges are swapped before comparing.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

export class LabelSet {
  names: string[] = [];
  values: string[] = [];
  length = 0;

  reset(): void {
    this.length = 0;
  }

  add(name: string, value: string): void {
    const i = this.length++;
    this.names[i] = name;
    this.values[i] = value;
  }

  /**
   * Sorts by name. An exposition's labels usually come sorted already (and
   * `__name__` sorts before lowercase names), so the check comes first;
   * otherwise an insertion sort, which allocates nothing and is fastest at
   * the handful of labels a series has.
   */
  sort(): void {
    const names = this.names;
    const values = this.values;
    const n = this.length;
    let i = 1;
    while (i < n && compareUtf8(names[i - 1]!, names[i]!) < 0) i++;
    for (; i < n; i++) {
      const name = names[i]!;
      const value = values[i]!;
      let j = i - 1;
      while (j >= 0 && compareUtf8(names[j]!, name) > 0) {
        names[j + 1] = names[j]!;
        values[j + 1] = values[j]!;
        j--;
      }
      names[j + 1] = name;
      values[j + 1] = value;
    }
  }
}
