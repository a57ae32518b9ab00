/**
 * Settles as `work` does, or fails with the error `expired()` makes once `ms` have passed, whichever
 * comes first; a later answer of `work` is ignored. For calls to something that may accept a request
 * and never answer (a frozen server, a process that died mid-reply).
 */
export function withinDeadline<T>(work: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(expired()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
