import { dropFileDatabases } from '../helpers/testDatabase';

afterAll(() => dropFileDatabases());
