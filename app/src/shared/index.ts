export { DayRange, addDays, isValidDay, monthRange, today, tomorrow, weekRange } from './days';
export { formatDay, formatUtcMinute } from './format';
export { withinDeadline } from './deadline';
