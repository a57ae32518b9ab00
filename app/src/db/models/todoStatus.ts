/** The statuses a todo moves through, in the order the interface offers them: the values its column holds. */
export const TODO_STATUSES = ['new', 'done', 'failed', 'reassign', 'kiv'] as const;
export type TodoStatus = (typeof TODO_STATUSES)[number];
