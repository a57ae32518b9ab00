/** The span a log line or a latency observation belongs to. */
export interface TraceIds {
  traceId: string;
  spanId: string;
  /** Whether the trace is being recorded and exported: only then can an exemplar link to it. */
  sampled: boolean;
}

/** The ids of the active span, if any: given only when tracing is on. */
export type ActiveTraceIds = () => TraceIds | undefined;

/** Tracing, once started: the active span's ids for logs and exemplars, and the flush of what is left on the way out. */
export interface Tracing {
  activeTraceIds: ActiveTraceIds;
  shutdown(): Promise<void>;
}
