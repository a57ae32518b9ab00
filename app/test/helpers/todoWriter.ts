/** A todo the app acknowledged (201 Created), and when the answer arrived (a Date.now() value). */
export interface AcknowledgedTodo {
  id: number;
  title: string;
  acknowledgedAt: number;
}

export interface FailedWrite {
  status: number;
  detail: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * One client adding todos through the JSON API, one request at a time, until stopped: each answer
 * comes before the next request, so the app commits the writes in the order they were acknowledged.
 */
export function startTodoWriter(baseUrl: string, apiToken: string, scheduledFor: string) {
  const acknowledged: AcknowledgedTodo[] = [];
  const failures: FailedWrite[] = [];
  const waiters: Array<() => void> = [];
  let stopping = false;

  async function write(sequence: number): Promise<void> {
    await send(`written during the drill #${sequence}`);
    for (const wake of waiters.splice(0)) wake();
  }

  async function send(title: string): Promise<void> {
    try {
      const res = await fetch(`${baseUrl}/api/todos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title, scheduledFor }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (res.status !== 201) {
        failures.push({ status: res.status, detail: await res.text() });
        return;
      }
      const body = (await res.json()) as { id: number; title: string };
      acknowledged.push({ id: body.id, title: body.title, acknowledgedAt: Date.now() });
    } catch (error) {
      failures.push({ status: 0, detail: error instanceof Error ? error.message : String(error) });
    }
  }

  const finished = (async () => {
    for (let sequence = 1; !stopping; sequence++) await write(sequence);
  })();

  return {
    acknowledged,
    failures,
    /** Resolves once `count` writes in all have been acknowledged. */
    waitForAcknowledged(count: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (acknowledged.length >= count) resolve();
          else if (failures.length > 0) reject(new Error(`a write failed: ${JSON.stringify(failures[0])}`));
          else if (stopping) reject(new Error(`the writer stopped after ${acknowledged.length} of ${count} acknowledged writes`));
          else waiters.push(check);
        };
        check();
      });
    },
    async stop(): Promise<void> {
      stopping = true;
      await finished;
    },
  };
}

export type TodoWriter = ReturnType<typeof startTodoWriter>;
