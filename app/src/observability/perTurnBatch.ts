/**
 * Collects what one turn of the event loop produces and hands it on in one piece, at the end of
 * the turn: under load one write (or one message) carries many log lines instead of one each.
 * What is left when the process exits is handed on then, synchronously.
 */
export function perTurnBatch<T>(handOn: (items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  const flush = () => {
    if (items.length === 0) return;
    const batch = items;
    items = [];
    handOn(batch);
  };
  process.once('exit', flush);
  return (item) => {
    if (items.push(item) === 1) setImmediate(flush);
  };
}
