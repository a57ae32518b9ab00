import type { Client } from './client.ts';
import { JOURNEYS, type Journey, type JourneyContext, type JourneyName } from './journeys.ts';
import type { Credentials } from './settings.ts';

/**
 * How the journeys mix, like real use: mostly reading. Weights are shares of iterations; by
 * requests the reads weigh more still (a reader makes 7 requests, 2 of them writes of a session;
 * a writer 16; a script 5).
 */
export const MIX: Readonly<Record<JourneyName, number>> = {
  browser_reader: 12,
  api_user: 5,
  browser_writer: 3,
};

/**
 * The journeys of one turn of the mix, interleaved (smooth weighted round robin, as nginx spreads
 * requests), so any run of consecutive iterations is close to the mix, the first few included.
 */
export function mixCycle(weights: Readonly<Record<string, number>> = MIX): JourneyName[] {
  const names = Object.keys(weights) as JourneyName[];
  const total = names.reduce((sum, name) => sum + weights[name], 0);
  const current = Object.fromEntries(names.map((name) => [name, 0])) as Record<JourneyName, number>;
  const cycle: JourneyName[] = [];
  for (let turn = 0; turn < total; turn++) {
    for (const name of names) current[name] += weights[name];
    const chosen = names.reduce((best, name) => (current[name] > current[best] ? name : best), names[0]);
    current[chosen] -= total;
    cycle.push(chosen);
  }
  return cycle;
}

const CYCLE = mixCycle();

/** The journey iteration `iteration` (0, 1, 2… across the whole test) runs. */
export function journeyForIteration(iteration: number): JourneyName {
  return CYCLE[iteration % CYCLE.length];
}

/** The users and tokens the iterations share (setup()'s result, or the ones given in LOAD_USERS and API_TOKENS). */
export interface LoadData {
  users: Credentials[];
  apiTokens: string[];
  /** What teardown() removes: the accounts setup() created, or the tokens it created for given users. */
  created: CreatedData;
}

export interface CreatedData {
  /** Emails of the accounts setup() created (teardown deletes them with all their data). */
  users: string[];
  /** Tokens setup() created for given users, by the user's email and the token's name (teardown revokes them). */
  tokens: Array<{ email: string; name: string }>;
}

/** What iteration `iteration` does and as whom: users and tokens taken in turn. */
export function iterationPlan(iteration: number, data: LoadData): { name: JourneyName; journey: Journey; context: JourneyContext } {
  if (data.users.length === 0) throw new Error('No load users: give LOAD_USERS, or ADMIN_EMAIL and ADMIN_PASSWORD for setup() to create them');
  const name = journeyForIteration(iteration);
  const context: JourneyContext = {
    user: data.users[iteration % data.users.length],
    apiToken: data.apiTokens.length ? data.apiTokens[iteration % data.apiTokens.length] : undefined,
    iteration,
  };
  return { name, journey: JOURNEYS[name], context };
}

/** Runs iteration `iteration` of the mix with a client of its own (a fresh cookie jar). */
export async function runIteration(client: Client, iteration: number, data: LoadData): Promise<JourneyName> {
  const plan = iterationPlan(iteration, data);
  await plan.journey(client, plan.context);
  return plan.name;
}
