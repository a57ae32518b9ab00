import { loadConfig } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { createMigrator, migrateUp, migrationStatus } from '../../src/db/migrator';
import { MIGRATIONS } from '../../src/db/migrations';
import { createUserService } from '../../src/accounts/userService';
import { createTodoService } from '../../src/todos/service';
import { addDays, today } from '../../src/shared/days';
import { describeWithService, mariaDbAvailable, postgresAvailable } from '../helpers/requiredService';
import { createTestDatabase, engineService, TestDatabase, TestEngine } from '../helpers/testDatabase';
import { todobox } from '../helpers/cli';

const EXPECTED_TABLES = ['users', 'todo', 'todo_history', 'api_token', 'sessions', 'schema_migrations'];

function migrationSuite(engine: TestEngine) {
  let testDatabase: TestDatabase;
  let env: Record<string, string>;
  let db: Database;
  const open = () => createDatabase(loadConfig(env, { readDotenv: false }).database);
  beforeAll(async () => {
    testDatabase = await createTestDatabase(engine);
    env = { ...testDatabase.env, LOG_DIR: '' };
    db = await open();
  });
  afterAll(async () => {
    await db.close();
    await testDatabase.drop();
  });

  it('reports every migration pending on an empty database', async () => {
    const status = await migrationStatus(db.sequelize);
    expect(status.executed).toEqual([]);
    expect(status.pending).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('runs every migration up from empty and then reports them applied', async () => {
    const applied = await migrateUp(db.sequelize);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
    const status = await migrationStatus(db.sequelize);
    expect(status).toEqual({ executed: MIGRATIONS.map((m) => m.name), pending: [] });
    expect(await migrateUp(db.sequelize)).toEqual([]);
  });

  it('creates every table and the guide\'s (user_id, modified) index', async () => {
    const tables = (await db.sequelize.getQueryInterface().showAllTables()).map((t) => String(t).toLowerCase());
    for (const table of EXPECTED_TABLES) expect(tables).toContain(table);
    const indexes = (await db.sequelize.getQueryInterface().showIndex('todo')) as Array<{ name: string; fields: Array<{ attribute: string }> }>;
    const guideIndex = indexes.find((index) => index.name === 'idx_user_modified');
    expect(guideIndex?.fields.map((field) => field.attribute)).toEqual(['user_id', 'modified']);
  });

  it('stores and reads data through the models on the migrated schema', async () => {
    const users = createUserService(db);
    const user = await users.create({ name: 'Ünïcode 名前', email: 'engine@example.com', password: 'a long enough password' });
    const todo = await db.models.Todo.create({
      userId: user.id,
      title: 'Emoji ✅ and quotes "\'',
      details: 'x'.repeat(10_000),
      detailsHtml: `<p>${'x'.repeat(10_000)}</p>`,
      status: 'new',
      scheduledFor: '2026-03-01',
    });
    const found = await db.models.Todo.findByPk(todo.id);
    expect(found?.title).toBe('Emoji ✅ and quotes "\'');
    expect(found?.details).toHaveLength(10_000);
    expect(found?.scheduledFor).toBe('2026-03-01');
    const matches = await db.models.Todo.count({ where: { title: { [db.likeOperator]: '%EMOJI%' } } });
    expect(matches).toBe(1);
    expect((await users.findByEmail('engine@example.com'))?.name).toBe('Ünïcode 名前');
  });

  it('applies the todo rules on this engine: lists, literal and case-insensitive search, history, dashboard', async () => {
    const users = createUserService(db);
    const owner = await users.create({ name: 'Owner', email: 'owner@example.com', password: 'a long enough password' });
    const other = await users.create({ name: 'Other', email: 'other@example.com', password: 'a long enough password' });
    const todos = createTodoService(db, { pageSize: 25 });
    const day = today();
    const percent = await todos.create(owner.id, { title: 'Raise budget by 50% NOW', details: '', scheduledFor: day });
    await todos.create(owner.id, { title: 'Raise budget by 50 now', details: 'under_score', scheduledFor: day });
    await todos.create(owner.id, { title: 'Yesterday\'s work', details: '*late*', scheduledFor: addDays(day, -1) });
    await todos.create(other.id, { title: 'Not yours 50%', details: '', scheduledFor: day });

    expect((await todos.list(owner.id, { list: 'today' })).total).toBe(2);
    const literalPercent = await todos.list(owner.id, { search: '50%' });
    expect(literalPercent.items.map((item) => item.id)).toEqual([percent.id]);
    expect((await todos.list(owner.id, { search: 'raise BUDGET' })).total).toBe(2);
    expect((await todos.list(owner.id, { search: 'under_' })).total).toBe(1);
    expect((await todos.list(owner.id, { search: 'a_s' })).total).toBe(0);
    expect((await todos.list(owner.id, { list: 'undone' })).items[0].detailsHtml).toContain('<em>late</em>');

    await todos.changeStatus(owner.id, percent.id, 'done');
    await todos.changeStatus(owner.id, percent.id, 'reassign', addDays(day, 3));
    const history = await todos.history(owner.id, percent.id);
    expect(history.map((entry) => entry.toStatus)).toEqual(['new', 'done', 'reassign']);
    expect(history[2]).toMatchObject({ fromDate: day, toDate: addDays(day, 3) });
    expect((await todos.list(owner.id, { list: 'upcoming' })).total).toBe(1);
    const dashboard = await todos.dashboard(owner.id);
    expect(dashboard.today.total).toBe(1);
    await expect(todos.get(other.id, percent.id)).rejects.toThrow('Todo not found');
  });

  it('has `todobox db:migrate` apply and `todobox db:status` report every migration', async () => {
    await db.sequelize.getQueryInterface().dropAllTables();
    const before = await todobox(['db:status'], env);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`0 applied, ${MIGRATIONS.length} pending`);
    const migrate = await todobox(['db:migrate'], env);
    expect(migrate.code).toBe(0);
    const after = await todobox(['db:status'], env);
    for (const migration of MIGRATIONS) expect(after.stdout).toMatch(new RegExp(`applied\\s+${migration.name}`));
    expect(after.stdout).toContain(`${MIGRATIONS.length} applied, 0 pending`);
  });

  it('runs every migration down again', async () => {
    await createMigrator(db.sequelize).down({ to: 0 });
    const tables = (await db.sequelize.getQueryInterface().showAllTables()).map((t) => String(t).toLowerCase());
    for (const table of EXPECTED_TABLES.filter((t) => t !== 'schema_migrations')) expect(tables).not.toContain(table);
  });
}

describe('migrations on SQLite', () => {
  migrationSuite('sqlite');
});

describeWithService(engineService('mysql'), mariaDbAvailable(), 'migrations on MariaDB', () => {
  migrationSuite('mysql');
});

describeWithService(engineService('postgres'), postgresAvailable(), 'migrations on PostgreSQL', () => {
  migrationSuite('postgres');
});
