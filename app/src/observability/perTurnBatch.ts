/**
 * Collects what one turn of the event loop produces and hands it on in one piece, at the end of
 * the turn: under load one write (or one message) carries many log lines instead of one each.
 * A process that exits within the turn (process.exit right after a last log line) hands on what
 * is left then, synchronously.
 */
export function perTurnBatch<T>(handOn: (items: T[]) => void): ((item: T) => void) & { flush(): void } {
  let items: T[] = [];
  const flush = () => {
    process.removeListener('exit', flush);
    if (items.length === 0) return;
    const batch = items;
    items = [];
    handOn(batch);
  };
  const add = (item: T) => {
    if (items.push(item) > 1) return;
    setImmediate(flush);
    process.once('exit', flush);
  };
  return Object.assign(add, { flush });
}
