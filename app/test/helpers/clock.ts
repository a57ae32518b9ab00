/** Runs `body` with Date.now() answering what `clock.now` says. */
export async function withClock(body: (clock: { now: number }) => Promise<void>): Promise<void> {
  const realNow = Date.now;
  const clock = { now: realNow() };
  Date.now = () => clock.now;
  try {
    await body(clock);
  } finally {
    Date.now = realNow;
  }
}
