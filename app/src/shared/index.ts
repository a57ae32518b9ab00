export { DayRange, addDays, isValidDay, monthRange, today, tomorrow, weekRange } from './days';
export { formatDay, formatUtcMinute } from './format';
export { withinDeadline } from './deadline';
export { BUILD_VERSION } from './buildVersion';
export { UNOBSERVED_PATHS } from './unobservedPaths';
export { S3_URL_FORM, formatS3Url, isS3Url, keyUnder, parseS3Url } from './s3Location';
export type { S3Location } from './s3Location';
