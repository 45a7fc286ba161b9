import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

const uiPackages = [
  'react',
  'react-dom',
  'zustand',
  'd3',
  '@xterm/*',
  '@codemirror/*',
  'i18next',
  'react-i18next',
]

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      '.tsbuild',
      'public',
      'test-results',
      'playwright-report',
      'guest/build',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.tsx', 'src/ui/**/*.ts', 'src/state/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['src/engine/**/*.ts'],
    ignores: ['src/engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: uiPackages,
              message: 'src/engine is DOM-free and UI-free: it runs in the worker, in Node and in tests.',
            },
            { group: ['node:*'], message: 'src/engine must not depend on Node APIs; pass data in instead.' },
          ],
        },
      ],
    },
  },
)
