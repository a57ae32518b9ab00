import type { Answer } from './browser';
import type { BenchCase, LoadRequest } from './cases';
import { wireBytes } from './cases';
import type { CeilingResponses } from './ceilingServer';
import type { LoadFigures, LoadGenerator } from './loadGenerator';
import { cpuSeconds, sampleResidentMemory } from './processStats';
import type { Seed } from './seed';
import { request } from './browser';
import { ceilingResponse, RunningServer } from './servers';

export interface Measured extends LoadFigures {
  /** Server CPU time (user + system, every process) per request answered. */
  cpuMsPerRequest: number;
  /** The highest resident memory of any serving process during the run. */
  peakRssMb: number;
  bytesPerResponse: number;
  /** Why the run did not serve the full pages it was meant to; empty when it did. */
  problems: string[];
}

/** A case checked against the running app: its requests, the bytes a full answer has, and what the ceiling replays. */
export interface VerifiedCase {
  benchCase: BenchCase;
  requests: LoadRequest[];
  bytesPerResponse: number;
  ceiling: CeilingResponses;
}

/**
 * Sends each of the case's requests once and checks the answer is the full page (a redirect to
 * /login would be tiny and fast, and measure nothing). Answers what the runs are checked against.
 */
export async function verifyCase(baseUrl: string, benchCase: BenchCase, seed: Seed): Promise<VerifiedCase> {
  const requests = benchCase.requests(seed);
  const answers: Answer[] = [];
  for (const sent of requests) {
    const answer = await request(baseUrl, { method: sent.method, path: sent.path, headers: sent.headers, body: sent.body });
    const problem = benchCase.check(answer, sent, seed);
    if (problem) throw new Error(`Case "${benchCase.id}": ${sent.method} ${sent.path}: ${problem}`);
    answers.push(answer);
  }
  const ceiling: CeilingResponses = {};
  requests.forEach((sent, index) => (ceiling[sent.method] ??= ceilingResponse(answers[index])));
  const bytesPerResponse = answers.reduce((sum, answer) => sum + wireBytes(answer), 0) / answers.length;
  return { benchCase, requests, bytesPerResponse, ceiling };
}

/** Responses may be this much smaller than the verified ones (headers such as Connection differ). */
const SIZE_TOLERANCE = 0.95;

export interface MeasureOptions {
  server: RunningServer;
  generator: LoadGenerator;
  verified: VerifiedCase;
  connections: number;
  seconds: number;
  /** Set for runs against the app, whose writes are counted. */
  seed?: Seed;
}

/** One run: the load generator's figures, with the server's CPU and memory, checked for full answers. */
export async function measure({ server, generator, verified, connections, seconds, seed }: MeasureOptions): Promise<Measured> {
  const writes = seed ? verified.benchCase.writes : undefined;
  const writesBefore = writes ? await writes.count(server.url, seed!) : 0;
  const pids = server.allPids();
  const cpuBefore = cpuSeconds(pids);
  const memory = sampleResidentMemory(server.servingPids());
  const figures = await generator.run({ url: server.url, requests: verified.requests, connections, seconds });
  const peaks = memory.stop();
  const cpu = cpuSeconds(pids) - cpuBefore;
  const problems: string[] = [];
  const bytesPerResponse = figures.requests ? figures.bytes / figures.requests : 0;
  if (figures.requests === 0) problems.push('no request was answered');
  if (figures.statusErrors) problems.push(`${figures.statusErrors} answers with a status of 400 or above`);
  if (figures.socketErrors) problems.push(`${figures.socketErrors} connection errors or timeouts`);
  if (bytesPerResponse < SIZE_TOLERANCE * verified.bytesPerResponse) {
    problems.push(`answers of ${bytesPerResponse.toFixed(0)} bytes on average, not the ${verified.bytesPerResponse.toFixed(0)} of a full page`);
  }
  if (writes) {
    const written = (await writes.count(server.url, seed!)) - writesBefore;
    const expected = figures.requests * writes.perRequest;
    // Up to one request per connection is still in flight when the generator stops counting.
    if (written < Math.floor(expected) - connections || written > Math.ceil(expected) + connections) {
      problems.push(`${written} todos created for ${expected.toFixed(0)} writes answered`);
    }
  }
  return {
    ...figures,
    cpuMsPerRequest: figures.requests ? (cpu * 1000) / figures.requests : NaN,
    peakRssMb: Math.max(...peaks.values()) / 2 ** 20,
    bytesPerResponse,
    problems,
  };
}
