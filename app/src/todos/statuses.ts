/** The statuses a todo moves through, in the order the interface offers them. */
export const TODO_STATUSES = ['new', 'done', 'failed', 'reassign', 'kiv'] as const;
export type TodoStatus = (typeof TODO_STATUSES)[number];

export const STATUS_LABELS: Record<TodoStatus, string> = {
  new: 'New',
  done: 'Done',
  failed: 'Failed',
  reassign: 'Re-assigned',
  kiv: 'Kept in view',
};

/** Statuses of work still to be done: a past todo in one of these is "undone". */
export const OPEN_STATUSES: readonly TodoStatus[] = ['new', 'reassign'];
