import { STATUS_LABELS, TODO_STATUSES, TodoStatus } from './statuses';
import type { DashboardCounts } from './types';

export interface ChartBar {
  status: TodoStatus;
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
  labelX: number;
  labelY: number;
}

export interface ChartGroup {
  label: string;
  labelX: number;
  bars: ChartBar[];
}

export interface DashboardChart {
  width: number;
  height: number;
  baselineY: number;
  groups: ChartGroup[];
}

const PERIODS: Array<{ key: keyof DashboardCounts; label: string }> = [
  { key: 'today', label: 'Today' },
  { key: 'week', label: 'This week' },
  { key: 'month', label: 'This month' },
];

const WIDTH = 640;
const HEIGHT = 260;
const TOP = 24;
const BOTTOM = 36;
const GROUP_GAP = 32;
const BAR_GAP = 4;

/**
 * Geometry of a grouped bar chart (one group per period, one bar per status) drawn as SVG by the
 * template: the page needs no script and no inline style, colours come from the status classes.
 */
export function buildDashboardChart(counts: DashboardCounts): DashboardChart {
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const baselineY = HEIGHT - BOTTOM;
  const largest = Math.max(1, ...PERIODS.flatMap(({ key }) => TODO_STATUSES.map((status) => counts[key].byStatus[status])));
  const groupWidth = (WIDTH - GROUP_GAP * (PERIODS.length + 1)) / PERIODS.length;
  const barWidth = (groupWidth - BAR_GAP * (TODO_STATUSES.length - 1)) / TODO_STATUSES.length;
  const groups = PERIODS.map(({ key, label }, groupIndex) => {
    const groupX = GROUP_GAP + groupIndex * (groupWidth + GROUP_GAP);
    const bars = TODO_STATUSES.map((status, barIndex) => {
      const value = counts[key].byStatus[status];
      const height = Math.round((value / largest) * plotHeight);
      const x = Math.round(groupX + barIndex * (barWidth + BAR_GAP));
      const y = baselineY - height;
      return {
        status,
        label: STATUS_LABELS[status],
        value,
        x,
        y,
        width: Math.round(barWidth),
        height,
        labelX: Math.round(x + barWidth / 2),
        labelY: y - 6,
      };
    });
    return { label, labelX: Math.round(groupX + groupWidth / 2), bars };
  });
  return { width: WIDTH, height: HEIGHT, baselineY, groups };
}
