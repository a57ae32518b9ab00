// The integration:mariadb jest project runs the integration suite on this engine.
process.env.TEST_DATABASE = 'mysql';
