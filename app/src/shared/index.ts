export { DayRange, addDays, isValidDay, monthRange, today, tomorrow, weekRange } from './days';
export { formatDay, formatUtcMinute } from './format';
export { withinDeadline } from './deadline';
export { BUILD_VERSION } from './buildVersion';
export { UNOBSERVED_PATHS } from './unobservedPaths';
