export { runTodoBox } from './run';
