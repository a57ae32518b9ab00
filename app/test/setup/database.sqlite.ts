// The integration:sqlite jest project runs the integration suite on this engine.
process.env.TEST_DATABASE = 'sqlite';
