import { DumpContentsReader } from '../../src/cli/backup/dumpContents';

function read(dump: string) {
  const reader = new DumpContentsReader();
  dump.split('\n').forEach((line) => reader.line(line));
  return reader.contents();
}

describe('DumpContentsReader', () => {
  it('counts MariaDB rows one per line and MySQL rows on one line, skipping brackets and quotes in strings', () => {
    const dump = [
      'CREATE TABLE `todo` (',
      '  `id` int(11) NOT NULL,',
      ') ENGINE=InnoDB;',
      'CREATE TABLE `sessions` (',
      ') ENGINE=InnoDB;',
      'INSERT INTO `todo` VALUES',
      "(1,'a (tricky) title','it\\'s ( not a row'),",
      "(2,'ends with a backslash\\\\','x;y'),",
      "(3,_binary '\\0)(',NULL);",
      "INSERT INTO `users` VALUES (1,'a@example.org'),(2,'b@example.org');",
      "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=385;",
    ].join('\n');
    expect(read(dump)).toEqual({ rows: { todo: 3, sessions: 0, users: 2 }, binaryLog: { file: 'mysql-bin.000003', position: 385 } });
  });

  it('reads the position MySQL 8 writes as a replication source', () => {
    expect(read("-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000002', SOURCE_LOG_POS=157;").binaryLog).toEqual({
      file: 'binlog.000002',
      position: 157,
    });
  });

  it('counts PostgreSQL COPY lines up to the end marker, whatever they contain', () => {
    const dump = [
      'CREATE TABLE public.todo (',
      ');',
      'CREATE TABLE public."users" (',
      ');',
      'COPY public.todo (id, title) FROM stdin;',
      '1\tINSERT INTO `todo` VALUES (1);',
      '2\ta line with \\n an escaped newline',
      '\\.',
      'COPY public.users (id) FROM stdin;',
      '\\.',
    ].join('\n');
    expect(read(dump)).toEqual({ rows: { todo: 2, users: 0 } });
  });
});
