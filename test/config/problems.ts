import { ConfigError } from '../../src/errors.js';

/** The two settings without a default: enough for loadConfig to succeed. */
export const base = {
  NOTION_TOKEN: 'ntn_1234567890abcdefghijklmnop',
  TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
};

/** The problems of the ConfigError `run` throws (it must throw one). */
export function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}
