// ESLint for tracksync: typescript-eslint's recommended rules (syntax only, not type-aware: `npm run lint` must stay
// well under the 35 s the pre-stop hook gives it) and the layer boundary of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The music application: what the engine and the layers below it never import. */
const APP = ['app', 'domain', 'pipeline', 'media', 'services', 'library', 'feeds', 'handoff', 'playlists', 'dedup'];
/** Surfaces and composition: only they put the engine and the application together. */
const SURFACES = ['cli', 'server', 'doctor', 'launchd', 'notify', 'sandbox'];

/**
 * An import that climbs out of its folder into one of `folders` ("../pipeline/x.js", "../../src/app/y.js",
 * "../../handlers/z.js"). No file of layers 0-2 is named like an application folder, so a climb into a sibling of the
 * importing file's own layer never matches.
 */
const climbsInto = (folders) => `^(\\.\\./)+(src/)?(${folders.join('|')})(/|\\.js$)`;

const restricted = (message, folders) => ({
  'no-restricted-imports': ['error', { patterns: [{ regex: climbsInto(folders), message }] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/.cache/**', 'test-artifacts/**', 'tracksync-demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // `_name` marks a parameter a signature needs and the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Finding and removing control characters (src/text.ts, file names, tags) is what those expressions are for.
      'no-control-regex': 'off',
      // Prettier wraps code at 120 columns but not comments; this holds comments to the same width. Strings, SQL and
      // URLs may run longer: a message or a statement split in the middle is harder to read and to search for.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', fetch: 'readonly' },
    },
  },
  {
    // Layers 0-2: the core, the state, the configuration, the Notion plumbing and the engine know nothing about music.
    files: ['src/core/**', 'src/config/**', 'src/notion/**', 'src/net/**', 'state/**', 'src/engine/**'],
    rules: restricted(
      'the engine and the layers below it never import the music application or a surface (docs/architecture.md)',
      [...APP, ...SURFACES, 'handlers'],
    ),
  },
);
