// Progress output. On a terminal: one line per layer with a bar, and a total, redrawn in place
// (pull/push); a spinner with bytes (save/load). Elsewhere: one plain line per status change.
import type { ProgressEvent, ProgressTotals } from '../index.js';

const WIDTH = 24;

export function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(WIDTH, Math.round((done / total) * WIDTH)) : 0;
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(WIDTH - filled)}]`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}

export interface Out {
  write(text: string): void;
  isTTY: boolean;
}

/** Renders pull/push events. */
export class LayerView {
  readonly #out: Out;
  readonly #totals: ProgressTotals;
  #drawn = 0;
  #lastStatus = new Map<string, string>();

  constructor(out: Out, totals: ProgressTotals) {
    this.#out = out;
    this.#totals = totals;
  }

  event(e: ProgressEvent): void {
    if (!this.#out.isTTY) {
      const key = e.id ?? '';
      const status = e.status ?? '';
      if (status && this.#lastStatus.get(key) !== status) {
        this.#lastStatus.set(key, status);
        this.#out.write(`${e.id ? `${e.id}: ` : ''}${status}\n`);
      }
      return;
    }
    if (!e.id || !this.#totals.layers.has(e.id)) {
      if (e.status) this.#print(`${e.id ? `${e.id}: ` : ''}${e.status}`);
      return;
    }
    this.#redraw();
  }

  /** A line above the live block. */
  #print(line: string): void {
    this.#clear();
    this.#out.write(`${line}\n`);
    this.#redraw();
  }

  #clear(): void {
    if (this.#drawn > 0) this.#out.write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #redraw(): void {
    this.#clear();
    const lines: string[] = [];
    for (const [id, layer] of this.#totals.layers) {
      lines.push(
        `${id.slice(0, 12)}: ${layer.status.padEnd(18)} ${layer.total ? `${bar(layer.current, layer.total)} ${bytes(layer.current)}/${bytes(layer.total)}` : ''}`,
      );
    }
    const t = this.#totals;
    lines.push(
      `total: ${t.layersDone}/${t.layersTotal} layers ${bar(t.bytesDone, t.bytesTotal)} ${bytes(t.bytesDone)}/${bytes(t.bytesTotal)}`,
    );
    this.#out.write(`${lines.join('\n')}\n`);
    this.#drawn = lines.length;
  }
}

const SPIN = ['|', '/', '-', '\\'];

/** A spinner with a byte count (save/load) on a terminal; nothing elsewhere. */
export class ByteSpinner {
  readonly #out: Out;
  readonly #label: string;
  #n = 0;
  #tick = 0;
  #last = 0;

  constructor(out: Out, label: string) {
    this.#out = out;
    this.#label = label;
  }

  add(n: number): void {
    this.#n += n;
    const now = Date.now();
    if (this.#out.isTTY && now - this.#last > 100) {
      this.#last = now;
      this.#out.write(`\r${SPIN[this.#tick++ % 4]} ${this.#label} ${bytes(this.#n)}`);
    }
  }

  done(): void {
    if (this.#out.isTTY) this.#out.write(`\r${this.#label} ${bytes(this.#n)}\x1b[K\n`);
  }
}
