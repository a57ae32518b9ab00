import type { Database } from '../db/database';

export function createTodoService(db: Database, options: { pageSize: number }) {
  return { db, options };
}

export type TodoService = ReturnType<typeof createTodoService>;
