// Running totals over a pull or push stream, so a caller can draw one progress bar without
// writing the arithmetic: bytes done / bytes total per layer and overall, layers done.
import type { ProgressEvent } from './events.js';

/** LayerProgress: one layer's progress in ProgressTotals. */
export interface LayerProgress {
  status: string;
  current: number;
  total: number;
  done: boolean;
}

// statuses after which a layer needs nothing more (pull and push)
const DONE = /^(Pull complete|Already exists|Download complete|Pushed|Layer already exists|Mounted from)/;

/** ProgressTotals: running totals over a pull or push stream, per layer and overall: bytes done and announced, layers done. */
export class ProgressTotals {
  readonly layers = new Map<string, LayerProgress>();

  /** Folds one event in; events without a layer id (status lines) change nothing. */
  update(event: ProgressEvent): void {
    const id = event.id;
    const status = event.status;
    if (!id || !status || !/^[0-9a-f]{12,64}$/.test(id)) return;
    let layer = this.layers.get(id);
    if (!layer) {
      layer = { status, current: 0, total: 0, done: false };
      this.layers.set(id, layer);
    }
    layer.status = status;
    const detail = event.progressDetail;
    // Downloading/Pushing carry transfer bytes; Extracting repeats the count for unpacking, which
    // would count the layer twice, so only the transfer is summed.
    if ((status === 'Downloading' || status === 'Pushing') && detail && typeof detail.current === 'number') {
      layer.current = detail.current;
      if (typeof detail.total === 'number' && detail.total > 0) layer.total = detail.total;
    }
    if (DONE.test(status)) {
      layer.done = true;
      if (layer.total > 0) layer.current = layer.total;
    }
  }

  get layersTotal(): number {
    return this.layers.size;
  }

  get layersDone(): number {
    let n = 0;
    for (const l of this.layers.values()) if (l.done) n++;
    return n;
  }

  get bytesDone(): number {
    let n = 0;
    for (const l of this.layers.values()) n += l.current;
    return n;
  }

  /** Sum of the sizes announced so far (grows as layers start). */
  get bytesTotal(): number {
    let n = 0;
    for (const l of this.layers.values()) n += l.total;
    return n;
  }
}
