/** Where an app server keeps the app and its configuration. */
export const APP_DIRECTORY = '/var/www/todobox';
export const ENV_FILE = '/etc/todobox/todobox.env';
/** The CA bundle that signs every RDS server certificate, for DB_SSL=verify. */
export const RDS_CA_BUNDLE = '/etc/todobox/rds-global-bundle.pem';
