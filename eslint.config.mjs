// ESLint (typescript-eslint's recommended rules) over the whole repository: `npm run lint`, part
// of `npm test`. A rule switched off for a line says why, in the comment that switches it off.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      ".cache/**",
      ".demo-data/**",
      "bench/.work/**",
      "bench/results/**",
      "examples/*/addon/**",
      "examples/*/.state/**",
      "tests/upgrade/recorded/**",
      ".upgrade-work-*/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_name` marks what is there for a signature or a destructuring, not for use.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Tests read exported state and API bodies as loose JSON (any), and their inline Pulumi
    // programs require() the installed package when the engine runs them, not when the test loads.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Plain CommonJS scripts and configs.
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
