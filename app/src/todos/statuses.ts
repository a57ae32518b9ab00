import type { TodoStatus } from '../db';

export { TODO_STATUSES, type TodoStatus } from '../db';

export const STATUS_LABELS: Record<TodoStatus, string> = {
  new: 'New',
  done: 'Done',
  failed: 'Failed',
  reassign: 'Re-assigned',
  kiv: 'Kept in view',
};

/** Statuses of work still to be done: a past todo in one of these is "undone". */
export const OPEN_STATUSES: readonly TodoStatus[] = ['new', 'reassign'];
