import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const SLO_FILE = path.join(__dirname, 'slos.yml');

/** A Prometheus duration of one unit, the only form the windows need (5m, 6h, 3d). */
const duration = z.string().regex(/^\d+[mhd]$/, 'a duration such as 5m, 6h or 3d');
const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name');
const labelValue = z.string().regex(/^[\w.+-]+$/, 'a plain label value');

const burnRate = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  factor: z.number().positive(),
  long: duration,
  short: duration,
  severity: z.enum(['critical', 'ticket']),
});

/** Bad events are those of `counter` whose `label` matches the regular expression `matches`. */
const errorsSli = z.object({
  counter: metricName,
  job: labelValue,
  label: z.string().regex(/^[a-zA-Z_]\w*$/),
  matches: z.string().min(1),
  /** Label values the promtool tests use for a good and a bad event. */
  examples: z.object({ good: labelValue, bad: labelValue }),
});

/** Good events are those of `histogram` in its bucket le=thresholdSeconds: that bucket must exist. */
const latencySli = z.object({
  histogram: metricName,
  job: labelValue,
  thresholdSeconds: z.number().positive(),
});

const objective = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string().min(1),
  description: z.string().min(1),
  target: z.number().gt(0).lt(1),
  record: z.string().regex(/^[a-z][a-z0-9_]*$/),
  sli: z.union([z.object({ errors: errorsSli }).strict(), z.object({ latency: latencySli }).strict()]),
});

export const sloFileSchema = z
  .object({
    window: duration,
    burnRates: z.array(burnRate).min(1),
    objectives: z.array(objective).min(1),
  })
  .strict()
  .superRefine((file, context) => {
    const unique = (values: string[], what: string) => {
      const seen = new Set<string>();
      for (const value of values) {
        if (seen.has(value)) context.addIssue({ code: z.ZodIssueCode.custom, message: `${what} ${value} appears twice` });
        seen.add(value);
      }
    };
    unique(file.objectives.map((slo) => slo.name), 'objective');
    unique(file.objectives.map((slo) => slo.record), 'record');
    unique(file.burnRates.map((rate) => rate.name), 'burn rate');
    for (const slo of file.objectives) {
      if (!('errors' in slo.sli)) continue;
      const { matches, examples } = slo.sli.errors;
      const pattern = new RegExp(`^(?:${matches})$`);
      if (!pattern.test(examples.bad) || pattern.test(examples.good)) {
        context.addIssue({ code: z.ZodIssueCode.custom, message: `${slo.name}: examples.bad must match ${matches} and examples.good must not` });
      }
    }
  });

export type SloFile = z.infer<typeof sloFileSchema>;
export type Objective = SloFile['objectives'][number];
export type BurnRate = SloFile['burnRates'][number];

export function loadSloFile(file = SLO_FILE): SloFile {
  return sloFileSchema.parse(parse(fs.readFileSync(file, 'utf8')));
}

const SECONDS_PER_UNIT = { m: 60, h: 3600, d: 86400 } as const;

export function durationSeconds(value: string): number {
  const unit = value.slice(-1) as keyof typeof SECONDS_PER_UNIT;
  return Number(value.slice(0, -1)) * SECONDS_PER_UNIT[unit];
}

/** The share of events that may be bad: 1 - target. */
export function errorBudget(slo: Objective): number {
  return Number((1 - slo.target).toPrecision(6));
}
